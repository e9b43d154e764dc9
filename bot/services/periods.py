"""Periods said in words ("bulan ini", "bulan lalu", "minggu ini"), for staff commands.

Staff type what they would say at the office: `/ekspor bulan ini spsi`. A phrase is one or
two words; it becomes the same kind of half-open UTC window as "30" or "2026-11" do
(stats.Period), in the branch's time zone. Weeks start on Monday, as Indonesian calendars
have them. Plain functions: the clock comes in as `now`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services import stats

# The words of a phrase -> what it means. Indonesian first (with the usual chat
# abbreviations), English beside it for the staff who write it.
PHRASES: dict[tuple[str, ...], str] = {
    **{(month, now): "this_month" for month in ("bulan", "bln") for now in ("ini", "sekarang")},
    **{(month, last): "last_month" for month in ("bulan", "bln")
       for last in ("lalu", "kemarin", "kmrn", "kmrin")},
    **{(week, now): "this_week" for week in ("minggu", "mgg", "pekan") for now in ("ini",)},
    **{(week, last): "last_week" for week in ("minggu", "mgg", "pekan")
       for last in ("lalu", "kemarin", "kmrn")},
    ("tahun", "ini"): "this_year", ("thn", "ini"): "this_year",
    ("hari", "ini"): "today", ("kemarin",): "yesterday",
    ("this", "month"): "this_month", ("last", "month"): "last_month",
    ("this", "week"): "this_week", ("last", "week"): "last_week",
    ("this", "year"): "this_year", ("today",): "today", ("yesterday",): "yesterday",
}
# The first word of a phrase: alone ("bulan") it is an unfinished phrase, never a name.
PERIOD_WORDS = frozenset(words[0] for words in PHRASES if len(words) > 1)
LONGEST = max(len(words) for words in PHRASES)


@dataclass(frozen=True)
class SaidPeriod:
    period: stats.Period
    text: str  # the window written plainly: "2026-11", "2026-11-16--2026-11-22"
    words: int  # how many of the words it took


def _month(first: date, tz: ZoneInfo) -> stats.Period:
    following = (first + timedelta(days=32)).replace(day=1)
    return stats.window("month", first, following - timedelta(days=1), tz)


def period_of(meaning: str, *, now: datetime, tz: ZoneInfo) -> tuple[stats.Period, str]:
    """The window of a phrase's meaning ("this_month", ...) and its plain text."""
    today = now.astimezone(tz).date()
    if meaning in ("this_month", "last_month"):
        first = today.replace(day=1)
        if meaning == "last_month":
            first = (first - timedelta(days=1)).replace(day=1)
        return _month(first, tz), f"{first:%Y-%m}"
    if meaning in ("this_week", "last_week"):
        monday = today - timedelta(days=today.weekday())
        if meaning == "last_week":
            monday -= timedelta(days=7)
        sunday = monday + timedelta(days=6)
        return stats.window("week", monday, sunday, tz), f"{monday}--{sunday}"
    if meaning == "this_year":
        return stats.year_period(today.year, tz), str(today.year)
    day = today if meaning == "today" else today - timedelta(days=1)
    return stats.window("day", day, day, tz, 1), str(day)


def said_period(
    words: Sequence[str], start: int, *, now: datetime, tz: ZoneInfo
) -> SaidPeriod | None:
    """The period phrase starting at words[start], the longest that fits; None if none."""
    lowered = [word.casefold() for word in words[start:start + LONGEST]]
    for length in range(len(lowered), 0, -1):
        meaning = PHRASES.get(tuple(lowered[:length]))
        if meaning is not None:
            period, text = period_of(meaning, now=now, tz=tz)
            return SaidPeriod(period, text, length)
    return None
