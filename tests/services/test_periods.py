"""Periods in words and union codes for /ekspor: "bulan ini spsi"."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot.services import codes, exports, periods
from tests.factories import NOW  # Monday 23 November 2026, 09.00 in Jember

TZ = ZoneInfo("Asia/Jakarta")


def said(*words: str) -> periods.SaidPeriod:
    result = periods.said_period(list(words), 0, now=NOW, tz=TZ)
    assert result is not None
    return result


@pytest.mark.parametrize(("words", "first", "last", "text"), [
    (("bulan", "ini"), date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
    (("Bulan", "Lalu"), date(2026, 10, 1), date(2026, 10, 31), "2026-10"),
    (("bln", "kemarin"), date(2026, 10, 1), date(2026, 10, 31), "2026-10"),
    (("minggu", "ini"), date(2026, 11, 23), date(2026, 11, 29), "2026-11-23--2026-11-29"),
    (("minggu", "lalu"), date(2026, 11, 16), date(2026, 11, 22), "2026-11-16--2026-11-22"),
    (("tahun", "ini"), date(2026, 1, 1), date(2026, 12, 31), "2026"),
    (("hari", "ini"), date(2026, 11, 23), date(2026, 11, 23), "2026-11-23"),
    (("kemarin",), date(2026, 11, 22), date(2026, 11, 22), "2026-11-22"),
    (("last", "month"), date(2026, 10, 1), date(2026, 10, 31), "2026-10"),
])
def test_periods_in_words(words: tuple[str, ...], first: date, last: date, text: str) -> None:
    result = said(*words)
    assert (result.period.first_day, result.period.last_day, result.text) == (first, last, text)
    assert result.words == len(words)


def test_last_month_in_january_is_december() -> None:
    january = NOW.replace(month=1, day=10)
    result = periods.said_period(["bulan", "lalu"], 0, now=january, tz=TZ)
    assert result is not None and result.text == "2025-12"


def test_no_phrase_is_none() -> None:
    assert periods.said_period(["spsi", "bulan"], 0, now=NOW, tz=TZ) is None
    assert periods.said_period(["bulan"], 0, now=NOW, tz=TZ) is None


def test_export_arguments_with_a_period_in_words() -> None:
    parsed = exports.parse_export_args(["bulan", "ini", "spsi"], now=NOW, tz=TZ)
    assert parsed.union == "spsi" and parsed.period == said("bulan", "ini").period
    assert parsed.filters() == {"period": "2026-11", "union": "spsi"}
    parsed = exports.parse_export_args(["csv", "terdaftar", "minggu", "ini", "BPU"],
                                       now=NOW, tz=TZ)
    assert (parsed.file_format, parsed.status, parsed.segment, parsed.period_text) == (
        "csv", "terdaftar", "BPU", "2026-11-23--2026-11-29")


@pytest.mark.parametrize("bad", [
    ["bulan", "ini", "bulan", "lalu"],  # two periods
    ["30", "bulan", "lalu"],
    ["bulan", "spsi"],  # an unfinished phrase is no union's name
    ["spsi", "minggu"],
])
def test_export_arguments_with_a_wrong_period_are_refused(bad: list[str]) -> None:
    with pytest.raises(exports.InvalidExportFilter):
        exports.parse_export_args(bad, now=NOW, tz=TZ)


def test_a_union_by_its_code() -> None:
    unions = [SimpleNamespace(short_name=name) for name in ("K-SPSI", "SPSI", "Sarbumusi")]
    assert codes.union_with_prefix(unions, "kspsi") is unions[0]
    assert codes.union_with_prefix(unions, "SARBUMUS") is unions[2]  # 8 letters at most
    assert codes.union_with_prefix(unions, "K-SPSI") is None  # that is its short name
    assert codes.union_with_prefix(unions, "KSBSI") is None
    twins = [SimpleNamespace(short_name="K-SPSI"), SimpleNamespace(short_name="KSPSI")]
    assert codes.union_with_prefix(twins, "KSPSI") is None  # not clearly one
