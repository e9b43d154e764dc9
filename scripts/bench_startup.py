"""Start-up time and resident memory of `python -m bot`, idle and under load.

Usage: .venv/bin/python scripts/bench_startup.py [--runs 3] [--users 100] [--questions 10]
                                                   [--compare OTHER_CHECKOUT]

Not a test: figures depend on the machine. Each run starts the real entry point,
`python -m bot`, as a new process against the local fake Bot API (this process), with
settings from the environment only (no .env: it runs in an empty folder):

- start-up: from starting the process to its first getUpdates call (it polls: ready to
  answer), on a new SQLite file (migrations run) and again on the same file (a restart);
  also the CPU time (user + system) the process had used by then, which a loaded machine
  stretches far less than the wall-clock time;
- a bare python-telegram-bot bot's start, measured the same way in the same run, right
  after Sinergi's restart (an echo bot: ApplicationBuilder, one MessageHandler,
  run_polling), and the ratio of Sinergi's restart to it (issue 16: at most 4 x);
- import: `python -c "import bot.app"` alone, the part that is only Python importing;
- memory: VmRSS of the bot process 2 s after it is ready (idle), and its peak (VmHWM)
  after 100 users asked 10 FAQ questions each at once (scripts/bench_throughput.py's users);
- stop: from SIGINT to the process exiting.

The bot is imported from the checkout this script is in (PYTHONPATH), not from wherever the
virtualenv's editable install points. ``--compare /path/to/other/checkout`` measures that
checkout too, alternating with this one within each run (before/after on a loaded machine).

Prints a table; writes JSON to bench-results/startup.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_throughput import STAFF_CHAT, RoutedCalls, cpu_seconds, faq_users  # noqa: E402

from bot.sandbox.fake_telegram import FakeTelegram  # noqa: E402

RESULTS = ROOT / "bench-results"
# The baseline: the least a python-telegram-bot bot does before its first getUpdates.
BARE_BOT = """
import os
from telegram.ext import ApplicationBuilder, MessageHandler, filters

async def echo(update, context):
    await update.effective_message.reply_text(update.effective_message.text)

