"""Benchmark the FAQ matcher: start-up, latency percentiles and evaluation-set accuracy.

Usage: python scripts/bench_matcher.py [--rounds 5] [--write docs/BENCHMARK-matcher.md]

Not a test: figures depend on the machine. Latency is measured over the evaluation-set
messages (tests/faq/eval_set.yaml) on the shipped knowledge base and on a synthetic one of
2.000 entries made from the shipped entries plus made-up words, so that its vocabulary grows.
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

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.knowledge.faq import KnowledgeBase, load_knowledge  # noqa: E402
from bot.services import normalize  # noqa: E402
from bot.services.matching import Matcher  # noqa: E402

EVAL_PATH = ROOT / "tests" / "faq" / "eval_set.yaml"
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


def latencies_ms(matcher: Matcher, texts: list[str], rounds: int) -> list[float]:
    for text in texts:  # warm-up: first calls fill the spelling-correction cache
        matcher.match(text)
    out = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            matcher.match(text)
            out.append((time.perf_counter() - start) * 1000)
    return out


def percentiles(values: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def accuracy(matcher: Matcher, items: list[dict]) -> dict[str, float]:
    ins = [i for i in items if i["expected"]]
    out = [i for i in items if not i["expected"]]
    top1 = shown = direct = 0
    for item in ins:
        r = matcher.match(item["text"])
        seen = (r.entry_id,) if r.outcome == "answer" else (
            r.candidates if r.outcome == "suggest" else ())
        top1 += bool(seen) and seen[0] == item["expected"]
        shown += item["expected"] in seen
        direct += r.outcome == "answer" and r.entry_id == item["expected"]
    confident_out = sum(matcher.match(i["text"]).outcome == "answer" for i in out)
    return {"in_scope": len(ins), "out_of_scope": len(out), "top1": top1 / len(ins),
            "shown": shown / len(ins), "direct": direct / len(ins),
            "oos_not_answered": 1 - confident_out / len(out)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", type=Path, help="write a Markdown report here")
    parser.add_argument("--date", default=dt.datetime.now(dt.UTC).date().isoformat())
    args = parser.parse_args()

    items = yaml.safe_load(EVAL_PATH.read_text(encoding="utf-8"))["items"]
    texts = [item["text"] for item in items]
    startup = startup_seconds(args.rounds)
    kb = load_knowledge()
    rows = []
    for label, base in (("shipped", kb), ("synthetic 2.000", synthetic_kb(kb, 2000))):
        start = time.perf_counter()
        matcher = Matcher.build(base)
        build = time.perf_counter() - start
        p50, p95, p99 = percentiles(latencies_ms(matcher, texts, args.rounds))
        rows.append((label, len(base.entries), sum(len(e.questions) for e in base.entries),
                     build, p50, p95, p99))
    acc = accuracy(Matcher.build(kb), items)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = render(rows, startup, acc, rss_mb, len(texts) * args.rounds)
    header = (f"Measured {args.date} on {os.cpu_count()} CPU cores "
              f"({platform.machine()}, {platform.system()}) with `{' '.join(sys.argv)}`.\n\n")
    report = header + report
    print(report)
    if args.write:
        args.write.write_text(report, encoding="utf-8")


def render(rows: list[tuple], startup: float, acc: dict[str, float], rss_mb: float,
           calls: int) -> str:
    lines = [
        "| Knowledge base | Entries | Phrasings | Index build (s) | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:.2f} | {r[6]:.2f} |"
              for r in rows]
    return "\n".join([
        *lines, "",
        f"Start-up (read + validate faq.yaml and lexicon.yaml, build the index): {startup:.2f} s",
        f"Peak resident memory of the benchmark process: {rss_mb:.0f} MB",
        f"Latency calls per knowledge base: {calls}; Python {platform.python_version()}",
        "",
        f"Evaluation set: {acc['in_scope']} in scope, {acc['out_of_scope']} out of scope; "
        f"top-1 {acc['top1']:.1%}, right entry shown {acc['shown']:.1%}, "
        f"answered directly and right {acc['direct']:.1%}, "
        f"out of scope not answered confidently {acc['oos_not_answered']:.1%}",
    ]) + "\n"


if __name__ == "__main__":
    main()
