"""The bot's decision (``decide``, the matcher behind it) answers the right entry, admits when
it does not know, and never answers a BPJS Kesehatan or off-topic question with confident
BPJS Ketenagakerjaan facts. Figures on tests/faq/eval_set.yaml (the legacy set, tuned on
before); the held-out sets are measured with ``python -m bot kb eval``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli.evaluate import SPLITS
from bot.knowledge.loader import load_knowledge
from bot.services.decision import Decision, decide
from bot.services.evaluation import evaluate, load_items
from bot.services.matching import Matcher, is_contribution_question

EVAL_PATH = Path(__file__).with_name("eval_set.yaml")


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.build(load_knowledge())


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return yaml.safe_load(EVAL_PATH.read_text(encoding="utf-8"))["items"]


def _first(decision: Decision) -> str | None:
    return decision.shown[0] if decision.shown else None


def test_eval_set_is_large_labelled_and_independent_of_the_kb(items: list[dict]) -> None:
    kb = load_knowledge()
    phrasings = {q.casefold().strip() for entry in kb.entries for q in entry.questions}
    assert len(items) >= 250
    assert sum(item["expected"] is None for item in items) >= 50
    assert all(item["expected"] is None or item["expected"] in kb for item in items)
    assert [i["text"] for i in items if i["text"].casefold().strip() in phrasings] == []


def test_in_scope_accuracy(matcher: Matcher, items: list[dict]) -> None:
    in_scope = [item for item in items if item["expected"]]
    top1_misses, shown_misses = [], []
    for item in in_scope:
        result = decide(matcher, item["text"])
        line = (f"{item['text']!r}: expected {item['expected']}, got {result.action} "
                f"{result.entry_id or list(result.candidates)} ({result.confidence:.2f})")
        accepted = {item["expected"], *item.get("also", ())}
        if _first(result) not in accepted:
            top1_misses.append(line)
        if not accepted & set(result.shown):
            shown_misses.append(line)
    top1 = 1 - len(top1_misses) / len(in_scope)
    shown = 1 - len(shown_misses) / len(in_scope)
    report = "\n".join(top1_misses)
    # Legacy set, labelled when the knowledge base had 48 entries (docs/BENCHMARK-matcher.md):
    # with 93 entries it stands at 92,5 % / 96,9 %; these bounds catch a regression.
    assert top1 >= 0.88, f"top-1 {top1:.1%} on {len(in_scope)} messages; misses:\n{report}"
    assert shown >= 0.96, f"shown {shown:.1%}; misses:\n" + "\n".join(shown_misses)


def test_wrong_confident_answers_are_rare(matcher: Matcher, items: list[dict]) -> None:
    wrong = [f"{i['text']!r} -> {r.entry_id} (expected {i['expected']})"
             for i in items if i["expected"]
             for r in [decide(matcher, i["text"])]
             if r.confident and r.entry_id != i["expected"]]
    assert len(wrong) <= 0.05 * len(items), "\n".join(wrong)


def test_out_of_scope_is_not_answered_confidently(matcher: Matcher, items: list[dict]) -> None:
    out = [item for item in items if item["expected"] is None]
    answered = [f"{i['text']!r} -> {r.entry_id} ({r.confidence:.2f})"
                for i in out for r in [decide(matcher, i["text"])] if r.confident]
    rate = 1 - len(answered) / len(out)
    assert rate >= 0.90, f"{rate:.1%} not answered; confidently answered:\n" + "\n".join(answered)


@pytest.mark.parametrize("text", [
    "iuran bpjs kesehatan kelas 1 berapa",
    "rawat inap pakai kis bisa?",
    "faskes saya di puskesmas mana",
    "BPJS Kesehatan saya nunggak, dendanya berapa?",
])
def test_health_questions_get_the_redirect_not_jkk_figures(matcher: Matcher, text: str) -> None:
    result = decide(matcher, text)
    assert (result.action, result.entry_id) == ("answer", "beda_kesehatan")
    answer = load_knowledge().get("beda_kesehatan").answer["id"]
    assert "48 ×" not in answer and "STMB" not in answer


def test_work_accident_treatment_is_not_sent_to_bpjs_kesehatan(matcher: Matcher) -> None:
    result = decide(matcher, "kecelakaan kerja di pabrik, biaya rumah sakit ditanggung apa")
    assert _first(result) in {"manfaat_jkk", "jkk_perjalanan", "berobat_sakit"}
    assert result.entry_id != "beda_kesehatan"


@pytest.mark.parametrize("text", ["asdfghjkl", "zzzzzz", "🙏", "", "   ", "123", "?!?!"])
def test_gibberish_is_not_matched(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).outcome == "none"
    assert decide(matcher, text).action == ("small_talk" if text == "🙏" else "none")


@pytest.mark.parametrize("text", ["halo min", "terima kasih banyak", "matur suwun", "oke siap"])
def test_small_talk_is_not_answered(matcher: Matcher, text: str) -> None:
    result = matcher.match(text)
    assert (result.outcome, result.reason) == ("none", "small_talk")
    assert decide(matcher, text).action == "small_talk"


@pytest.mark.parametrize("text", ["mau pinjam uang 2 juta", "bansos kapan cair", "daftar cpns"])
def test_other_services_are_out_of_scope(matcher: Matcher, text: str) -> None:
    assert decide(matcher, text).action == "none"


def test_amount_questions_route_to_the_calculator(matcher: Matcher) -> None:
    assert is_contribution_question("penghasilan 2 juta iurannya berapa")
    assert is_contribution_question("kalau 2,5jt brp")
    assert not is_contribution_question("iuran bpjs tk berapa")  # no amount: FAQ
    assert not is_contribution_question("saldo jht 5 juta bisa klaim di jmo?")
    assert not is_contribution_question("bayar 16.800 dapat apa")  # a fee, not an income
    assert not is_contribution_question("NIK 3509123456789012 iurannya berapa")
    assert decide(matcher, "gaji sebulan 1,5 jt iuran brp").action == "calculator"


def test_an_ambiguous_message_offers_up_to_three_candidates(matcher: Matcher) -> None:
    result = decide(matcher, "jht")
    assert result.action in {"suggest", "answer"}
    assert 1 <= len(result.candidates) <= 3
    assert all(c.startswith(("jht", "cek_saldo", "klaim")) for c in result.candidates[:1])


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_match_never_raises_and_stays_in_bounds(matcher: Matcher, text: str) -> None:
    result = matcher.match(text)
    assert result.outcome in {"answer", "suggest", "none"}
    assert 0.0 <= result.confidence <= 1.0
    assert len(result.candidates) <= 3
    assert (result.entry_id is not None) == (result.outcome == "answer")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_decide_never_raises_and_is_consistent(matcher: Matcher, text: str) -> None:
    result = decide(matcher, text)
    assert 0.0 <= result.confidence <= 1.0
    assert len(result.candidates) <= 3
    assert result.confident == (result.action in {"answer", "calculator"})
    assert (result.small_talk is not None) == (result.action == "small_talk")
    assert result.extra is None or (result.action == "answer" and result.extra != result.entry_id)


def test_dev_split_figures_hold(matcher: Matcher) -> None:
    """The figures the thresholds were tuned to on the dev split (docs/BENCHMARK-matcher.md).
    When new entries or phrasings move them, re-tune (scripts/tune_matcher.py) rather than
    lowering these: a confident wrong answer is the worst outcome."""
    topics = {entry.id: entry.topic for entry in matcher.kb.entries}
    report = evaluate("dev", load_items(SPLITS["dev"]), lambda t: decide(matcher, t), topics)
    handled = report.out_of_scope_handled + report.small_talk_handled
    assert report.wrong <= 0.02 * report.in_scope, report.top_confusions()
    assert report.shown >= 0.95 * report.in_scope
    assert report.right >= 0.70 * report.in_scope
    assert handled >= 0.96 * (report.out_of_scope + report.small_talk)
    assert report.small_talk_handled == report.small_talk
