"""Benchmark the rupiah amount scan on the worst messages a worker can send.

Usage: python scripts/bench_amounts.py [--runs 5]

Not a test: figures depend on the machine (the test, tests/services/test_amounts.py, asserts the
bound on token steps instead). Every text here is at most 4.096 characters, Telegram's
longest message, except one at twice that to show the token cap. For each text: its tokens,
the token steps of the scan, the median time of ``parse_rupiah`` and of the matcher's whole
normalisation (``normalize.raw_tokens``, which scans amounts too), and the token steps the
old scan took (it tried every start again after a run of number words that was not money).
Prints a table; writes JSON to bench-results/amounts.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.services import amounts, normalize  # noqa: E402

RESULTS = ROOT / "bench-results"
TEXTS = {
    "ordinary question": "penghasilan sy sehari 100rb, brp iurannya kalau ikut jht juga?",
    '"nem " x 1.024 (4.096 chars)': "nem " * 1024,
    '"dua puluh " x 409 (4.090 chars)': "dua puluh " * 409,
    '"a1" x 2.048 (4.096 chars, 4.096 tokens)': "a1" * 2048,
    '"nem " x 2.048 (8.192 chars)': "nem " * 2048,
}


def old_steps(text: str) -> int:
    """Token steps of the scan before the fix: after a non-amount, the next token again."""
    tokens, steps, i = amounts._tokens(text), 0, 0
    while i < len(tokens):
        value, last, stop = amounts._read_amount(tokens, i)
        steps += stop - i + 1
        i = last + 1 if value is not None else i + 1
    return steps


def median_ms(function, text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function(text)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    normalize.default_lexicon()  # load the lexicon outside the timing
    rows = []
    for name, text in TEXTS.items():
        work = amounts.ScanWork()
        found = [str(m.value) for m in amounts.iter_amounts(text, work)]
        rows.append({
            "text": name, "chars": len(text), "tokens": work.tokens, "steps": work.steps,
            "old_steps": old_steps(text), "amounts": found[:3],
            "parse_rupiah_ms": round(median_ms(amounts.parse_rupiah, text, args.runs), 2),
            "normalize_ms": round(median_ms(normalize.raw_tokens, text, args.runs), 2),
        })
    header = f"{'text':44} {'chars':>6} {'tokens':>6} {'steps':>6} {'old steps':>9} " \
             f"{'parse ms':>9} {'normalise ms':>12}"
    print(header)
    for row in rows:
        print(f"{row['text']:44} {row['chars']:>6} {row['tokens']:>6} {row['steps']:>6} "
              f"{row['old_steps']:>9} {row['parse_rupiah_ms']:>9} {row['normalize_ms']:>12}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "amounts.json").write_text(json.dumps(
        {"runs": args.runs, "rows": rows}, indent=2, default=lambda v: str(Decimal(v))))


if __name__ == "__main__":
    main()
