"""Staff statistics: periods, targets and the /stats report, as plain values.

What counts towards the target: leads created in the year, by segment (the campaign's
measure of new interest registered in the bot). How many of them have reached status
"terdaftar" (enrolled as participants) is reported beside it, never mixed in.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import DomainError
from bot.services.enums import LeadStatus
from bot.services.occupations import group_occupations
from db import broadcasts as news_queries
from db import stats as queries
from db.session import Sessions

SEGMENTS = ("PU", "BPU")
TOP = 5
# Typed occupations are counted as the listed one they name (bot/services/occupations.py),
# so the top five come from this many stored spellings, most common first.
OCCUPATION_ROWS = 1_000
MAX_DAYS = 366
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
# The figures of the news item the project started from (Antara Jatim, S2 of the facts
# sheet): 29.000 new PU and 18.000 new BPU participants "this year", the year not given.
# They are the settings' defaults (TARGET_PU, TARGET_BPU) and are reported as undated news
# figures, never as this year's targets, until an administrator sets those with /target.
NEWS_TARGETS = (29_000, 18_000)


class InvalidPeriod(DomainError):
    """Not a number of days (1-366) nor a month written YYYY-MM."""


class InvalidTarget(DomainError):
    """/target needs two whole numbers (PU, BPU) and optionally a year."""


@dataclass(frozen=True)
class Period:
    """A half-open UTC window [start, end) covering whole local days first_day..last_day."""

    kind: str  # "year", "days" or "month"
    start: datetime
    end: datetime
    first_day: date
    last_day: date
    days: int | None = None

    @property
    def year(self) -> int:
        return self.last_day.year


@dataclass(frozen=True)
class Targets:
    year: int
    pu: int
    bpu: int
    stored: bool  # set with /target for this year (else from the settings)

    @property
    def from_news(self) -> bool:
        """Not set for the year and still the undated figures of the news item."""
        return not self.stored and (self.pu, self.bpu) == NEWS_TARGETS

    def of(self, segment: str) -> int:
        return self.pu if segment == "PU" else self.bpu


@dataclass(frozen=True)
class Progress:
    segment: str
    interested: int  # leads created in the year: interest registered in the bot
    registered: int  # of those, status "terdaftar": enrolled as participants
    target: int

    @property
    def ratio(self) -> float | None:
        return self.interested / self.target if self.target else None


@dataclass(frozen=True)
class Ranked:
    name: str
    count: int
    detail: str | None = None  # an organizer's union, a kecamatan's kabupaten


@dataclass(frozen=True)
class StatsReport:
    period: Period
    targets: Targets
    progress: tuple[Progress, ...]
    today: int
    last_7_days: int
    last_30_days: int
    by_segment: dict[str, int]  # leads created in the period
    funnel: dict[str, int]  # by current status, leads created in the period
    unions: list[Ranked]
    organizers: list[Ranked]
    kabupaten: list[Ranked]
    kecamatan: list[Ranked]
    occupations: list[Ranked]
    news_receiving: int = 0  # workers a /siaran would reach now
    news_opted_out: int = 0  # workers who stopped it (/berhenti, "stop", the button)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def window(kind: str, first: date, last: date, tz: ZoneInfo, days: int | None = None) -> Period:
    return Period(kind, local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz),
                  first, last, days)


def year_period(year: int, tz: ZoneInfo) -> Period:
    return window("year", date(year, 1, 1), date(year, 12, 31), tz)


def last_days(count: int, today: date, tz: ZoneInfo) -> Period:
    """The last `count` days, today included."""
    return window("days", today - timedelta(days=count - 1), today, tz, count)


def parse_period(text: str | None, *, now: datetime, tz: ZoneInfo) -> Period:
    """None: this year; "30": the last 30 days; "2026-11": that month."""
    today = now.astimezone(tz).date()
    if not text:
        return year_period(today.year, tz)
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= MAX_DAYS:
        return last_days(int(text), today, tz)
    match = MONTH.match(text)
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        first = date(int(match[1]), int(match[2]), 1)
        following = (first + timedelta(days=32)).replace(day=1)
        return window("month", first, following - timedelta(days=1), tz)
    raise InvalidPeriod(text)


def parse_target(args: list[str], *, today: date) -> tuple[int, int, int]:
    """`/target 29000 18000 [2027]` -> (year, pu, bpu); "29.000" is read as 29000."""
    if len(args) not in (2, 3):
        raise InvalidTarget(args)
    values = [arg.replace(".", "").replace(",", "") for arg in args]
    if not all(value.isdigit() for value in values):
        raise InvalidTarget(args)
    pu, bpu = int(values[0]), int(values[1])
    year = int(values[2]) if len(values) == 3 else today.year
    if not (2000 <= year <= 2100 and pu <= 10_000_000 and bpu <= 10_000_000):
        raise InvalidTarget(args)
    return year, pu, bpu


async def set_target(
    sessions: Sessions, *, year: int, pu: int, bpu: int, updated_by: int, now: datetime
) -> Targets:
    async with sessions.begin() as session:
        await queries.upsert_target(session, year, pu, bpu, updated_by, now)
    return Targets(year, pu, bpu, stored=True)


async def targets_for(session: AsyncSession, year: int, pu: int, bpu: int) -> Targets:
    """The stored targets of the year, else the defaults (from the settings)."""
    row = await queries.target(session, year)
    if row is None:
        return Targets(year, pu, bpu, stored=False)
    return Targets(year, row.pu, row.bpu, stored=True)


async def counts_by_segment_status(
    session: AsyncSession, period: Period
) -> list[tuple[str, str, int]]:
    return await queries.segment_status_counts(session, period.start, period.end, SEGMENTS,
                                               [s.value for s in LeadStatus])


def progress(targets: Targets, counts: list[tuple[str, str, int]]) -> tuple[Progress, ...]:
    return tuple(
        Progress(segment,
                 sum(n for s, _status, n in counts if s == segment),
                 sum(n for s, status, n in counts
                     if s == segment and status == LeadStatus.TERDAFTAR),
                 targets.of(segment))
        for segment in SEGMENTS
    )


def top(counter: Counter[tuple[str, str | None]], limit: int = TOP) -> list[Ranked]:
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or ""))
    return [Ranked(name, count, detail) for (name, detail), count in ordered[:limit]]


async def report(
    sessions: Sessions, *, period: Period, now: datetime, tz: ZoneInfo,
    default_pu: int, default_bpu: int,
) -> StatsReport:
    """Everything /stats shows, in a handful of aggregate queries (see db/stats.py)."""
    year = year_period(period.year, tz)
    today = now.astimezone(tz).date()
    starts = [last_days(n, today, tz).start for n in (1, 7, 30)]
    async with sessions.begin() as session:
        targets = await targets_for(session, year.year, default_pu, default_bpu)
        year_counts = await counts_by_segment_status(session, year)
        counts = year_counts if period == year else await counts_by_segment_status(session, period)
        recent = await queries.created_since(session, starts, last_days(1, today, tz).end)
        by_organizer = await queries.organizer_counts(session, period.start, period.end)
        regions = await queries.region_counts(session, period.start, period.end)
        occupations = await queries.occupation_counts(session, period.start, period.end,
                                                      OCCUPATION_ROWS)
        news = (await news_queries.count_recipients(session),
                await news_queries.count_opted_out(session))
    unions: Counter[tuple[str, str | None]] = Counter()
    organizers: Counter[tuple[str, str | None]] = Counter()
    for _id, name, union, count in by_organizer:
        unions[(union, None)] += count
        organizers[(name, union)] += count
    kabupaten: Counter[tuple[str, str | None]] = Counter()
    kecamatan: Counter[tuple[str, str | None]] = Counter()
    for kab, kec, count in regions:
        kabupaten[(kab, None)] += count
        kecamatan[(kec, kab)] += count
    return StatsReport(
        period=period, targets=targets, progress=progress(targets, year_counts),
        today=recent[0], last_7_days=recent[1], last_30_days=recent[2],
        by_segment={s: sum(n for seg, _st, n in counts if seg == s) for s in SEGMENTS},
        funnel={s: sum(n for _seg, st, n in counts if st == s) for s in LeadStatus},
        unions=top(unions), organizers=top(organizers), kabupaten=top(kabupaten),
        kecamatan=top(kecamatan),
        occupations=[Ranked(o, n) for o, n in group_occupations(occupations)[:TOP]],
        news_receiving=news[0], news_opted_out=news[1],
    )