app = (ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"])
       .base_url(os.environ["TELEGRAM_API_BASE_URL"]).build())
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling()
"""


def status(pid: int, field: str) -> float:
    """A /proc/<pid>/status memory field (VmRSS, VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


async def one_start(database: Path, load: bool, args: argparse.Namespace,
                    bare: bool = False, root: Path = ROOT) -> dict[str, Any]:
    """One start of ``python -m bot`` (or of the bare bot) until it stops again."""
    calls = RoutedCalls()
    tg = FakeTelegram(sent=calls)
    await tg.start()
    tg.group_chat(STAFF_CHAT)
    polled: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    get_updates = tg.api_getupdates

    cpu: list[float] = []

    async def first_poll(params: dict[str, Any]) -> Any:
        if not polled.done():
            polled.set_result(time.perf_counter())
            cpu.append(cpu_seconds(bot.pid))
        return await get_updates(params)

    tg.api_getupdates = first_poll  # type: ignore[method-assign]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env |= {"TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "STAFF_CHAT_IDS": str(STAFF_CHAT), "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(root)}
    folder = tempfile.mkdtemp(prefix="sinergi-bench-start-")
    started = time.perf_counter()
    command = ("-c", BARE_BOT) if bare else ("-m", "bot")
    bot = await asyncio.create_subprocess_exec(
        sys.executable, *command, cwd=folder, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    try:
        ready = await asyncio.wait_for(polled, 120) - started
        await asyncio.sleep(2)
        row: dict[str, Any] = {"start_s": round(ready, 2), "start_cpu_s": round(cpu[0], 2),
                               "idle_rss_mb": round(status(bot.pid, "VmRSS"), 1)}
        if load:
            await faq_users(tg, calls, args.users, args.questions, [], first_id=100_000)
            row["loaded_rss_mb"] = round(status(bot.pid, "VmRSS"), 1)
            row["peak_rss_mb"] = round(status(bot.pid, "VmHWM"), 1)
        stopping = time.perf_counter()
        bot.send_signal(signal.SIGINT)
        await tg.release_polls()
        await asyncio.wait_for(bot.wait(), 60)
        row["stop_s"] = round(time.perf_counter() - stopping, 2)
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
        await tg.stop()
    if bot.returncode not in (0, -signal.SIGINT):
        error = (await bot.stderr.read()).decode() if bot.stderr else ""
        raise RuntimeError(f"bot exited with {bot.returncode}: {error}")
    return row


def import_seconds(root: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import bot.app"], check=True, cwd=root)
    return time.perf_counter() - started


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def main(args: argparse.Namespace) -> dict[str, Any]:
    checkouts = [ROOT, *([args.compare.resolve()] if args.compare else [])]
    rows = []
    for run in range(1, args.runs + 1):
        for root in checkouts if run % 2 else checkouts[::-1]:
            rows.append(await one_run(run, root, args))
    report: dict[str, Any] = {"rows": rows}
    for root in checkouts:
        mine = [r for r in rows if r["checkout"] == str(root)]
        keys = [k for k in mine[0] if k not in ("run", "load_before", "checkout")]
        report.setdefault("median", {})[str(root)] = {
            k: round(statistics.median(r[k] for r in mine), 2) for k in keys}
    return report


async def one_run(run: int, root: Path, args: argparse.Namespace) -> dict[str, Any]:
    database = Path(tempfile.mkdtemp(prefix="sinergi-bench-start-")) / "bot.db"
    load = load_average()
    first = await one_start(database, load=False, args=args, root=root)
    again = await one_start(database, load=True, args=args, root=root)
    bare = await one_start(database, load=False, args=args, bare=True)
    row = {"run": run, "checkout": str(root), "load_before": load,
           "import_s": round(import_seconds(root), 2),
           "first_start_s": first["start_s"], "restart_s": again["start_s"],
           "restart_cpu_s": again["start_cpu_s"], "bare_start_s": bare["start_s"],
           "bare_start_cpu_s": bare["start_cpu_s"],
           "restart_x_bare": round(again["start_s"] / bare["start_s"], 2),
           "restart_cpu_x_bare": round(again["start_cpu_s"] / bare["start_cpu_s"], 2),
           "bare_idle_rss_mb": bare["idle_rss_mb"],
           "idle_rss_mb": again["idle_rss_mb"], "loaded_rss_mb": again["loaded_rss_mb"],
           "peak_rss_mb": again["peak_rss_mb"], "stop_s": again["stop_s"]}
    print(json.dumps(row), flush=True)
    return row


def table(median: dict[str, float], runs: int) -> str:
    return "\n".join([
        f"| Measure | Median of {runs} |", "|---|---:|",
        f"| `import bot.app` (s) | {median['import_s']} |",
        f"| start on a new database, migrations included (s) | {median['first_start_s']} |",
        f"| restart on the same database (s) | {median['restart_s']} |",
        f"| bare python-telegram-bot bot, same run (s) | {median['bare_start_s']} |",
        f"| restart ÷ bare bot (median of the runs' ratios) | {median['restart_x_bare']} |",
        f"| CPU time to the first getUpdates, restart (s) | {median['restart_cpu_s']} |",
        f"| CPU time to the first getUpdates, bare bot (s) | {median['bare_start_cpu_s']} |",
        f"| CPU restart ÷ CPU bare bot | {median['restart_cpu_x_bare']} |",
        f"| resident memory, idle (MB) | {median['idle_rss_mb']:.0f} |",
        f"| resident memory after the FAQ load (MB) | {median['loaded_rss_mb']:.0f} |",
        f"| peak resident memory under the FAQ load (MB) | {median['peak_rss_mb']:.0f} |",
        f"| bare bot's resident memory, idle (MB) | {median['bare_idle_rss_mb']:.0f} |",
        f"| stop after SIGINT (s) | {median['stop_s']} |",
    ])


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--compare", type=Path, help="another checkout, measured alternately")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    RESULTS.mkdir(exist_ok=True)
    report = asyncio.run(main(arguments))
    report["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                         "platform": platform.platform(), "load_after": load_average()}
    report["date"] = dt.datetime.now(dt.UTC).date().isoformat()
    report["settings"] = vars(arguments)
    out = RESULTS / "startup.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print()
    for checkout, median in report["median"].items():
        print(f"\n{checkout}\n")
        print(table(median, arguments.runs))
    print(f"\nJSON: {out.relative_to(ROOT)}")
