"""Aggregate queries for staff reporting: counts by GROUP BY, never loops over leads.

Periods come in as half-open UTC windows [start, end). Everything here is portable SQL
(SQLite and PostgreSQL): date buckets are boundaries computed in Python, in the branch's
time zone, so SQL needs no date functions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, not_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.models import (
    ExportLog,
    JobRun,
    Lead,
    LeadCount,
    LeadStatusChange,
    Organizer,
    Target,
    Union,
)
from db.upsert import insert_for


def _in(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(Lead.created_at >= start, Lead.created_at < end)


# Counting shape: one scalar count per key (segment and status, organizer, region, ...),
# each an index range on (key..., created_at). The planner cannot pick a worse plan on
# either database, no temporary sort is needed, and the cost follows the period's leads.
COUNTED = aliased(Lead, name="counted")


def _count(start: datetime, end: datetime, *where: ColumnElement[bool]) -> Any:
    return (select(func.count()).select_from(COUNTED)
            .where(COUNTED.created_at >= start, COUNTED.created_at < end, *where)
            .scalar_subquery())


Windows = Sequence[tuple[datetime, datetime]]


def _count_in(windows: Windows, *where: ColumnElement[bool]) -> Any:
    """Leads in any of the windows: a sum of index range counts, one query for all."""
    counts = [_count(start, end, *where) for start, end in windows]
    total = counts[0]
    for count in counts[1:]:
        total = total + count
    return total


# Whole UTC months and days come from `lead_counts` (rows per month, per day and key, kept
# by triggers: migration 0007); only the partial days at a period's edges are counted in
# `leads`. A year at 1.000.000 leads adds up about 11 months and 30 days of rows per key
# instead of counting ~5.000.000 index entries. Periods start at a local midnight, so each
# edge is less than a day.
Key = tuple[str, str]


def _midnight(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _month(moment: datetime) -> datetime:
    return _midnight(moment).replace(day=1)


def _spans(start: datetime, end: datetime) -> tuple[list[tuple[str, datetime, datetime]],
                                                    list[tuple[datetime, datetime]]]:
    """[start, end) as stored spans ("m" whole UTC months, "d" whole UTC days) and the
    partial days left at the edges, to count in `leads`."""
    first = _midnight(start)
    if first < start:
        first += timedelta(days=1)
    last = _midnight(end)
    if first >= last:
        return [], [(start, end)]
    edges = [(a, b) for a, b in ((start, first), (last, end)) if a < b]
    month_first = _month(first)
    if month_first < first:
        month_first = _month(month_first + timedelta(days=32))
    month_last = _month(last)
    if month_first >= month_last:
        return [("d", first, last)], edges
    days = [(a, b) for a, b in ((first, month_first), (month_last, last)) if a < b]
    return [("m", month_first, month_last)] + [("d", a, b) for a, b in days], edges


async def _counted(
    session: AsyncSession, kind: str, start: datetime, end: datetime,
    scan: Callable[[Windows], Awaitable[Iterable[tuple[Key, int]]]],
) -> Counter[Key]:
    """Leads per key created in [start, end): whole months and days from lead_counts, the
    partial days at the edges by `scan` (a count in leads over those windows, in one query)."""
    stored, edges = _spans(start, end)
    counts: Counter[Key] = Counter()
    if stored:  # one query; each part a range search of the primary key
        parts = union_all(*(
            select(LeadCount.a, LeadCount.b, LeadCount.leads)
            .where(LeadCount.kind == kind, LeadCount.span == span, LeadCount.day >= first,
                   LeadCount.day < last)
            for span, first, last in stored)).subquery("parts")
        rows = await session.execute(
            select(parts.c.a, parts.c.b, func.sum(parts.c.leads)).group_by(parts.c.a, parts.c.b))
        counts.update({(a, b): int(n) for a, b, n in rows})
    if edges:
        for key, n in await scan(edges):
            counts[key] += n
    return counts


async def segment_status_counts(
    session: AsyncSession, start: datetime, end: datetime, segments: Sequence[str],
    statuses: Sequence[str],
) -> list[tuple[str, str, int]]:
    """(segment, status, leads created in the window), for every pair given."""
    pairs = [(segment, status) for segment in segments for status in statuses]

    async def scan(windows: Windows) -> list[tuple[Key, int]]:
        row = (await session.execute(select(*(
            _count_in(windows, COUNTED.segment == segment, COUNTED.status == status)
            for segment, status in pairs)))).one()
        return list(zip(pairs, (int(n) for n in row), strict=True))

    counts = await _counted(session, "ss", start, end, scan)
    return [(segment, status, counts[(segment, status)]) for segment, status in pairs]


async def created_since(
    session: AsyncSession, starts: Sequence[datetime], end: datetime
) -> list[int]:
    """Leads created from each start up to end, in one query."""
    columns = []
    for start in starts:
        stored, edges = _spans(start, end)
        total: Any = literal(0)
        for span, first, last in stored:
            total = total + (
                select(func.coalesce(func.sum(LeadCount.leads), 0))
                .where(LeadCount.kind == "all", LeadCount.span == span, LeadCount.day >= first,
                       LeadCount.day < last)
                .scalar_subquery())
        if edges:
            total = total + _count_in(edges)
        columns.append(total)
    row = (await session.execute(select(*columns))).one()
    return [int(value) for value in row]


async def organizer_counts(
    session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[int, str, str, int]]:
    """(organizer id, name, union short name, leads credited) for organizers with leads."""

    async def scan(windows: Windows) -> list[tuple[Key, int]]:
        rows = await session.execute(
            select(Organizer.id, _count_in(windows, COUNTED.organizer_id == Organizer.id)))
        return [((str(i), ""), count) for i, count in rows if count]

    counts = await _counted(session, "org", start, end, scan)
    rows = await session.execute(
        select(Organizer.id, Organizer.display_name, Union.short_name)
        .join(Union, Union.id == Organizer.union_id)
    )
    return [(i, name, union, counts[(str(i), "")]) for i, name, union in rows
            if counts[(str(i), "")]]


async def region_counts(
    session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[str, str, int]]:
    """(kabupaten, kecamatan, leads); leads without a region are left out."""

    async def scan(windows: Windows) -> list[tuple[Key, int]]:
        regions = (select(Lead.kabupaten, Lead.kecamatan).distinct()
                   .where(Lead.kabupaten.is_not(None), Lead.kecamatan.is_not(None))
                   .subquery("regions"))
        rows = await session.execute(select(regions.c.kabupaten, regions.c.kecamatan, _count_in(
            windows, COUNTED.kabupaten == regions.c.kabupaten,
            COUNTED.kecamatan == regions.c.kecamatan)))
        return [((kabupaten, kecamatan), count) for kabupaten, kecamatan, count in rows if count]

    counts = await _counted(session, "reg", start, end, scan)
    return [(kabupaten, kecamatan, n) for (kabupaten, kecamatan), n in sorted(counts.items())
            if n]


async def occupation_counts(
    session: AsyncSession, start: datetime, end: datetime, limit: int
) -> list[tuple[str, int]]:
    """The `limit` most frequent occupations: (occupation, leads), most first."""

    async def scan(windows: Windows) -> list[tuple[Key, int]]:
        occupations = (select(Lead.occupation).distinct().where(Lead.occupation.is_not(None))
                       .subquery("occupations"))
        rows = await session.execute(select(occupations.c.occupation, _count_in(
            windows, COUNTED.occupation == occupations.c.occupation)))
        return [((occupation, ""), count) for occupation, count in rows if count]

    counts = await _counted(session, "occ", start, end, scan)
    ranked = sorted(((occupation, n) for (occupation, _b), n in counts.items() if n),
                    key=lambda item: (-item[1], item[0]))
    return ranked[:limit]


async def segment_counts_between(
    session: AsyncSession, boundaries: Sequence[datetime], segments: Sequence[str]
) -> dict[str, list[int]]:
    """segment -> leads created between each pair of consecutive boundaries."""
    spans = list(zip(boundaries, boundaries[1:], strict=False))
    row = (await session.execute(select(*(
        _count(start, end, COUNTED.segment == segment)
        for segment in segments for start, end in spans)))).one()
    return {segment: [int(n) for n in row[i * len(spans):(i + 1) * len(spans)]]
            for i, segment in enumerate(segments)}


async def status_change_counts(
    session: AsyncSession, start: datetime, end: datetime, *, first: str
) -> list[tuple[str, int]]:
    """Status changes in the window, without the `first` status (set by the bot, nobody's
    change) every new lead starts with."""
    initial = and_(LeadStatusChange.status == first, LeadStatusChange.changed_by.is_(None))
    rows = await session.execute(
        select(LeadStatusChange.status, func.count())
        .where(LeadStatusChange.changed_at >= start, LeadStatusChange.changed_at < end,
               not_(initial))
        .group_by(LeadStatusChange.status)
    )
    return [(status, count) for status, count in rows]


async def target(session: AsyncSession, year: int) -> Target | None:
    return await session.get(Target, year)


async def upsert_target(
    session: AsyncSession, year: int, pu: int, bpu: int, updated_by: int | None, now: datetime
) -> None:
    values = {"year": year, "pu": pu, "bpu": bpu, "updated_by": updated_by, "updated_at": now}
    statement = insert_for(session, Target).values(**values)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[Target.year], set_={k: v for k, v in values.items() if k != "year"}))


async def add_job_run(
    session: AsyncSession, name: str, period: str, instance: str, now: datetime
) -> None:
    """Raises IntegrityError when this job already ran (or runs) for the period."""
    session.add(JobRun(name=name, period=period, instance=instance, started_at=now))
    await session.flush()


EXPORT_COLUMNS = (
    Lead.id, Lead.created_at, Lead.segment, Lead.full_name, Lead.nik, Lead.phone,
    Lead.occupation, Lead.kabupaten, Lead.kecamatan, Lead.employer, Lead.programmes,
    Lead.income_band, Lead.broadcast_opt_in, Lead.source, Union.short_name,
    Organizer.display_name, Lead.status, Lead.kpj_number, Lead.updated_at, Lead.erased_at,
)


async def export_batch(
    session: AsyncSession, *, start: datetime | None, end: datetime | None,
    union_id: int | None, status: str | None, segment: str | None, after_id: int, limit: int,
) -> Sequence[Any]:
    """The next `limit` leads after `after_id` (keyset paging: constant memory, any size)."""
    statement = (
        select(*EXPORT_COLUMNS)
        .outerjoin(Organizer, Organizer.id == Lead.organizer_id)
        .outerjoin(Union, Union.id == Organizer.union_id)
        .where(Lead.id > after_id).order_by(Lead.id).limit(limit)
    )
    if start is not None and end is not None:
        statement = statement.where(_in(start, end))
    if union_id is not None:
        statement = statement.where(Organizer.union_id == union_id)
    if status is not None:
        statement = statement.where(Lead.status == status)
    if segment is not None:
        statement = statement.where(Lead.segment == segment)
    return (await session.execute(statement)).all()


async def add_export_log(
    session: AsyncSession, *, requested_by: int, chat_id: int, file_format: str,
    filters: dict[str, Any], row_count: int, now: datetime,
) -> None:
    session.add(ExportLog(requested_by=requested_by, chat_id=chat_id, file_format=file_format,
                          filters=filters, row_count=row_count, created_at=now))
    await session.flush()
