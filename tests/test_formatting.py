"""Numbers, money and dates the Indonesian way, through Babel."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.i18n import number, percent, rupiah, tanggal, tanggal_jam


def test_indonesian_formats() -> None:
    assert number(29000) == "29.000"
    assert rupiah(16800) == "Rp16.800"
    assert rupiah(Decimal("1500000")) == "Rp1.500.000"
    assert tanggal(date(2026, 11, 23)) == "23 November 2026"
    assert tanggal(date(2026, 3, 17)) == "17 Maret 2026"
    assert percent(0.1234) == "12,3%"
    moment = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert tanggal_jam(moment, ZoneInfo("Asia/Jakarta")) == "23 November 2026, 16.30"


def test_english_keeps_indonesian_money_and_grouping() -> None:
    assert number(29000, "en") == "29.000"
    assert rupiah(16800, "en") == "Rp16.800"
    assert tanggal(date(2026, 3, 17), "en") == "17 March 2026"
