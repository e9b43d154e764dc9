"""The FAQ knowledge base loads, carries sources, and a broken file fails loudly."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.knowledge.loader import (
    DEFAULT_FAQ_PATH,
    MAX_ANSWER_CHARS,
    KnowledgeError,
    check_knowledge,
    html_problems,
    load_knowledge,
)

REQUIRED_TOPICS = {"umum", "program", "iuran", "manfaat", "jht", "jp", "jkp", "daftar", "bayar",
                   "klaim", "kontak", "data", "kesehatan", "perisai", "serikat"}


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_FAQ_PATH.read_text(encoding="utf-8"))


def test_shipped_knowledge_base_loads_with_enough_entries() -> None:
    kb = load_knowledge()
    assert len(kb.entries) >= 40
    assert {entry.topic for entry in kb.entries} >= REQUIRED_TOPICS
    assert "OK, " in check_knowledge()


def test_every_entry_has_source_review_date_and_both_languages() -> None:
    for entry in load_knowledge().entries:
        assert entry.source.strip(), entry.id
        assert isinstance(entry.reviewed, dt.date), entry.id
        assert len(entry.questions) >= 6, entry.id
        assert set(entry.answer) == set(entry.title) == {"id", "en"}, entry.id
        assert all(len(title) <= 40 for title in entry.title.values()), entry.id
        assert len(entry.related) <= 3, entry.id


def test_answers_fit_telegram_and_use_only_allowed_html() -> None:
    for entry in load_knowledge().entries:
        for lang, text in entry.answer.items():
            rendered = f"<b>{entry.title[lang]}</b>\n\n{text}\n\n<i>{entry.source}</i>"
            assert len(rendered) < 4096, entry.id
            assert html_problems(text) == [], (entry.id, lang)
            assert "<br" not in text, entry.id


def test_answers_with_figures_name_their_regulation_in_source() -> None:
    for entry in load_knowledge().entries:
        for text in entry.answer.values():
            if re.search(r"Rp\s?\d|\d\s?%", text):
                assert entry.has_figures, entry.id
                assert re.search(r"\b(PP|UU|Perpres|Permenaker|Perdir)\b", entry.source), entry.id


def test_answers_start_bold_and_name_no_regulation_number() -> None:
    regulation = re.compile(r"\b(PP|UU|Perpres|Permenaker|Perdir)\b[^\n;:()]{0,40}?\d+\s*/")
    for entry in load_knowledge().entries:
        for lang, text in entry.answer.items():
            first_line = text.split("\n", 1)[0]
            assert first_line.startswith("<b>") and "</b>" in first_line, (entry.id, lang)
            assert not regulation.search(text), (entry.id, lang, regulation.search(text))


# Entries on the changing items of §9 of the facts sheet (JP wage cap and pension age, JKP,
# BPU bands, JMO claim ceiling, payment and registration channels, PMI contribution,
# scholarship, PERISAI incentives) end with where to find the latest figures.
LATEST = {"id": "Info terbaru: 175 atau www.bpjsketenagakerjaan.go.id.",
          "en": "Latest information: 175 or www.bpjsketenagakerjaan.go.id."}
CHANGING = ("iuran_bpu", "hitung_iuran", "iuran_pu", "pekerja_migran", "beasiswa_anak",
            "jp_syarat", "jp_usia", "jkp_syarat", "jkp_manfaat", "daftar_bpu", "bayar_iuran",
            "klaim_jht", "perisai_agen", "jkp_bangkrut", "jkp_vs_jp", "bayar_ewallet",
            "bayar_minimarket", "bayar_dimuka", "klaim_jht_jmo", "info_lama", "kisaran_iuran",
            "iuran_jkk_risiko", "batas_upah_jp", "iuran_jkp", "jp_manfaat", "jkp_batas")


def test_changing_figures_end_with_where_to_find_the_latest() -> None:
    kb = load_knowledge()
    for entry_id in CHANGING:
        for lang, line in LATEST.items():
            assert kb.get(entry_id).answer[lang].rstrip().endswith(line), (entry_id, lang)


def test_answers_follow_the_safe_phrasing_rules() -> None:
    for entry in load_knowledge().entries:
        for text in entry.answer.values():
            assert "pasti cair" not in text.lower(), entry.id
            # the only phone number the bot may give is call centre 175
            assert not re.search(r"(?<![\d/.])(\+62|0)\d{2,3}[\s-]?\d{3,4}[\s-]?\d{2,4}", text)


def test_required_special_entries_exist() -> None:
    kb = load_knowledge()
    for entry_id in ("beda_kesehatan", "hitung_iuran", "daftar_serikat", "data_pribadi",
                     "hapus_data", "kontak", "perisai"):
        assert entry_id in kb
    assert "/kontak" in kb.get("kontak").answer["id"]
    assert "/hapusdata" in kb.get("hapus_data").answer["id"]
    assert "UU 27/2022" in kb.get("data_pribadi").source
    assert "Pelindungan Data Pribadi" in kb.get("data_pribadi").answer["id"]
    assert "hanya" in kb.get("beda_kesehatan").answer["id"]


def test_knowledge_base_is_immutable_and_reload_returns_a_new_object() -> None:
    first, second = load_knowledge(), load_knowledge()
    assert first is not second and first.entries == second.entries
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.entries[0].id = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        first.entries[0].answer["id"] = "changed"  # type: ignore[index]


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "broken-faq.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _break(entry: dict[str, Any], how: str) -> None:
    match how:
        case "no_source":
            del entry["source"]
        case "no_reviewed":
            del entry["reviewed"]
        case "no_english":
            del entry["answer"]["en"]
        case "few_questions":
            entry["questions"] = entry["questions"][:5]
        case "unknown_related":
            entry["related"] = ["no_such_entry"]
        case "too_long":
            entry["answer"]["id"] = "x" * (MAX_ANSWER_CHARS + 1)
        case "bad_tag":
            entry["answer"]["id"] += "<br>"
        case "unclosed_tag":
            entry["answer"]["id"] += "<b>tebal"
        case "figures_without_per":
            entry["has_figures"] = True
            entry["source"] = "S47, S48 (bpjstk-facts.md)"
            entry["answer"]["id"] = "Iurannya Rp16.800."
        case "figures_not_flagged":
            entry["has_figures"] = False
            entry["answer"]["en"] += " It costs 2% of income."
        case "bad_topic":
            entry["topic"] = "lotre"
        case "regulation_in_body":
            entry["answer"]["en"] += "\n\nAs set by PP 82/2019."
        case "not_bold_first":
            entry["answer"]["id"] = "Jawabannya: <b>ya</b>.\n\n" + entry["answer"]["id"]


BREAKS = {
    "no_source": "missing source",
    "no_reviewed": "missing reviewed",
    "no_english": "missing answer in language 'en'",
    "few_questions": "at least 6 questions",
    "unknown_related": "related id 'no_such_entry' does not exist",
    "too_long": "too long",
    "bad_tag": "tag <br> is not allowed",
    "unclosed_tag": "never closed",
    "figures_without_per": "names no regulation",
    "figures_not_flagged": "set has_figures",
    "bad_topic": "topic 'lotre'",
    "regulation_in_body": "answer 'en' names a regulation number ('PP 82/2019')",
    "not_bold_first": "answer 'id' must start with the answer in one bold line",
}


@pytest.mark.parametrize("how", sorted(BREAKS))
def test_broken_entry_is_rejected_naming_file_entry_and_problem(
    tmp_path: Path, raw: dict[str, Any], how: str
) -> None:
    data = copy.deepcopy(raw)
    victim = data["entries"][5]
    _break(victim, how)
    path = _write(tmp_path, data)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(path)
    message = str(caught.value)
    assert "broken-faq.yaml" in message
    assert f"entry '{victim['id']}'" in message
    assert BREAKS[how] in message


def test_duplicate_id_is_rejected(tmp_path: Path, raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["entries"].append(copy.deepcopy(data["entries"][0]))
    with pytest.raises(KnowledgeError, match=rf"entry '{data['entries'][0]['id']}': duplicate"):
        load_knowledge(_write(tmp_path, data))


def test_every_problem_is_reported_at_once(tmp_path: Path, raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    _break(data["entries"][1], "no_source")
    _break(data["entries"][2], "few_questions")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(_write(tmp_path, data))
    assert len(caught.value.problems) == 2


def test_unreadable_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text("entries: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="faq.yaml"):
        load_knowledge(path)
    with pytest.raises(KnowledgeError, match="missing.yaml"):
        load_knowledge(tmp_path / "missing.yaml")
