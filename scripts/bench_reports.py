"""/stats and /ekspor latency and peak memory with 10.000, 100.000 and 1.000.000 leads.

Usage: .venv/bin/python scripts/bench_reports.py [--sizes 10000 100000 1000000] [--runs 3]
       .venv/bin/python scripts/bench_reports.py --generate-only 1000000

Not a test: figures depend on the machine. For each size a generator fills a migrated SQLite
file in /tmp (bulk INSERT with executemany in batches of 10.000, ids in date order as a real
bot writes them): leads over 2025-11 .. 2026-11-23 with a growing pace, PU/BPU, the four
statuses, 6 unions with 60 organizers (half the leads credited to one), three kabupaten with
their kecamatan, 20 occupations, 1 % erased; one status change per lead plus one for leads
past "minat". Files are kept and reused (delete /tmp/sinergi-bench-*.db to regenerate).

What is timed is the service each command calls, on the bot's own engine and pragmas
(db/session.py): bot.services.stats.report() for /stats (this year, and "30" days) and
bot.services.exports.export_leads() for /ekspor (all leads, XLSX and CSV, Indonesian labels),
without the Telegram round trip. Every measurement runs in a fresh process; peak memory is
that process's own high-water mark (VmHWM; see peak_mb) and how far it rose over its resident
size just before the first timed call. The load average before each round is recorded.
A file made before a migration is upgraded first (0007 fills lead_counts from the leads).
Prints a table; writes JSON to bench-results/reports.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench-results"
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 09:00 in Jember
FIRST = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
BATCH = 10_000
UNIONS = (("Serikat Pekerja Seluruh Indonesia", "SPSI", 20), ("Serikat Buruh Sejahtera "
          "Indonesia", "SBSI", 12), ("Serikat Petani Tembakau Jember", "SPTJ", 10),
          ("Serikat Nelayan Puger", "SNP", 8), ("Serikat Pekerja Rokok Tembakau Makanan "
          "Minuman", "RTMM", 6), ("Serikat Ojek Jember", "SOJ", 4))
REGIONS = {"Jember": 0.8, "Lumajang": 0.1, "Bondowoso": 0.1}
OCCUPATIONS = ("Petani", "Buruh tani", "Nelayan", "Pedagang pasar", "Pengemudi ojek",
               "Buruh pabrik rokok", "Tukang bangunan", "Penjahit", "Buruh gudang tembakau",
               "Peternak", "Sopir", "Kuli angkut", "Pekerja toko", "Guru honorer",
               "Pedagang keliling", "Montir", "Pembantu rumah tangga", "Karyawan swasta",
               "Perajin", "Buruh perkebunan")
EMPLOYERS = ("PT Kopi Jember", "PT Tembakau Nusantara", "CV Sumber Rejeki", "PT Gudang Garam",
             "PTPN XII", "Toko Sinar Jaya", "PT Puger Mina", "Koperasi Tani Makmur")
STATUSES = (("minat", 0.55), ("dihubungi", 0.25), ("terdaftar", 0.15), ("tidak_berminat", 0.05))
INCOME = ("lt1", "1-2", "2-3", "3-5", "gt5")


def stamp(moment: dt.datetime) -> str:
    """As SQLAlchemy's SQLite DateTime stores it (naive UTC, microseconds)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def database_path(size: int) -> Path:
    return Path(tempfile.gettempdir()) / f"sinergi-bench-{size}.db"


def url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


# -- generator ------------------------------------------------------------------------

# Filled at this revision, then upgraded: 0007's triggers on every bulk insert made the fill
# about 2,5 times slower; its own counting of the leads afterwards takes seconds.
FILL_AT = "0006"


async def migrate(path: Path, revision: str = "head") -> None:
    from db.migrate import upgrade
    from db.session import make_engine

    engine = make_engine(url(path))
    await upgrade(engine, revision)
    await engine.dispose()


