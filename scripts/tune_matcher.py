"""Sweep the matcher's thresholds on the DEV splits and print the best settings.

Usage: python scripts/tune_matcher.py [--kb PATH] [--top 15] [--wrong-cost 4] [--weights]

Tunes on the dev splits (tests/faq/eval/dev.yaml and dev2.yaml, together) only and shows
the legacy set beside it as a regression check; it never reads the test split (run
`python -m bot kb eval --split test` once, at the end, for the figures). Each setting is
scored as right - wrong_cost x wrong (in scope), and
settings that handle fewer than 96 % of out-of-scope and small-talk messages are dropped.
Scores per message are cached, so the thresholds grid runs in about a minute; --weights also
rebuilds the index for the char/word and best/all-phrasings weights and the classifier's
smoothing.
Prefer a point in the middle of a plateau to the single best row: dev is small.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.cli.evaluate import SPLITS  # noqa: E402
from bot.knowledge.loader import DEFAULT_FAQ_PATH, load_knowledge  # noqa: E402
from bot.services import matching, tfidf  # noqa: E402
from bot.services.decision import decide  # noqa: E402
from bot.services.evaluation import EvalItem, SplitReport, evaluate, load_items  # noqa: E402
from bot.services.matching import Matcher, Thresholds  # noqa: E402

GRID = {
    "answer": (0.40, 0.45, 0.50),
    "margin": (0.03, 0.05, 0.08),
    "sure": (0.62, 0.70),
    "agreed": (0.30, 0.35, 0.40, 1.0),  # 1.0: no answers on agreement
    "agreed_margin": (1.0, 2.0, 3.0, 4.0, 5.0),
}
WEIGHTS = {"CHAR_WEIGHT": (0.5, 0.6, 0.7), "BEST_WEIGHT": (0.4, 0.5, 0.6),
           "CLASSIFIER_ALPHA": (0.003, 0.01, 0.03)}
MIN_HANDLED = 0.96


def cached(matcher: Matcher) -> Matcher:
    """The matcher with its per-message scores memoised (thresholds do not change them)."""
    memo: dict[tuple[str, ...], object] = {}
    original = matcher._scores  # noqa: SLF001 - a tuning tool

    def scores(words: tuple[str, ...]):  # type: ignore[no-untyped-def]
        if words not in memo:
            memo[words] = original(words)
        return memo[words]

    matcher._scores = scores  # type: ignore[method-assign]  # noqa: SLF001
    return matcher


def figures(report: SplitReport) -> tuple[float, float, float, float]:
    handled = report.out_of_scope_handled + report.small_talk_handled
    return (report.right / report.in_scope, report.wrong / report.in_scope,
            report.shown / report.in_scope, handled / (report.out_of_scope + report.small_talk))


def sweep(matcher: Matcher, dev: list[EvalItem], legacy: list[EvalItem],
          wrong_cost: float) -> list[tuple[float, str, tuple, tuple]]:
    topics = {entry.id: entry.topic for entry in matcher.kb.entries}
    rows = []
    for values in itertools.product(*GRID.values()):
        matcher.thresholds = replace(Thresholds(), **dict(zip(GRID, values, strict=True)))
        d = figures(evaluate("dev", dev, lambda t: decide(matcher, t), topics))
        if d[3] < MIN_HANDLED:
            continue
        legacy_figures = figures(evaluate("legacy", legacy, lambda t: decide(matcher, t), topics))
        label = " ".join(f"{k}={v}" for k, v in zip(GRID, values, strict=True))
        rows.append((d[0] - wrong_cost * d[1], label, d, legacy_figures))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=DEFAULT_FAQ_PATH)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--wrong-cost", type=float, default=4.0)
    parser.add_argument("--weights", action="store_true", help="also sweep the index weights")
    args = parser.parse_args()
    kb = load_knowledge(args.kb)
    dev = load_items(SPLITS["dev"]) + load_items(SPLITS["dev2"])
    legacy = load_items(SPLITS["legacy"])
    builds = [dict(zip(WEIGHTS, v, strict=True)) for v in itertools.product(*WEIGHTS.values())] \
        if args.weights else [{}]
    rows = []
    for build in builds:
        for name, value in build.items():
            setattr(tfidf if name == "CLASSIFIER_ALPHA" else matching, name, value)
        prefix = " ".join(f"{k}={v}" for k, v in build.items())
        rows += [(score, f"{prefix} {label}".strip(), d, leg)
                 for score, label, d, leg in sweep(cached(Matcher.build(kb)), dev, legacy,
                                                   args.wrong_cost)]
    rows.sort(key=lambda row: -row[0])
    print("right wrong shown handled (dev) | legacy | setting")
    for _, label, d, leg in rows[: args.top]:
        print(" ".join(f"{x:5.1%}" for x in d), "|", " ".join(f"{x:5.1%}" for x in leg), "|",
              label)


if __name__ == "__main__":
    main()
