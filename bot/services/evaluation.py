"""Counts how the bot's decisions compare with a labelled evaluation set.

An item is a message and its label: an entry id, ``None`` (out of scope), ``sapaan``
(greeting) or ``terima_kasih`` (thanks, ok, siap); ``also`` lists a second acceptable entry
or a second question's entry. Pure: the caller passes the decisions (``decide`` from
``bot.services.decision``) and the knowledge base's entry ids and topics.

Rules of the count:
- right: the bot answered confidently (an entry, or the calculator for ``hitung_iuran``) with
  the label or an ``also`` entry; wrong: it answered confidently with anything else;
- shown: the label or an ``also`` entry is the answer, its extra button, or a candidate of
  "Maksud Anda ...?";
- out of scope handled: a ``None`` label not answered confidently, except that the BPJS
  Kesehatan redirects (``beda_kesehatan`` "this bot only serves BPJS Ketenagakerjaan",
  ``berobat_sakit`` "everyday illness is BPJS Kesehatan's"; no figures in either) are the
  intended handling of a health question and count as handled;
- small talk handled: a ``sapaan`` / ``terima_kasih`` label that the bot took for small talk;
- missing: a label none of whose entries exists in the knowledge base is counted apart (the
  entry is still being written) and enters no other figure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.services.decision import Decision
from bot.services.matching import HEALTH_REDIRECTS

SMALL_TALK_LABELS = frozenset({"sapaan", "terima_kasih"})
TOP_CONFUSIONS = 10


@dataclass(frozen=True)
class EvalItem:
    text: str
    expected: str | None
    also: tuple[str, ...] = ()


@dataclass
class TopicFigures:
    in_scope: int = 0
    right: int = 0
    wrong: int = 0
    shown: int = 0


@dataclass
class SplitReport:
    """The counts for one evaluation file."""

    name: str
    items: int = 0
    in_scope: int = 0
    right: int = 0
    wrong: int = 0
    shown: int = 0  # right, or the right entry among the buttons
    suggested: int = 0  # "Maksud Anda ...?" (right among them or not)
    not_understood: int = 0  # in scope, but "none" or taken for small talk
    out_of_scope: int = 0
    out_of_scope_handled: int = 0
    health_redirects: int = 0  # out of scope answered with the BPJS Kesehatan redirect
    small_talk: int = 0
    small_talk_handled: int = 0
    small_talk_kind_right: int = 0  # greeting for sapaan, thanks for terima_kasih
    missing: int = 0  # labels whose entries are not in the knowledge base
    missing_answered: int = 0  # ... that the bot answered confidently all the same
    missing_labels: Counter[str] = field(default_factory=Counter)
    topics: dict[str, TopicFigures] = field(default_factory=dict)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (answered, meant)
    misses: list[tuple[EvalItem, Decision]] = field(default_factory=list)

    def top_confusions(self, limit: int = TOP_CONFUSIONS) -> list[tuple[tuple[str, str], int]]:
        return sorted(self.confusions.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def load_items(path: Path) -> list[EvalItem]:
    """Reads an evaluation file (``items: [{text, expected, also?}]``)."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [EvalItem(str(raw["text"]), raw.get("expected"), tuple(raw.get("also") or ()))
            for raw in data["items"]]


def answered_entry(decision: Decision) -> str | None:
    """The entry the bot answered with confidently (the calculator is its entry), or None."""
    return decision.entry_id if decision.confident else None


def evaluate(
    name: str, items: Iterable[EvalItem], decide: Callable[[str], Decision],
    topics: Mapping[str, str],
) -> SplitReport:
    """Runs ``decide`` on every item and counts; ``topics`` maps the KB's entry ids to topics."""
    report = SplitReport(name)
    for item in items:
        report.items += 1
        _count(report, item, decide(item.text), topics)
    return report


def _count(report: SplitReport, item: EvalItem, decision: Decision,
           topics: Mapping[str, str]) -> None:
    answered = answered_entry(decision)
    if item.expected in SMALL_TALK_LABELS:
        report.small_talk += 1
        if decision.action == "small_talk":
            report.small_talk_handled += 1
            kind = "greeting" if item.expected == "sapaan" else "thanks"
            report.small_talk_kind_right += decision.small_talk == kind
        else:
            report.misses.append((item, decision))
        return
    if item.expected is None:
        report.out_of_scope += 1
        redirect = answered in HEALTH_REDIRECTS
        report.health_redirects += redirect
        if answered is None or redirect:
            report.out_of_scope_handled += 1
        else:
            report.misses.append((item, decision))
        return
    acceptable = [e for e in (item.expected, *item.also) if e in topics]
    if not acceptable:
        report.missing += 1
        report.missing_answered += answered is not None
        report.missing_labels[item.expected] += 1
        return
    meant = acceptable[0]
    topic = report.topics.setdefault(topics[meant], TopicFigures())
    right = answered in acceptable
    wrong = answered is not None and not right
    shown = right or any(e in acceptable for e in decision.shown)
    report.in_scope += 1
    topic.in_scope += 1
    report.right += right
    topic.right += right
    report.wrong += wrong
    topic.wrong += wrong
    report.shown += shown
    topic.shown += shown
    report.suggested += decision.action == "suggest"
    report.not_understood += decision.action in ("none", "small_talk")
    if wrong:
        report.confusions[(str(answered), meant)] += 1
    if not right:
        report.misses.append((item, decision))
