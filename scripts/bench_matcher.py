"""Benchmark the FAQ matcher: start-up, latency percentiles and evaluation-set accuracy.

Usage: python scripts/bench_matcher.py [--rounds 5] [--write report.md]

Not a test: figures depend on the machine. Latency is the whole decision the bot makes for a
message (``bot.services.decision.decide``), over the dev split and the legacy set
(tests/faq/eval/dev.yaml, tests/faq/eval_set.yaml; never the held-out test split), on the
shipped knowledge base and on a synthetic one of 2.000 entries made from the shipped entries
plus made-up words, so that its vocabulary grows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import resource
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.cli.evaluate import SPLITS, pct  # noqa: E402
from bot.knowledge.loader import KnowledgeBase, load_knowledge  # noqa: E402
from bot.services import normalize  # noqa: E402
from bot.services.decision import decide  # noqa: E402
from bot.services.evaluation import EvalItem, SplitReport, evaluate, load_items  # noqa: E402
from bot.services.matching import Matcher  # noqa: E402

BENCH_SPLITS = ("dev", "legacy")  # never "test": it is held out
SYLLABLES = ["ka", "ri", "mu", "lo", "pe", "sa", "ng", "ta", "bu", "di", "jo", "we", "ra", "ni"]


def synthetic_kb(kb: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """``size`` entries cloned from ``kb``, each with two invented words in every phrasing."""
    rng = random.Random(seed)
    entries = []
    for n in range(size):
        base = kb.entries[n % len(kb.entries)]
        extra = " ".join("".join(rng.choices(SYLLABLES, k=3)) for _ in range(2))
        entries.append(replace(
            base, id=f"{base.id}_{n}", related=(),
            questions=tuple(f"{q} {extra}" for q in base.questions),
        ))
    return replace(kb, entries=tuple(entries))


def startup_seconds(rounds: int) -> float:
    """Median time to read and validate the files and build the index, caches cleared."""
    times = []
    for _ in range(rounds):
        normalize.default_lexicon.cache_clear()
        start = time.perf_counter()
        Matcher.build(load_knowledge())
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def latencies_ms(matcher: Matcher, texts: list[str], rounds: int
                 ) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per decision. On a shared machine the wall-clock tail
    is other processes' turn on the CPU; the CPU time is what one decision costs."""
    for text in texts:  # warm-up: first calls fill the spelling-correction cache
        decide(matcher, text)
    wall, cpu = [], []
    for _ in range(rounds):
        for text in texts:
            start, start_cpu = time.perf_counter(), time.thread_time()
            decide(matcher, text)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def percentiles(values: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def accuracy(matcher: Matcher, items: dict[str, list[EvalItem]]) -> list[SplitReport]:
    topics = {entry.id: entry.topic for entry in matcher.kb.entries}
    return [evaluate(name, split, lambda t: decide(matcher, t), topics)
            for name, split in items.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", type=Path, help="write a Markdown report here")
    parser.add_argument("--date", default=dt.datetime.now(dt.UTC).date().isoformat())
    args = parser.parse_args()

    items = {name: load_items(SPLITS[name]) for name in BENCH_SPLITS}
    texts = [item.text for split in items.values() for item in split]
    startup = startup_seconds(args.rounds)
    kb = load_knowledge()
    rows = []
    for label, base in (("shipped", kb), ("synthetic 2.000", synthetic_kb(kb, 2000))):
        start = time.perf_counter()
        matcher = Matcher.build(base)
        build = time.perf_counter() - start
        wall, cpu = latencies_ms(matcher, texts, args.rounds)
        rows.append((label, len(base.entries), sum(len(e.questions) for e in base.entries),
                     build, *percentiles(wall), percentiles(cpu)[1]))
    reports = accuracy(Matcher.build(kb), items)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = render(rows, startup, reports, rss_mb, len(texts) * args.rounds)
    header = (f"Measured {args.date} on {os.cpu_count()} CPU cores "
              f"({platform.machine()}, {platform.system()}) with `{' '.join(sys.argv)}`.\n\n")
    report = header + report
    print(report)
    if args.write:
        args.write.write_text(report, encoding="utf-8")


def render(rows: list[tuple], startup: float, reports: list[SplitReport], rss_mb: float,
           calls: int) -> str:
    lines = [
        "| Knowledge base | Entries | Phrasings | Index build (s) | p50 ms | p95 ms | p99 ms "
        "| p95 ms CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:.2f} | {r[6]:.2f} "
              f"| {r[7]:.2f} |" for r in rows]
    lines += [
        "",
        f"Start-up (read + validate faq.yaml and lexicon.yaml, build the index): {startup:.2f} s",
        f"Peak resident memory of the benchmark process: {rss_mb:.0f} MB",
        f"Latency calls per knowledge base: {calls}; Python {platform.python_version()}",
        "",
        "| Split | In scope | Right | Wrong | Right or shown | Out of scope handled "
        "| Small talk handled | Labels not in the KB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {r.name} | {r.in_scope} | {pct(r.right, r.in_scope)} "
              f"| {pct(r.wrong, r.in_scope)} | {pct(r.shown, r.in_scope)} "
              f"| {pct(r.out_of_scope_handled, r.out_of_scope)} "
              f"| {pct(r.small_talk_handled, r.small_talk)} | {r.missing} |" for r in reports]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
