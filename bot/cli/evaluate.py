"""`python -m bot kb eval [--split dev|dev2|test|legacy|all] [--kb PATH] [--misses]`.

Runs the bot's decision (``bot.services.decision.decide``) on the labelled evaluation sets
and prints the figures of each. Tune on ``dev`` only: ``test`` is run once, at the end, for
the figures; ``--misses`` (the messages the bot got wrong) is refused for it, so that nobody
tunes on its messages by looking at them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.knowledge.loader import DEFAULT_FAQ_PATH, load_knowledge
from bot.services.decision import decide
from bot.services.evaluation import SplitReport, evaluate, load_items
from bot.services.matching import Matcher

ROOT = Path(__file__).resolve().parents[2]
SPLITS = {
    "dev": ROOT / "tests" / "faq" / "eval" / "dev.yaml",
    # a second dev batch, written from the topic list only; measured once before tuning
    "dev2": ROOT / "tests" / "faq" / "eval" / "dev2.yaml",
    "test": ROOT / "tests" / "faq" / "eval" / "test.yaml",
    "legacy": ROOT / "tests" / "faq" / "eval_set.yaml",
}
HIDDEN = frozenset({"test"})  # splits whose messages are never printed


def add_eval_parser(kb_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = kb_commands.add_parser("eval", help="measure the answers on the evaluation sets")
    run.add_argument("--split", choices=[*SPLITS, "all"], default="dev",
                     help="dev or dev2 (tune on them; dev is the default), test (held out), "
                          "legacy, or all")
    run.add_argument("--kb", type=Path, default=None,
                     help="knowledge base file (default: KNOWLEDGE_PATH or the shipped one)")
    run.add_argument("--misses", action="store_true",
                     help="also list the messages not answered right (never for test)")


def run_eval(split: str, kb_path: Path | None, misses: bool = False) -> int:
    kb = load_knowledge(kb_path or DEFAULT_FAQ_PATH)
    matcher = Matcher.build(kb)
    topics = {entry.id: entry.topic for entry in kb.entries}
    names = list(SPLITS) if split == "all" else [split]
    print(f"Knowledge base: {kb.path} ({len(kb.entries)} entries)")
    for name in names:
        report = evaluate(name, load_items(SPLITS[name]), lambda t: decide(matcher, t), topics)
        print()
        print(render(report))
        if misses and name not in HIDDEN:
            print(render_misses(report))
    return 0


def pct(part: int, whole: int) -> str:
    """12,3 % (Indonesian decimal comma, as the README writes figures); "-" for 0 of 0."""
    return f"{100 * part / whole:.1f} %".replace(".", ",") if whole else "-"


def render(r: SplitReport) -> str:
    lines = [
        f"== {r.name}: {r.items} messages ==",
        f"in scope (entry exists): {r.in_scope}",
        f"  answered right:                 {r.right:4d}  {pct(r.right, r.in_scope)}",
        f"  answered WRONG:                 {r.wrong:4d}  {pct(r.wrong, r.in_scope)}",
        f"  right or among shown buttons:   {r.shown:4d}  {pct(r.shown, r.in_scope)}",
        f"  'Maksud Anda ...?':             {r.suggested:4d}  {pct(r.suggested, r.in_scope)}",
        f"  not understood:                 {r.not_understood:4d}  "
        f"{pct(r.not_understood, r.in_scope)}",
        f"out of scope handled:             {r.out_of_scope_handled:4d} of {r.out_of_scope:<4d}"
        f"{pct(r.out_of_scope_handled, r.out_of_scope)}"
        f"  (of which BPJS Kesehatan redirect: {r.health_redirects})",
        f"small talk handled:               {r.small_talk_handled:4d} of {r.small_talk:<4d}"
        f"{pct(r.small_talk_handled, r.small_talk)}"
        f"  (greeting/thanks told apart: {r.small_talk_kind_right})",
        f"out of scope + small talk handled: "
        f"{pct(r.out_of_scope_handled + r.small_talk_handled, r.out_of_scope + r.small_talk)}",
        f"labels not in the knowledge base: {r.missing} messages, {len(r.missing_labels)} ids "
        f"(answered confidently anyway: {r.missing_answered})",
    ]
    if r.missing_labels:
        lines.append("  " + ", ".join(f"{k} {v}" for k, v in sorted(r.missing_labels.items())))
    lines += ["", "per topic            n   right   wrong   shown"]
    for topic, t in sorted(r.topics.items()):
        lines.append(f"  {topic:<14} {t.in_scope:4d}  {pct(t.right, t.in_scope):>7}"
                     f" {pct(t.wrong, t.in_scope):>7} {pct(t.shown, t.in_scope):>7}")
    lines += ["", "most frequent confusions (answered <- meant):"]
    lines += [f"  {n} x {answered} <- {meant}" for (answered, meant), n in r.top_confusions()]
    if not r.confusions:
        lines.append("  none")
    return "\n".join(lines)


def render_misses(r: SplitReport) -> str:
    lines = ["", f"-- {r.name}: messages not handled right --"]
    for item, d in r.misses:
        got = (d.small_talk if d.action == "small_talk" else
               d.entry_id if d.confident else list(d.candidates))
        extra = f" +{d.extra}" if d.extra else ""
        lines.append(f"[{item.expected}{'|' + ','.join(item.also) if item.also else ''}] "
                     f"{d.action}:{got}{extra} ({d.confidence:.2f} {d.reason})  {item.text!r}")
    return "\n".join(lines)
