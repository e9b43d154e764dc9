"""/stats reads whole months and days from `lead_counts` (kept by triggers, migration 0007)
and counts only the partial days at a period's edges: the figures must equal a count of the leads
themselves after registrations, status changes, other edits, erasure and deletion.
Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, update

from bot.services import erasure, followup, stats
from bot.services.enums import LeadStatus
from db import stats as queries
from db.migrate import upgrade
from db.models import Lead, LeadCount
from db.session import Sessions, make_engine, make_sessionmaker
from tests.factories import NOW, add_leads, add_organizer
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


def keys(lead: Lead) -> list[tuple[str, str, str]]:
    found = [("all", "", ""), ("ss", lead.segment, lead.status)]
    if lead.organizer_id is not None:
        found.append(("org", str(lead.organizer_id), ""))
    if lead.kabupaten is not None and lead.kecamatan is not None:
        found.append(("reg", lead.kabupaten, lead.kecamatan))
    if lead.occupation is not None:
        found.append(("occ", lead.occupation, ""))
    return found


async def check(sessions: Sessions) -> None:
    """lead_counts equals a count of the leads by UTC day and key; the report's figures
    equal a count of the leads over periods with and without whole days."""
    async with sessions() as session:
        leads = list(await session.scalars(select(Lead)))
        rows = list(await session.scalars(select(LeadCount)))
        # A key whose count fell to 0 is gone: its text (a typed occupation) must not outlive
        # the erased or changed lead it came from.
        assert all(row.leads for row in rows)
        stored = {(row.kind, row.span, row.day, row.a, row.b): row.leads for row in rows}
        expected: Counter[tuple[str, str, datetime, str, str]] = Counter()
        for lead in leads:
            day = lead.created_at.replace(hour=0, minute=0, second=0, microsecond=0)
            for kind, a, b in keys(lead):
                expected[(kind, "d", day, a, b)] += 1
                expected[(kind, "m", day.replace(day=1), a, b)] += 1
        assert stored == dict(expected)
        windows = [stats.year_period(2026, TZ), stats.parse_period("30", now=NOW, tz=TZ),
                   stats.parse_period("1", now=NOW, tz=TZ), stats.year_period(2025, TZ),
                   stats.parse_period("2026-11", now=NOW, tz=TZ),
                   stats.parse_period("2026-09", now=NOW, tz=TZ),
                   stats.parse_period("90", now=NOW, tz=TZ),
                   stats.parse_period("366", now=NOW, tz=TZ)]
        for period in windows:
            inside = [lead for lead in leads if period.start <= lead.created_at < period.end]
            counts = await queries.segment_status_counts(
                session, period.start, period.end, stats.SEGMENTS, [s.value for s in LeadStatus])
            assert {(s, st): n for s, st, n in counts if n} == dict(
                Counter((lead.segment, lead.status) for lead in inside))
            assert await queries.created_since(session, [period.start], period.end) == [
                len(inside)]
            organizers = await queries.organizer_counts(session, period.start, period.end)
            assert {i: n for i, _name, _union, n in organizers} == dict(Counter(
                lead.organizer_id for lead in inside if lead.organizer_id is not None))
            regions = await queries.region_counts(session, period.start, period.end)
            assert {(kab, kec): n for kab, kec, n in regions} == dict(Counter(
                (lead.kabupaten, lead.kecamatan) for lead in inside
                if lead.kabupaten is not None and lead.kecamatan is not None))
            occupations = await queries.occupation_counts(session, period.start, period.end, 3)
            everything = Counter(lead.occupation for lead in inside if lead.occupation)
            assert occupations == sorted(everything.items(), key=lambda i: (-i[1], i[0]))[:3]


async def test_counts_follow_registrations_status_changes_edits_erasure_and_deletion(
    sessions: Sessions,
) -> None:
    _spsi, darto = await add_organizer(sessions, union="Serikat Pekerja SI", short="SPSI",
                                       name="Pak Darto")
    _sbsi, sari = await add_organizer(sessions, union="Serikat Buruh", short="SBSI",
                                      name="Bu Sari")
    occupations = ("Petani", "Nelayan", "Ojek / ojol", None)
    specs = [{"segment": "PU" if n % 3 == 0 else "BPU",
              "organizer_id": (darto, sari, None)[n % 3],
              "kecamatan": ("Patrang", "Kaliwates", None)[n % 3 if n % 5 else 0],
              "occupation": occupations[n % 4],
              "telegram_user_id": 7000 + n,
              # every 7 hours back over ~4 months: each local midnight and UTC midnight
              # falls between leads, and the year's turn with them
              "created_at": NOW - n * 7 * HOUR - timedelta(days=n // 40 * 60)}
             for n in range(1, 160)]
    specs.append({"created_at": datetime(2025, 12, 31, 17, 30, tzinfo=UTC)})  # 1.1. local
    specs.append({"created_at": datetime(2025, 12, 31, 16, 30, tzinfo=UTC)})  # 31.12. local
    ids = await add_leads(sessions, *specs)
    await check(sessions)

    # Staff change statuses (twice for some), through the service.
    for lead_id, status in [(ids[0], "dihubungi"), (ids[1], "terdaftar"), (ids[2], "dihubungi"),
                            (ids[2], "tidak_berminat"), (ids[-1], "terdaftar")]:
        await followup.set_status(sessions, lead_id=lead_id, status=status, changed_by=9002,
                                  now=NOW)
    await check(sessions)

    # A worker updates their data: region, occupation, segment; a lead's organizer is set.
    async with sessions.begin() as session:
        await session.execute(update(Lead).where(Lead.id == ids[3]).values(
            kabupaten="Lumajang", kecamatan="Pasirian", occupation="Nelayan", segment="PU"))
        await session.execute(update(Lead).where(Lead.id == ids[4]).values(
            organizer_id=darto, kecamatan=None))
    await check(sessions)

    # Workers erase their data (the row stays, counted, without personal fields).
    for lead_id in (ids[5], ids[6]):
        await erasure.erase_own(sessions, telegram_user_id=7000 + lead_id, now=NOW)
    async with sessions() as session:
        assert (await session.get(Lead, ids[5])).erased_at is not None  # type: ignore[union-attr]
    await check(sessions)

    # An erased lead is deleted when the same NIK registers again; others go too.
    async with sessions.begin() as session:
        await session.execute(delete(Lead).where(Lead.id.in_([ids[5], ids[7], ids[-2]])))
    await check(sessions)
