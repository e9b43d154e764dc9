"""Learning from staff: the export for review, masking, and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot.__main__ import main
from bot.sandbox.fake_telegram import FakeTelegram
from bot.services import learning
from bot.services.learning import Draft, Phrasing
from db.models import LearnedPhrasing
from db.session import Sessions

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_export_groups_phrasings_by_entry_without_repeats() -> None:
    phrasings = [Phrasing("jht cair kapan", "jht_cair", 1, WHEN),
                 Phrasing("ojol bisa ikut", "ojol_platform", 1, WHEN),
                 Phrasing("jht bisa diambil", "jht_cair", 2, WHEN),
                 Phrasing("jht cair kapan", "jht_cair", 2, WHEN),
                 Phrasing("pinjol dong", None, 1, WHEN)]
    drafts = [Draft(3, "kartu saya [2026] hilang", "Datang ke kantor cabang.", 12, 1, WHEN)]
    text = learning.export_yaml(phrasings, drafts)
    assert text.startswith("#")  # says it is for review
    document = yaml.safe_load(text)
    assert document["phrasings"] == {"jht_cair": ["jht cair kapan", "jht bisa diambil"],
                                     "ojol_platform": ["ojol bisa ikut"]}
    assert list(document["phrasings"]) == ["jht_cair", "ojol_platform"]
    assert document["out_of_scope"] == ["pinjol dong"]
    assert document["drafts"] == [{"id": 3, "question": "kartu saya [2026] hilang",
                                   "answer": "Datang ke kantor cabang.", "ticket": 12,
                                   "saved": "2026-11-30"}]


def test_mask_hides_nik_and_phone_numbers() -> None:
    masked = learning.mask("nik  3509214508900001 wa +6281234567890 atau 081234567890 ok")
    assert masked == "nik […] wa […] atau […] ok"


async def test_phrasings_come_back_from_the_database(sessions: Sessions) -> None:
    async with sessions.begin() as session:
        session.add(LearnedPhrasing(text="a", entry_id="jht_cair", out_of_scope=False,
                                    created_by=9, created_at=WHEN))
        session.add(LearnedPhrasing(text="b", entry_id=None, out_of_scope=True,
                                    created_by=9, created_at=WHEN))
    found = await learning.phrasings(sessions)
    assert [(p.text, p.entry_id, p.out_of_scope) for p in found] == [
        ("a", "jht_cair", False), ("b", None, True)]


def test_cli_exports_phrasings_and_lists_drafts(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", FakeTelegram().token)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'live.db'}")
    assert main(["kb", "drafts"]) == 0
    assert "no drafts" in capsys.readouterr().out
    out = tmp_path / "learned.yaml"
    assert main(["kb", "export-phrasings", "--out", str(out)]) == 0
    assert yaml.safe_load(out.read_text()) == {"phrasings": {}, "out_of_scope": [],
                                               "drafts": []}
    assert out.stat().st_mode & 0o777 == 0o600
    assert main(["kb", "export-phrasings"]) == 0
    assert "phrasings: {}" in capsys.readouterr().out
