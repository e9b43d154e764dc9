"""Words for stored codes: one translated table, and texts built from the facts' values."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from bot.i18n import load_catalogs
from bot.services import contribution
from bot.services.enums import LeadStatus
from bot.services.leads import LeadView
from handlers import calculator
from handlers.labels import STATUS_LABELS, status_label
from handlers.lead_views import lead_text

CATALOGS = load_catalogs()


def test_every_status_has_a_label_in_both_languages() -> None:
    assert set(STATUS_LABELS) == set(LeadStatus)
    _id, en = CATALOGS.gettext("id"), CATALOGS.gettext("en")
    assert [status_label(s, _id) for s in LeadStatus] == [
        "Minat", "Dihubungi", "Terdaftar", "Tidak berminat"]
    assert status_label("tidak_berminat", en) == "Not interested"
    assert status_label("unknown", en) == "unknown"


def test_the_stored_data_shows_the_status_in_the_readers_language() -> None:
    view = LeadView(id=1, segment="BPU", full_name="Siti", nik_masked="••••1234",
                    phone="0812", occupation=None, kabupaten=None, kecamatan=None,
                    employer=None, programmes="jkk_jkm", income_band=None,
                    broadcast_opt_in=False, status="dihubungi",
                    created_at=datetime(2026, 12, 1, tzinfo=UTC), organizer=None)
    assert "<b>Contacted</b>" in lead_text(view, CATALOGS.gettext("en"))
    assert "<b>Dihubungi</b>" in lead_text(view, CATALOGS.gettext("id"))


def _context(language: str) -> Any:
    return SimpleNamespace(gettext=CATALOGS.gettext(language), language=language)


def test_the_calculator_states_the_rates_it_computes_with() -> None:
    text = calculator.result_text(Decimal(2_000_000), _context("id"))
    assert "kecelakaan kerja, 1%" in text and "pilihan, 2%" in text
    assert "JKK 1% dari penghasilan" in text and "JKM Rp6.800" in text


def test_a_changed_rate_changes_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contribution, "JKK_RATE", Decimal("0.015"))
    monkeypatch.setattr(contribution, "JKM_FLAT", Decimal(7200))
    text = calculator.result_text(Decimal(2_000_000), _context("en"))
    assert "work accident, 1,5%" in text and "JKK 1,5% of declared" in text
    assert "JKM Rp7.200 per" in text
