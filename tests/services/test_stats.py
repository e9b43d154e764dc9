"""Staff reporting services on a real database: counts, periods, targets, recap, export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.errors import UnknownUnion
from bot.services import charts, digest, exports, stats
from db.migrate import upgrade
from db.models import ExportLog
from db.session import Sessions, make_engine, make_sessionmaker
from tests.factories import NOW, add_leads, add_organizer, add_status_change
from tests.harness import test_database_url as database_at

TZ = ZoneInfo("Asia/Jakarta")
HOUR = timedelta(hours=1)


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[Sessions]:
    async with database_at(tmp_path) as url:
        engine = make_engine(url)
        await upgrade(engine)
        yield make_sessionmaker(engine)
        await engine.dispose()


@pytest.fixture
async def leads(sessions: Sessions) -> list[int]:
    """Eight leads around 23 November 2026 and the turn of the year (see each comment)."""
    spsi, darto = await add_organizer(sessions, union="Serikat Pekerja SI", short="SPSI",
                                      name="Pak Darto")
    _spsi, sari = await add_organizer(sessions, union="", short="", name="Bu Sari",
                                      union_id=spsi)
    _kspsi, joko = await add_organizer(sessions, union="Konfederasi SPSI", short="KSPSI",
                                       name="Mas Joko")
    return await add_leads(
        sessions,
        {"segment": "PU", "status": "terdaftar", "organizer_id": darto,
         "created_at": NOW - HOUR},  # 1: today
        {"segment": "PU", "organizer_id": darto, "created_at": NOW - 3 * 24 * HOUR},  # 2
        {"status": "dihubungi", "organizer_id": sari, "kecamatan": "Patrang",
         "created_at": NOW - 10 * 24 * HOUR},  # 3
        {"status": "terdaftar", "organizer_id": joko, "kecamatan": "Kaliwates",
         "occupation": "Nelayan", "created_at": NOW - 20 * 24 * HOUR},  # 4
        {"status": "tidak_berminat", "kabupaten": "Bondowoso", "kecamatan": "Tamanan",
         "created_at": datetime(2026, 2, 10, 3, tzinfo=UTC)},  # 5
        # 6: 31 December 2025, 23.30 in Jember: last year
        {"created_at": datetime(2025, 12, 31, 16, 30, tzinfo=UTC)},
        # 7: 1 January 2026, 00.30 in Jember (still 2025 in UTC): this year
        {"created_at": datetime(2025, 12, 31, 17, 30, tzinfo=UTC)},
        # 8: erased by the worker yesterday; still counted, personal fields gone from exports
        {"segment": "PU", "status": "terdaftar", "organizer_id": sari,
         "created_at": NOW - 24 * HOUR, "erased_at": NOW},
    )


def period(text: str | None) -> stats.Period:
    return stats.parse_period(text, now=NOW, tz=TZ)


async def report(sessions: Sessions, text: str | None = None) -> stats.StatsReport:
    return await stats.report(sessions, period=period(text), now=NOW, tz=TZ,
                              default_pu=29000, default_bpu=18000)


def test_periods_cover_whole_local_days() -> None:
    assert period(None).start == datetime(2025, 12, 31, 17, tzinfo=UTC)
    assert period(None).end == datetime(2026, 12, 31, 17, tzinfo=UTC)
    days = period("30")
    assert (days.kind, days.days, days.first_day, days.last_day) == (
        "days", 30, date(2026, 10, 25), date(2026, 11, 23))
    assert days.start == datetime(2026, 10, 24, 17, tzinfo=UTC)
    assert period("1").first_day == date(2026, 11, 23)
    assert period("2028-02").last_day == date(2028, 2, 29)
    assert period("2026-12").end == datetime(2026, 12, 31, 17, tzinfo=UTC)


@pytest.mark.parametrize("text", ["0", "367", "2026-13", "2026-00", "abc", "2026-1x", "-5"])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(stats.InvalidPeriod):
        period(text)


def test_targets_are_parsed_with_or_without_dots_and_year() -> None:
    today = date(2026, 11, 23)
    assert stats.parse_target(["29.000", "18000"], today=today) == (2026, 29000, 18000)
    assert stats.parse_target(["1", "2", "2027"], today=today) == (2027, 1, 2)
    for bad in (["x", "1"], ["1"], ["1", "2", "3", "4"], ["1", "2", "1999"], ["-1", "2"]):
        with pytest.raises(stats.InvalidTarget):
            stats.parse_target(bad, today=today)


async def test_report_counts_the_year(sessions: Sessions, leads: list[int]) -> None:
    result = await report(sessions)
    assert [(p.segment, p.interested, p.registered, p.target) for p in result.progress] == [
        ("PU", 3, 2, 29000), ("BPU", 4, 1, 18000)]
    assert not result.targets.stored
    assert (result.today, result.last_7_days, result.last_30_days) == (1, 3, 5)
    assert result.funnel == {"minat": 2, "dihubungi": 1, "terdaftar": 3, "tidak_berminat": 1}
    assert [(r.name, r.count) for r in result.unions] == [("SPSI", 4), ("KSPSI", 1)]
    assert [(r.name, r.detail, r.count) for r in result.organizers] == [
        ("Bu Sari", "SPSI", 2), ("Pak Darto", "SPSI", 2), ("Mas Joko", "KSPSI", 1)]
    assert [(r.name, r.count) for r in result.kabupaten] == [("Jember", 6), ("Bondowoso", 1)]
    assert [(r.name, r.detail, r.count) for r in result.kecamatan][:2] == [
        ("Sumbersari", "Jember", 4), ("Kaliwates", "Jember", 1)]
    assert [(r.name, r.count) for r in result.occupations] == [("Petani", 6), ("Nelayan", 1)]


async def test_report_for_a_month_and_for_days(sessions: Sessions, leads: list[int]) -> None:
    november = await report(sessions, "2026-11")
    assert november.by_segment == {"PU": 3, "BPU": 2}
    assert november.funnel["terdaftar"] == 3 and november.progress[1].interested == 4
    assert (await report(sessions, "30")).by_segment == november.by_segment
    december = await report(sessions, "2025-12")
    assert december.by_segment == {"PU": 0, "BPU": 1}
    assert december.targets.year == 2025 and december.progress[1].interested == 1
    assert december.unions == [] and december.organizers == []


async def test_stored_target_overrides_the_settings(sessions: Sessions, leads: list[int]) -> None:
    await stats.set_target(sessions, year=2026, pu=30000, bpu=20000, updated_by=9001, now=NOW)
    await stats.set_target(sessions, year=2026, pu=31000, bpu=21000, updated_by=9001, now=NOW)
    result = await report(sessions)
    assert result.targets == stats.Targets(2026, 31000, 21000, stored=True)
    assert result.progress[0].ratio == pytest.approx(3 / 31000)
    assert not (await report(sessions, "2025-12")).targets.stored


async def test_chart_data_is_cumulative_per_local_week(
    sessions: Sessions, leads: list[int]
) -> None:
    data = await charts.chart_data(sessions, now=NOW, tz=TZ, default_pu=29000,
                                   default_bpu=18000)
    assert data.points[:2] == [date(2026, 1, 7), date(2026, 1, 14)]
    assert data.points[-1] == date(2026, 11, 23) and len(data.points) == 47
    assert data.cumulative["BPU"][0] == 1  # lead 7, 00.30 on 1 January in Jember
    assert (data.cumulative["PU"][-1], data.cumulative["BPU"][-1]) == (3, 4)
    # All PU leads (20, 22 and 23 November) are in the last, partial week: 19-23 November.
    assert data.cumulative["PU"][-2] == 0 and data.cumulative["BPU"][-2] == 4
    assert [(u.name, u.count) for u in data.unions] == [("SPSI", 4), ("KSPSI", 1)]
    assert data.without_union == 2  # the year's leads through no organizer
    labels = charts.ChartLabels("t", "u", "Target {segment}", "none",
                                [f"M{m}" for m in range(1, 13)], str, "no union")
    png = charts.render_png(data, labels)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


async def test_recap_counts_today_and_claims_once(sessions: Sessions, leads: list[int]) -> None:
    await add_status_change(sessions, leads[2], "dihubungi", 9002, NOW - HOUR / 2)
    await add_status_change(sessions, leads[3], "terdaftar", 9002, NOW - 5 * 24 * HOUR)
    recap = await digest.build_recap(sessions, now=NOW, tz=TZ, default_pu=29000,
                                     default_bpu=18000)
    assert recap.day == date(2026, 11, 23)
    assert recap.new_leads == {"PU": 1, "BPU": 0}
    assert recap.status_changes == {"minat": 0, "dihubungi": 1, "terdaftar": 0,
                                    "tidak_berminat": 0}
    assert [p.interested for p in recap.progress] == [3, 4]
    assert await digest.claim(sessions, name="daily_recap", period="2026-11-23", now=NOW)
    assert not await digest.claim(sessions, name="daily_recap", period="2026-11-23", now=NOW)
    assert await digest.claim(sessions, name="daily_recap", period="2026-11-24", now=NOW)


def test_export_arguments_in_any_order() -> None:
    parsed = exports.parse_export_args(["terdaftar", "SPSI", "2026-11", "CSV", "bpu"],
                                       now=NOW, tz=TZ)
    assert (parsed.file_format, parsed.status, parsed.union, parsed.segment) == (
        "csv", "terdaftar", "SPSI", "BPU")
    assert parsed.period == period("2026-11")
    assert parsed.filters() == {"period": "2026-11", "union": "SPSI", "segment": "BPU",
                                "status": "terdaftar"}
    assert exports.parse_export_args([], now=NOW, tz=TZ) == exports.ExportRequest()
    for bad in (["2026-13"], ["30", "7"], ["csv", "xlsx"], ["a", "b"], ["<b>"]):
        with pytest.raises(exports.InvalidExportFilter):
            exports.parse_export_args(bad, now=NOW, tz=TZ)


def test_formula_cells_are_defused() -> None:
    assert [exports.safe(v) for v in ("=1+1", "+62", "-x", "@a", "ok", "", None)] == [
        "'=1+1", "'+62", "'-x", "'@a", "ok", "", None]
    assert exports.safe("\x01=cmd") == "'=cmd" and exports.safe("a\nb") == "a\nb"


async def test_csv_has_no_formula_whichever_list_separator_the_spreadsheet_uses(
    sessions: Sessions, tmp_path: Path
) -> None:
    """Excel set to ';' (common in Indonesia) would start a cell after the ';' in a field."""
    occupation = "Petani;=cmd|' /C calc'!A0;x"
    name = 'Budi, -2+3; "@SUM(A1)'
    await add_leads(sessions, {"occupation": occupation, "full_name": name,
                               "kecamatan": "Patrang;+1"})
    result = await export(sessions, tmp_path, "csv")
    raw = result.path.read_text(encoding="utf-8-sig")
    assert raw.splitlines()[1].startswith('"1","')  # every field quoted
    for delimiter in (",", ";"):
        for row in csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter):
            formulas = [cell for cell in row if re.match(r'[\s"]*[=+\-@]', cell)]
            assert not formulas, (delimiter, formulas)
    row = list(csv.reader(io.StringIO(raw, newline="")))[1]
    # Readable: the same text with an apostrophe before each formula.
    assert row[3] == "Budi,' -2+3;' \"@SUM(A1)"
    assert row[6] == "Petani;'=cmd|' /C calc'!A0;x"
    assert row[8] == "Patrang;'+1"


async def export(sessions: Sessions, tmp_path: Path, *args: str) -> exports.ExportFile:
    request = exports.parse_export_args(list(args), now=NOW, tz=TZ)
    labels = exports.ExportLabels(headers=[f"h{i}" for i in range(exports.COLUMNS)])
    return await exports.export_leads(sessions, request, labels=labels, folder=tmp_path, tz=TZ,
                                      requested_by=9002, chat_id=-1, now=NOW, max_bytes=10**8)


async def test_export_filters_and_logs(
    sessions: Sessions, leads: list[int], tmp_path: Path
) -> None:
    result = await export(sessions, tmp_path, "csv", "2026-11", "spsi", "terdaftar")
    with result.path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert result.rows == 2 and len(rows) == 3
    assert [row[2] for row in rows[1:]] == ["PU", "PU"]
    assert rows[1][1] == "2026-11-23 08:00" and rows[1][3] == "Pekerja Nomor 1"
    assert rows[2][3:6] == ["", "", ""]  # lead 8 was erased
    assert rows[1][5] == "'+6281200000001"
    async with sessions() as session:
        log = (await session.scalars(select(ExportLog))).one()
    assert (log.requested_by, log.file_format, log.row_count) == (9002, "csv", 2)
    assert log.filters == {"period": "2026-11", "union": "spsi", "status": "terdaftar"}
    whole = await export(sessions, tmp_path)
    sheet = load_workbook(whole.path, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert whole.rows == 8 and len(values) == 9 and values[1][0] == 1
    with pytest.raises(UnknownUnion):
        await export(sessions, tmp_path, "NOPE")


def test_only_the_unset_news_figures_count_as_undated_news() -> None:
    assert stats.Targets(2026, *stats.NEWS_TARGETS, stored=False).from_news
    assert not stats.Targets(2026, *stats.NEWS_TARGETS, stored=True).from_news
    assert not stats.Targets(2026, 30_000, 18_000, stored=False).from_news  # TARGET_PU set


def test_settings_default_to_the_news_figures() -> None:
    from bot.settings import Settings

    fields = Settings.model_fields
    assert (fields["target_pu"].default, fields["target_bpu"].default) == stats.NEWS_TARGETS