def generate(size: int, seed: int = 2026) -> dict[str, Any]:
    """Fills a new database with `size` leads; returns what it took."""
    from bot.services import regions

    path = database_path(size)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    asyncio.run(migrate(path, FILL_AT))
    rng = random.Random(seed)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-262144")  # 256 MB while filling
    connection.execute("BEGIN")
    created = stamp(FIRST)
    organizers: list[int] = []
    weights: list[int] = []
    for number, (name, short, count) in enumerate(UNIONS, 1):
        connection.execute("INSERT INTO unions (id, name, short_name, active, created_at) "
                           "VALUES (?, ?, ?, 1, ?)", (number, name, short, created))
        for _ in range(count):
            organizer = len(organizers) + 1
            connection.execute(
                "INSERT INTO organizers (id, union_id, display_name, active, created_at) "
                "VALUES (?, ?, ?, 1, ?)", (organizer, number, f"Organizer {organizer}", created))
            connection.execute(
                "INSERT INTO referral_codes (id, code, organizer_id, active, created_at) "
                "VALUES (?, ?, ?, 1, ?)", (organizer, f"{short}-{organizer:05d}", organizer,
                                           created))
            organizers.append(organizer)
            weights.append(rng.randint(1, 10))
    places = [(kab, kec.name, share / len(regions.kecamatan_list(kab)))
              for kab, share in REGIONS.items() for kec in regions.kecamatan_list(kab)]
    # Dates: the pace grows over the year (campaign), ids follow the dates.
    span = (NOW - FIRST).total_seconds()
    offsets = sorted(span * rng.random() ** 0.6 for _ in range(size))
    status_names = [s for s, _ in STATUSES]
    status_weights = [w for _, w in STATUSES]
    lead_sql = (
        "INSERT INTO leads (id, segment, full_name, nik, phone, occupation, kabupaten, "
        "kecamatan, nik_region, employer, programmes, income_band, consent_at, "
        "consent_version, broadcast_opt_in, source, telegram_user_id, registered_by, "
        "referral_code_id, organizer_id, status, kpj_number, created_at, updated_at, "
        "erased_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?)")
    change_sql = ("INSERT INTO lead_status_changes (lead_id, status, changed_by, changed_at) "
                  "VALUES (?, ?, ?, ?)")
    leads: list[tuple[Any, ...]] = []
    changes: list[tuple[Any, ...]] = []
    region_choices = rng.choices(places, weights=[p[2] for p in places], k=size)
    statuses = rng.choices(status_names, weights=status_weights, k=size)
    credited = rng.choices(organizers, weights=weights, k=size)
    for index in range(size):
        lead_id = index + 1
        moment = FIRST + dt.timedelta(seconds=offsets[index])
        when = stamp(moment)
        segment = "PU" if rng.random() < 0.45 else "BPU"
        status = statuses[index]
        organizer = credited[index] if rng.random() < 0.5 else None
        source = "organizer" if organizer is not None and rng.random() < 0.3 else "self"
        erased = rng.random() < 0.01
        kab, kec, _share = region_choices[index]
        updated = when if status == "minat" else stamp(moment + dt.timedelta(days=3))
        leads.append((
            lead_id, segment, None if erased else f"Pekerja Nomor {lead_id}",
            None if erased else f"35{lead_id:014d}",
            None if erased else f"+62812{lead_id:08d}", OCCUPATIONS[index % 20 if index % 3
                                                                     else index % 5],
            kab, kec, None, rng.choice(EMPLOYERS) if segment == "PU" and not erased else None,
            "pu" if segment == "PU" else ("jkk_jkm" if index % 3 else "jkk_jkm_jht"),
            INCOME[index % 5], when, "2026-11-v1", index % 2, source,
            None if source == "organizer" else 10_000_000 + lead_id,
            None if source == "self" else 5000 + (organizer or 0),
            organizer, organizer, status,
            f"{lead_id:011d}" if status == "terdaftar" and not erased else None,
            when, updated, updated if erased else None,
        ))
        changes.append((lead_id, "minat", None, when))
        if status != "minat":
            changes.append((lead_id, status, 9002, updated))
        if len(leads) == BATCH:
            connection.executemany(lead_sql, leads)
            connection.executemany(change_sql, changes)
            leads, changes = [], []
    connection.executemany(lead_sql, leads)
    connection.executemany(change_sql, changes)
    connection.execute("COMMIT")
    connection.close()
    asyncio.run(migrate(path))  # to the latest revision: 0007 counts the leads per day
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("ANALYZE")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return {"size": size, "seconds": round(time.perf_counter() - started, 1),
            "file_mb": round(path.stat().st_size / 2**20, 1)}


