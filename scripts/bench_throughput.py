"""Throughput end to end against the local fake Bot API, with a bare echo bot as baseline.

Usage: .venv/bin/python scripts/bench_throughput.py [--users 100] [--questions 10] [--runs 3]

Not a test: figures depend on the machine. Each run starts, in this order and each in a fresh
process with a fresh SQLite file in /tmp:

1. a bare python-telegram-bot echo bot (one MessageHandler that replies with the same text),
2. the real bot (bot.app.build_application), answering FAQ questions,
3. the real bot again, taking complete registrations (/daftar to the stored lead).

The fake Bot API (bot/sandbox/fake_telegram.py) and the simulated users run in this process;
the bot runs in a child process, so the fake server's own work does not take the bot's CPU
(on 2 cores: one for the bot, one for the fake API and the users). Both bots poll with
getUpdates (timeout=1; poll_interval as python -m bot, bot.app.POLL_INTERVAL, for Sinergi
and --poll-interval, default 0 as a bare bot, for the echo bot), run without a rate limiter
(Telegram's ~30 messages/s would be the whole figure; --rate-limiter measures that pace,
and then also when the last lead was shown to staff, a line of a combined card counting)
and use the same update processor (bot.updates.PerUserUpdateProcessor: concurrent across
users, in order per user, at most 64 at a time). Users are a closed loop: each sends,
waits for the reply, sends the next.

Latency: from pushing the update into the fake API's queue to the bot's reply call arriving
at the fake API (both clocks in this process). Prints a table; writes JSON to bench-results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sandbox.fake_telegram import FakeTelegram, Sent  # noqa: E402

RESULTS = ROOT / "bench-results"
STAFF_CHAT = -1001234567890
REPLY_METHODS = {"sendMessage", "editMessageText", "sendPhoto", "sendDocument"}
TICKS = os.sysconf("SC_CLK_TCK")
LEAD_NUMBER = re.compile(r"#(\d+)")  # a lead in a card, or a line of a combined card


# -- the bots (child process) -----------------------------------------------------------

def serve_bot(kind: str, base_url: str, token: str, database_url: str, log_path: str,
              ready: Any, stop: Any, rate_limiter: str | None, poll_interval: float) -> None:
    """Child process: runs one bot until `stop` is set."""
    sys.stderr = open(log_path, "a", buffering=1)  # noqa: SIM115 - lives as long as the child
    asyncio.run(_serve(kind, base_url, token, database_url, ready, stop, rate_limiter,
                       poll_interval))


async def _serve(kind: str, base_url: str, token: str, database_url: str, ready: Any,
                 stop: Any, rate_limiter: str | None, poll_interval: float) -> None:
    app = build_bot(kind, base_url, token, database_url, rate_limiter)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    if kind != "echo":  # Sinergi polls as python -m bot does
        from bot.app import POLL_INTERVAL

        poll_interval = POLL_INTERVAL
    await app.updater.start_polling(poll_interval=poll_interval, timeout=1)
    ready.set()
    await asyncio.to_thread(stop.wait)
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


def build_bot(kind: str, base_url: str, token: str, database_url: str,
              rate_limiter: str | None) -> Any:
    """rate_limiter: None (none), "paced" (the bot's own, as python -m bot runs) or "aio"
    (python-telegram-bot's AIORateLimiter, which paces replies as bulk sends)."""
    from telegram import Update
    from telegram.ext import AIORateLimiter, ApplicationBuilder, MessageHandler, filters

    from bot.ratelimit import ReplyPacedRateLimiter
    from bot.updates import PerUserUpdateProcessor

    limiter = {None: None, "aio": AIORateLimiter(max_retries=5),
               "paced": ReplyPacedRateLimiter(max_retries=5)}[rate_limiter]

    if kind == "echo":
        async def echo(update: Update, context: Any) -> None:
            assert update.effective_message is not None
            await update.effective_message.reply_text(update.effective_message.text or "?")

        builder = (ApplicationBuilder().token(token).base_url(base_url)
                   .concurrent_updates(PerUserUpdateProcessor()))
        if limiter is not None:
            builder = builder.rate_limiter(limiter)
        app = builder.build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        return app
    from bot.app import build_application
    from bot.logs import setup_logging
    from bot.settings import load_settings

    settings = load_settings(
        _env_file=None, telegram_bot_token=token, telegram_api_base_url=base_url,
        database_url=database_url, staff_chat_ids=frozenset({STAFF_CHAT}),
        admin_user_ids=frozenset({9001}), log_level="INFO")
    setup_logging(settings.log_level)  # as python -m bot does; to the log file
    return build_application(settings, rate_limiter=limiter or False)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc), all its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# -- the fake API and the simulated users (this process) --------------------------------

class Inbox:
    """The calls the bot made to one chat, with the moment each arrived."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, Sent]] = []
        self.changed = asyncio.Event()


class RoutedCalls(list):  # type: ignore[type-arg]
    """FakeTelegram.sent that also files each call under its chat, timestamped.

    FakeTelegram.wait_for wakes every waiter on every call; with 100 users waiting that
    would make the fake side, not the bot, the cost being measured.
    """

    def __init__(self) -> None:
        super().__init__()
        self.inboxes: dict[str, Inbox] = {}

    def inbox(self, chat_id: int | str) -> Inbox:
        return self.inboxes.setdefault(str(chat_id), Inbox())

    def append(self, call: Sent) -> None:
        super().append(call)
        inbox = self.inbox(call.params.get("chat_id", ""))
        inbox.calls.append((time.perf_counter(), call))
        inbox.changed.set()


def _shows(call: Sent) -> bool:
    """As tests.harness: a call that shows the user something new."""
    if call.method == "editMessageReplyMarkup":
        return bool(call.params.get("reply_markup"))
    return call.method in REPLY_METHODS


class User:
    """One simulated worker; `say` and `press` as tests.harness.Person, timed."""

    def __init__(self, tg: FakeTelegram, calls: RoutedCalls, user_id: int,
                 latencies: list[float], timeout: float = 120.0) -> None:
        self.tg, self.user_id, self.latencies, self.timeout = tg, user_id, latencies, timeout
        self.box = calls.inbox(user_id)
        self.first_name = f"Pekerja{user_id}"

    async def _wait(self, start: int, pushed: float, predicate: Callable[[Sent], bool]) -> Sent:
        deadline = time.perf_counter() + self.timeout
        checked = start
        while True:
            for arrived, call in self.box.calls[checked:]:
                if predicate(call):
                    self.latencies.append(arrived - pushed)
                    return call
            checked = len(self.box.calls)
            self.box.changed.clear()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"user {self.user_id}: no reply within {self.timeout}s")
            await asyncio.wait_for(self.box.changed.wait(), remaining)

    async def say(self, text: str, timeout: float | None = None) -> Sent:
        start = len(self.box.calls)
        pushed = time.perf_counter()
        await self.tg.send_message(self.user_id, text, first_name=self.first_name)
        return await self._wait(start, pushed, lambda c: c.method in REPLY_METHODS)

    async def press(self, reply: Sent, data: str, timeout: float | None = None) -> Sent:
        from tests.harness import button_data

        message = self.tg.messages[(self.user_id, reply.result["message_id"])]
        start = len(self.box.calls)
        pushed = time.perf_counter()
        await self.tg.press(self.user_id, message, button_data(reply, data), self.first_name)
        return await self._wait(start, pushed, _shows)


def questions() -> list[str]:
    items = yaml.safe_load((ROOT / "tests/faq/eval_set.yaml").read_text())["items"]
    return [item["text"] for item in items]


async def faq_users(tg: FakeTelegram, calls: RoutedCalls, users: int, per_user: int,
                    latencies: list[float], first_id: int) -> int:
    texts = questions()

    async def one(index: int) -> None:
        user = User(tg, calls, first_id + index, latencies)
        for n in range(per_user):
            await user.say(texts[(index * per_user + n) % len(texts)])

    await asyncio.gather(*(one(i) for i in range(users)))
    return users * per_user


async def registering_users(tg: FakeTelegram, calls: RoutedCalls, users: int,
                            latencies: list[float], first_id: int, timeout: float) -> int:
    from tests.registration_helpers import register_bpu

    async def one(index: int) -> None:
        user = User(tg, calls, first_id + index, latencies, timeout)
        name = "Pekerja " + "".join(chr(97 + int(d)) for d in str(index))
        summary = await register_bpu(user, nik=f"350921450890{index + 1:04d}", name=name)
        done = await user.press(summary, "reg:confirm")
        assert "tercatat" in done.params["text"], done.params["text"]

    await asyncio.gather(*(one(i) for i in range(users)))
    return len(latencies)  # one per update: every update waits for its reply


async def scenario(kind: str, work: str, args: argparse.Namespace, run: int) -> dict[str, Any]:
    """Starts the fake API and a bot process, drives the users, stops the bot."""
    calls = RoutedCalls()
    tg = FakeTelegram(sent=calls)
    await tg.start()
    tg.group_chat(STAFF_CHAT)
    folder = Path(tempfile.mkdtemp(prefix="sinergi-bench-"))
    database = folder / "bench.db"
    context = mp.get_context("spawn")
    ready, stop = context.Event(), context.Event()
    log_path = str(RESULTS / f"throughput-{kind}-{work}.log")
    child = context.Process(target=serve_bot, args=(
        kind, tg.base_url, tg.token, f"sqlite+aiosqlite:///{database}", log_path, ready, stop,
        args.rate_limiter, args.poll_interval))
    child.start()
    try:
        if not await asyncio.to_thread(ready.wait, 120):
            raise RuntimeError(f"{kind} bot did not start; see {log_path}")
        # Warm-up, not measured: imports, connections, the matcher's caches.
        await faq_users(tg, calls, 20, 2, [], first_id=900_000)
        latencies: list[float] = []
        spy = profiler(child.pid or 0, f"{kind}-{work}") if args.profile else None
        cpu_bot, cpu_here = cpu_seconds(child.pid or 0), time.process_time()
        start = time.perf_counter()
        if work == "registration":
            updates = await registering_users(tg, calls, args.users, latencies, 100_000,
                                              timeout=900 if args.rate_limiter else 120)
        else:
            updates = await faq_users(tg, calls, args.users, args.questions, latencies, 100_000)
        elapsed = time.perf_counter() - start
        if work == "registration":  # the staff cards may still be on their way
            cards_s, card_posts = await last_card(calls, args.users, start, deadline=900)
        cpu_bot = cpu_seconds(child.pid or 0) - cpu_bot
        cpu_here = time.process_time() - cpu_here
        rss = rss_mb(child.pid or 0)
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            await asyncio.to_thread(spy.wait, 60)
    finally:
        await tg.release_polls()
        stop.set()
        await asyncio.to_thread(child.join, 60)
        await tg.stop()
    result: dict[str, Any] = {
        "run": run, "bot": kind, "work": work, "rate_limiter": args.rate_limiter,
        "users": args.users, "updates": updates,
        "seconds": round(elapsed, 3), "updates_per_s": round(updates / elapsed, 1),
        "p50_ms": pct(latencies, 50), "p95_ms": pct(latencies, 95), "p99_ms": pct(latencies, 99),
        "bot_cpu_share": round(cpu_bot / elapsed, 2),
        # The bot's CPU per update (all its threads): the measure of what a message
        # costs, independent of how fast the fake side or a rate limiter lets updates in.
        "bot_cpu_ms_per_update": round(1000 * cpu_bot / updates, 3),
        "fake_cpu_share": round(cpu_here / elapsed, 2),
        "bot_rss_mb": round(rss, 1),
    }
    if work == "registration":
        leads = stored_leads(database)
        assert leads == args.users, f"{leads} leads stored, expected {args.users}"
        result["leads_stored"] = leads
        result["registrations_per_s"] = round(args.users / elapsed, 2)
        result["last_staff_card_s"] = cards_s
        result["staff_posts"] = card_posts
        # The cards' own lag: how long after the last worker finished the last lead showed.
        result["last_card_after_registrations_s"] = round(cards_s - elapsed, 1)
    return result


async def last_card(calls: RoutedCalls, cards: int, start: float,
                    deadline: float) -> tuple[float, int]:
    """Seconds from the start until `cards` leads were shown in the staff group, counting
    each lead of a combined card (its "#<number>" lines) as shown (handlers/lead_cards.py),
    and the staff-group messages it took."""
    box, until = calls.inbox(STAFF_CHAT), time.perf_counter() + deadline
    while True:
        posts = [(t, c) for t, c in box.calls if c.method == "sendMessage"]
        shown: set[str] = set()
        for moment, call in posts:
            shown.update(LEAD_NUMBER.findall(call.params.get("text", "")))
            if len(shown) >= cards:
                return round(moment - start, 1), len([p for p in posts if p[0] <= moment])
        if time.perf_counter() > until:
            raise TimeoutError(f"{len(shown)} of {cards} leads shown within {deadline} s")
        box.changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(box.changed.wait(), 1)


def profiler(pid: int, name: str) -> subprocess.Popen[bytes]:
    """py-spy (pip install py-spy; not a dependency) sampling the bot: collapsed stacks."""
    out = RESULTS / f"profile-{name}.txt"
    return subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid",
                             str(pid), "--format", "raw", "--rate", "200", "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stored_leads(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT count(*) FROM leads").fetchone()[0])


def pct(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))], 1)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


SCENARIOS = (("echo", "faq"), ("sinergi", "faq"), ("sinergi", "registration"))


async def main(args: argparse.Namespace) -> dict[str, Any]:
    RESULTS.mkdir(exist_ok=True)
    rows: list[dict[str, Any]] = []
    for run in range(1, args.runs + 1):
        for kind, work in SCENARIOS:
            if args.only and work != args.only and kind != args.only:
                continue
            load = load_average()
            row = await scenario(kind, work, args, run)
            row["load_before"] = load
            rows.append(row)
            print(json.dumps(row), flush=True)
    return {"rows": rows, "median": medians(rows)}


def medians(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for kind, work in SCENARIOS:
        group = [r for r in rows if (r["bot"], r["work"]) == (kind, work)]
        if not group:
            continue
        keys = [k for k, v in group[0].items()
                if isinstance(v, int | float) and not isinstance(v, bool) and k != "run"]
        out.append({"bot": kind, "work": work, "runs": len(group)}
                   | {k: round(statistics.median(r[k] for r in group), 2) for k in keys})
    echo = next((m for m in out if m["bot"] == "echo"), None)
    for m in out:
        if echo is not None:
            m["ratio_to_echo"] = round(m["updates_per_s"] / echo["updates_per_s"], 2)
            m["cpu_ratio_to_echo"] = round(
                m["bot_cpu_ms_per_update"] / echo["bot_cpu_ms_per_update"], 2)
    return out


def table(summary: list[dict[str, Any]]) -> str:
    lines = ["| Bot | Work | Updates | Updates/s | × echo | Registrations/s | p50 ms | p95 ms "
             "| p99 ms | Bot CPU | Bot CPU ms/update | CPU × echo | Fake API CPU | Bot RSS MB "
             "| Last staff card s | Staff posts |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for m in summary:
        lines.append(
            f"| {m['bot']} | {m['work']} | {m['updates']:.0f} | {m['updates_per_s']:.0f} "
            f"| {m.get('ratio_to_echo', '–')} | {m.get('registrations_per_s', '–')} "
            f"| {m['p50_ms']} | {m['p95_ms']} | {m['p99_ms']} | {m['bot_cpu_share']:.0%} "
            f"| {m['bot_cpu_ms_per_update']:.2f} | {m.get('cpu_ratio_to_echo', '–')} "
            f"| {m['fake_cpu_share']:.0%} | {m['bot_rss_mb']:.0f} "
            f"| {m.get('last_staff_card_s', '–')} | {m.get('staff_posts', '–')} |")
    return "\n".join(lines)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--questions", type=int, default=10, help="FAQ questions per user")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true",
                        help="sample the bot with py-spy into bench-results/profile-*.txt")
    parser.add_argument("--poll-interval", type=float, default=0.0,
                        help="the echo bot's seconds between two getUpdates calls (default 0, "
                        "python-telegram-bot's; Sinergi polls as python -m bot does, "
                        "bot.app.POLL_INTERVAL)")
    parser.add_argument("--only", choices=("echo", "sinergi", "faq", "registration"))
    parser.add_argument("--rate-limiter", nargs="?", const="paced", choices=("paced", "aio"),
                        help="both bots with a rate limiter: 'paced' (default; the bot's own, "
                        "as python -m bot runs: replies at the bot's pace, 30/s for bulk "
                        "sends, 20 a minute per group) or 'aio' (AIORateLimiter: 30/s for "
                        "every send, replies included)")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    report = asyncio.run(main(arguments))
    report["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                         "platform": platform.platform(), "load_after": load_average()}
    report["date"] = dt.datetime.now(dt.UTC).date().isoformat()
    report["settings"] = vars(arguments)
    out = RESULTS / "throughput.json"
    out.write_text(json.dumps(report, indent=2))
    print()
    print(table(report["median"]))
    print(f"\nmedian of {arguments.runs} run(s); load before each run: "
          f"{[r['load_before'] for r in report['rows']]}; JSON: {out.relative_to(ROOT)}")
