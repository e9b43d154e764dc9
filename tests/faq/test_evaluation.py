"""The evaluation counts right, wrong, shown, out of scope, small talk and missing labels as
its docstring says, on a tiny synthetic set with decisions fixed in advance."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.cli import evaluate as evaluate_cli
from bot.cli.evaluate import pct, render
from bot.services.decision import Decision
from bot.services.evaluation import EvalItem, SplitReport, evaluate, load_items

TOPICS = {"jht_cair": "jht", "jht_sebagian": "jht", "iuran_bpu": "iuran",
          "hitung_iuran": "iuran", "beda_kesehatan": "kesehatan"}

DECISIONS = {
    # in scope
    "right": Decision("answer", entry_id="jht_cair"),
    "right via also": Decision("answer", entry_id="jht_sebagian"),
    "wrong": Decision("answer", entry_id="jht_sebagian"),
    "wrong but extra right": Decision("answer", entry_id="jht_sebagian", extra="jht_cair"),
    "suggest with right": Decision("suggest", candidates=("jht_sebagian", "jht_cair")),
    "suggest without": Decision("suggest", candidates=("iuran_bpu",)),
    "not understood": Decision("none"),
    "calculator": Decision("calculator", entry_id="hitung_iuran"),
    # out of scope
    "loan answered": Decision("answer", entry_id="iuran_bpu"),
    "loan refused": Decision("none", reason="out_of_scope"),
    "health redirect": Decision("answer", entry_id="beda_kesehatan", reason="kesehatan"),
    "loan suggested": Decision("suggest", candidates=("iuran_bpu",)),
    # small talk
    "halo": Decision("small_talk", small_talk="greeting"),
    "makasih": Decision("small_talk", small_talk="greeting"),  # recognised, kind wrong
    "siap": Decision("answer", entry_id="iuran_bpu"),
    # labels not in the knowledge base
    "missing answered": Decision("answer", entry_id="iuran_bpu"),
    "missing refused": Decision("none"),
}

ITEMS = [
    EvalItem("right", "jht_cair"),
    EvalItem("right via also", "jht_cair", ("jht_sebagian",)),
    EvalItem("wrong", "jht_cair"),
    EvalItem("wrong but extra right", "jht_cair"),
    EvalItem("suggest with right", "jht_cair"),
    EvalItem("suggest without", "jht_cair"),
    EvalItem("not understood", "jht_cair"),
    EvalItem("calculator", "hitung_iuran"),
    EvalItem("loan answered", None),
    EvalItem("loan refused", None),
    EvalItem("health redirect", None),
    EvalItem("loan suggested", None),
    EvalItem("halo", "sapaan"),
    EvalItem("makasih", "terima_kasih"),
    EvalItem("siap", "terima_kasih"),
    EvalItem("missing answered", "tunggakan_klaim"),
    EvalItem("missing refused", "jkk_laut", ("also_missing",)),
]


def report() -> SplitReport:
    return evaluate("synthetic", ITEMS, DECISIONS.__getitem__, TOPICS)


def test_in_scope_figures() -> None:
    r = report()
    assert (r.items, r.in_scope) == (17, 8)
    assert (r.right, r.wrong) == (3, 2)  # right, right via also, calculator
    assert r.shown == 5  # + wrong-but-extra-right, suggest-with-right
    assert (r.suggested, r.not_understood) == (2, 1)


def test_topics_and_confusions() -> None:
    r = report()
    assert (r.topics["jht"].in_scope, r.topics["jht"].right, r.topics["jht"].wrong) == (7, 2, 2)
    assert (r.topics["iuran"].in_scope, r.topics["iuran"].right) == (1, 1)
    assert r.top_confusions() == [(("jht_sebagian", "jht_cair"), 2)]


def test_out_of_scope_health_redirect_counts_as_handled() -> None:
    r = report()
    assert (r.out_of_scope, r.out_of_scope_handled, r.health_redirects) == (4, 3, 1)


def test_small_talk_is_handled_when_recognised() -> None:
    r = report()
    assert (r.small_talk, r.small_talk_handled, r.small_talk_kind_right) == (3, 2, 1)


def test_missing_labels_are_counted_apart() -> None:
    r = report()
    assert (r.missing, r.missing_answered) == (2, 1)
    assert r.missing_labels == {"tunggakan_klaim": 1, "jkk_laut": 1}
    assert "missing answered" not in {item.text for item, _ in r.misses}


def test_render_prints_percentages_with_a_decimal_comma() -> None:
    assert pct(1, 8) == "12,5 %" and pct(0, 0) == "-"
    text = render(report())
    assert "answered WRONG:                    2  25,0 %" in text
    assert "1 x" not in text and "2 x jht_sebagian <- jht_cair" in text
    assert "labels not in the knowledge base: 2 messages, 2 ids" in text


def test_load_items_reads_labels_and_also(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text("items:\n  - {expected: jht_cair, also: [jht_sebagian], text: 'jht?'}\n"
                    "  - {expected: null, text: pinjol}\n", encoding="utf-8")
    assert load_items(path) == [EvalItem("jht?", "jht_cair", ("jht_sebagian",)),
                                EvalItem("pinjol", None)]


def test_cli_prints_figures_and_never_the_held_out_messages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    held_out = tmp_path / "test.yaml"
    held_out.write_text("items:\n  - {expected: jht_cair, text: 'zebra kuda nil jerapah'}\n"
                        "  - {expected: null, text: 'pinjol kilat'}\n", encoding="utf-8")
    monkeypatch.setitem(evaluate_cli.SPLITS, "test", held_out)
    assert main(["kb", "eval", "--split", "test", "--misses"]) == 0
    out = capsys.readouterr().out
    assert "== test: 2 messages ==" in out and "in scope (entry exists): 1" in out
    assert "zebra" not in out and "pinjol" not in out
    monkeypatch.setitem(evaluate_cli.SPLITS, "dev", held_out)
    assert main(["kb", "eval", "--split", "dev", "--misses"]) == 0
    assert "zebra kuda nil jerapah" in capsys.readouterr().out  # dev misses are listed