# -- measurements, each in a fresh process ----------------------------------------------

def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    """This process's own peak (VmHWM). Not ru_maxrss: Linux carries the parent's resident
    size at fork into the child's ru_maxrss across exec, so a child spawned after the
    generator filled 1.000.000 leads reported ~458 MB where a fresh process peaks at ~54."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def measure(task: str, size: int, calls: int, out: Any, root: str | None = None) -> None:
    """Child process: one measurement; sends a dict through `out`. `root`: measure the
    code of another checkout (--baseline), on the same database file."""
    if root is not None:
        sys.path.insert(0, root)
    out.send(asyncio.run(_measure(task, size, calls)))


async def _measure(task: str, size: int, calls: int) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    from db.session import make_engine, make_sessionmaker

    engine = make_engine(url(database_path(size)), hide_parameters=True)
    sessions = make_sessionmaker(engine)
    tz = ZoneInfo("Asia/Jakarta")
    if task.startswith("stats"):
        from bot.services import stats

        period = stats.parse_period(task.partition(":")[2] or None, now=NOW, tz=tz)

        async def once() -> Any:
            return await stats.report(sessions, period=period, now=NOW, tz=tz,
                                      default_pu=29000, default_bpu=18000)
    else:
        from bot.i18n import load_catalogs
        from bot.services import exports
        from handlers.exports import labels

        file_format = task.partition(":")[2]
        words = labels(load_catalogs().gettext("id"))
        folder = Path(tempfile.mkdtemp(prefix="sinergi-bench-export-"))

        async def once() -> Any:
            result = await exports.export_leads(
                sessions, exports.ExportRequest(file_format=file_format), labels=words,
                folder=folder, tz=tz, requested_by=9002, chat_id=-1, now=NOW,
                max_bytes=2**40)
            size_mb = result.size / 2**20
            result.path.unlink()
            return {"rows": result.rows, "file_mb": round(size_mb, 1)}
    await once() if task.startswith("stats") else None  # warm-up: imports, connection, cache
    before = rss_mb()
    times, extra = [], None
    for _ in range(calls):
        start = time.perf_counter()
        extra = await once()
        times.append(time.perf_counter() - start)
    await engine.dispose()
    result = {"times_ms": [round(t * 1000, 2) for t in times], "rss_before_mb": round(before, 1),
              "peak_rss_mb": round(peak_mb(), 1),
              "peak_over_baseline_mb": round(peak_mb() - before, 1)}
    if isinstance(extra, dict):
        result |= extra
    return result


def in_child(task: str, size: int, calls: int, root: str | None = None) -> dict[str, Any]:
    context = mp.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=measure, args=(task, size, calls, send, root))
    child.start()
    result = receive.recv()
    child.join()
    return result


def pct(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))], 1)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run(args: argparse.Namespace) -> dict[str, Any]:
    RESULTS.mkdir(exist_ok=True)
    report: dict[str, Any] = {"generated": [], "stats": [], "exports": []}
    for size in args.sizes:
        if args.regenerate or not database_path(size).exists():
            made = generate(size)
            report["generated"].append(made)
            print(json.dumps({"generated": made}), flush=True)
        else:  # a file from before a migration (e.g. 0007's lead_counts) is brought up to date
            started = time.perf_counter()
            asyncio.run(migrate(database_path(size)))
            print(json.dumps({"migrated": size,
                              "seconds": round(time.perf_counter() - started, 1)}), flush=True)
        codes = [("", None)] + ([("before", args.baseline)] if args.baseline else [])
        for period in ("", "30"):
            by_code: dict[str, list[dict[str, Any]]] = {code: [] for code, _root in codes}
            for number in range(args.runs):  # the versions take turns: the same load
                for code, root in codes:
                    load = load_average()
                    measured = in_child(f"stats:{period}", size, args.stats_calls, root)
                    times = measured["times_ms"]
                    by_code[code].append({
                        "run": number + 1, "load_before": load, "p50_ms": pct(times, 50),
                        "p95_ms": pct(times, 95), "max_ms": max(times),
                        "peak_over_baseline_mb": measured["peak_over_baseline_mb"],
                        "peak_rss_mb": measured["peak_rss_mb"]})
            for code, rounds in by_code.items():
                row = {"size": size, "command": f"/stats {period}".strip(), "code": code,
                       "rounds": rounds, "calls_per_round": args.stats_calls} | median_of(rounds)
                report["stats"].append(row)
                print(json.dumps(row), flush=True)
        for file_format in ("csv", "xlsx"):
            if file_format in args.skip_export or size > args.export_up_to:
                continue
            runs = args.runs if size <= args.repeat_exports_up_to else 1
            by_code = {code: [] for code, _root in codes}
            for number in range(runs):
                for code, root in codes:
                    load = load_average()
                    measured = in_child(f"export:{file_format}", size, 1, root)
                    by_code[code].append({
                        "run": number + 1, "load_before": load,
                        "seconds": round(measured["times_ms"][0] / 1000, 2),
                        "peak_over_baseline_mb": measured["peak_over_baseline_mb"],
                        "peak_rss_mb": measured["peak_rss_mb"], "file_mb": measured["file_mb"]})
            for code, rounds in by_code.items():
                row = {"size": size, "command": f"/ekspor {file_format}", "code": code,
                       "rounds": rounds} | median_of(rounds)
                report["exports"].append(row)
                print(json.dumps(row), flush=True)
    return report


def median_of(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [k for k, v in rounds[0].items() if isinstance(v, int | float)
            and not isinstance(v, bool) and k != "run"]
    return {k: round(statistics.median(r[k] for r in rounds), 2) for k in keys}


def loads(row: dict[str, Any]) -> str:
    """The 1-minute load average before each round."""
    return " / ".join(r["load_before"].split()[0] for r in row["rounds"])


def table(report: dict[str, Any]) -> str:
    lines = ["| Leads | Command | Code | Load before | Runs | p50 ms | p95 ms "
             "| Peak RSS MB (over baseline) |", "|---:|---|---|---|---:|---:|---:|---:|"]
    for row in report["stats"]:
        lines.append(f"| {row['size']:,} | {row['command']} | {row['code'] or 'this'} "
                     f"| {loads(row)} | {len(row['rounds'])} "
                     f"| {row['p50_ms']} | {row['p95_ms']} | {row['peak_rss_mb']:.0f} "
                     f"({row['peak_over_baseline_mb'] + 0.0:+.0f}) |")
    lines += ["", "| Leads | Command | Code | Load before | Runs | Seconds | File MB "
              "| Peak RSS MB (over baseline) |", "|---:|---|---|---|---:|---:|---:|---:|"]
    for row in report["exports"]:
        lines.append(f"| {row['size']:,} | {row['command']} | {row['code'] or 'this'} "
                     f"| {loads(row)} | {len(row['rounds'])} "
                     f"| {row['seconds']} | {row['file_mb']} | {row['peak_rss_mb']:.0f} "
                     f"({row['peak_over_baseline_mb'] + 0.0:+.0f}) |")
    return "\n".join(lines)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stats-calls", type=int, default=20, help="/stats calls per round")
    parser.add_argument("--repeat-exports-up-to", type=int, default=100_000,
                        help="larger sizes export once (1.000.000 leads as XLSX take minutes)")
    parser.add_argument("--baseline", metavar="CHECKOUT",
                        help="also measure this checkout's code (e.g. a worktree of main), "
                             "in turns with this one, reported as 'before'")
    parser.add_argument("--export-up-to", type=int, default=10**9,
                        help="no exports for larger sizes")
    parser.add_argument("--skip-export", nargs="*", default=[], choices=("csv", "xlsx"))
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--generate-only", type=int, metavar="N")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.generate_only:
        print(json.dumps(generate(arguments.generate_only)))
        sys.exit(0)
    result = run(arguments)
    result["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                         "platform": platform.platform(), "load_after": load_average()}
    result["date"] = dt.datetime.now(dt.UTC).date().isoformat()
    result["settings"] = vars(arguments)
    out = RESULTS / "reports.json"
    out.write_text(json.dumps(result, indent=2))
    print()
    print(table(result))
    print(f"\nJSON: {out.relative_to(ROOT)}")
