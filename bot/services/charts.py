"""The /stats grafik chart: cumulative leads of the year against the targets, and unions.

Rendered with matplotlib's object API on the Agg canvas (no pyplot, no display, no global
state), so it can run in a worker thread. The words on the chart come from the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO
from itertools import accumulate
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.services import stats
from db import stats as queries
from db.session import Sessions

if TYPE_CHECKING:
    from matplotlib.figure import Figure

UNION_BARS = 10
WEEK = 7
COLOURS = {"PU": "#0a6ebd", "BPU": "#f28c28"}
UNION_COLOUR, NO_UNION_COLOUR = "#4c9a2a", "#9e9e9e"


@dataclass(frozen=True)
class ChartData:
    targets: stats.Targets
    points: list[date]  # the last day of each week of the year so far (today last)
    cumulative: dict[str, list[int]]  # segment -> running total at the end of each point
    unions: list[stats.Ranked]  # leads of the year by union, largest first
    without_union: int = 0  # leads of the year through no organizer (no union)


@dataclass(frozen=True)
class ChartLabels:
    title: str
    unions_title: str
    target: str  # "Target {segment}" style label, with {segment}
    no_unions: str
    months: list[str]  # twelve short month names
    number: Callable[[int], str]
    without_union: str  # the bar of the leads that came through no union


async def chart_data(
    sessions: Sessions, *, now: datetime, tz: ZoneInfo, default_pu: int, default_bpu: int
) -> ChartData:
    """Weekly running totals of the year (one count per segment and week), and the unions."""
    today = now.astimezone(tz).date()
    year = stats.year_period(today.year, tz)
    last = min(today, year.last_day)
    starts = [year.first_day + timedelta(days=d)
              for d in range(0, (last - year.first_day).days + 1, WEEK)]
    ends = [*starts[1:], last + timedelta(days=1)]
    boundaries = [stats.local_midnight(day, tz) for day in [starts[0], *ends]]
    async with sessions.begin() as session:
        targets = await stats.targets_for(session, year.year, default_pu, default_bpu)
        weekly = await queries.segment_counts_between(session, boundaries, stats.SEGMENTS)
        by_organizer = await queries.organizer_counts(session, year.start, year.end)
        [total] = await queries.created_since(session, [year.start], year.end)
    unions: dict[str, int] = {}
    for _id, _name, union, count in by_organizer:
        unions[union] = unions.get(union, 0) + count
    ranked = sorted(unions.items(), key=lambda item: (-item[1], item[0]))[:UNION_BARS]
    return ChartData(
        targets=targets, points=[end - timedelta(days=1) for end in ends],
        cumulative={segment: list(accumulate(counts)) for segment, counts in weekly.items()},
        unions=[stats.Ranked(name, count) for name, count in ranked],
        without_union=max(0, total - sum(unions.values())),
    )


def union_bars(data: ChartData, labels: ChartLabels) -> list[tuple[str, int, str]]:
    """(name, leads, colour) of each bar, top to bottom: the unions, then the leads that
    came through none, in grey."""
    bars = [(union.name, union.count, UNION_COLOUR) for union in data.unions]
    if data.without_union:
        bars.append((labels.without_union, data.without_union, NO_UNION_COLOUR))
    return bars


def render_png(data: ChartData, labels: ChartLabels) -> bytes:
    """A 1400x700 PNG: cumulative leads with the target pace lines, and leads per union."""
    buffer = BytesIO()
    draw(data, labels).savefig(buffer, format="png")
    return buffer.getvalue()


def draw(data: ChartData, labels: ChartLabels) -> Figure:
    """The chart's figure (on an Agg canvas), before it is saved."""
    # Imported here: matplotlib is half a second of every start-up otherwise, and only
    # `/stats grafik` draws (docs/BENCHMARKS.md, start-up).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = Figure(figsize=(14, 7), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    progress, unions = figure.subplots(1, 2, width_ratios=(3, 2))
    year = data.targets.year
    first, last = date(year, 1, 1), date(year, 12, 31)
    span = (last - first).days + 1  # the end of 31 December
    # Each running total is plotted at the end of its week's last day; all start at 0.
    positions = [0, *((day - first).days + 1 for day in data.points)]
    for segment in stats.SEGMENTS:
        colour, target = COLOURS[segment], data.targets.of(segment)
        progress.plot(positions, [0, *data.cumulative[segment]], color=colour, linewidth=2.5,
                      marker=".", label=segment)
        # The pace that reaches the target on 31 December, and the target itself.
        progress.plot([0, span], [0, target], color=colour, linestyle="--", linewidth=1,
                      label=labels.target.format(segment=segment))
        progress.axhline(target, color=colour, linestyle=":", linewidth=1)
    progress.set_xlim(0, span)
    progress.set_ylim(bottom=0)
    progress.set_xticks([(date(year, month, 1) - first).days for month in range(1, 13)],
                        labels.months)
    # Counts are whole: no "0, 0, 1, 1, 2" from ticks at 0.5 while there are few leads.
    progress.yaxis.set_major_locator(MaxNLocator(integer=True))
    progress.yaxis.set_major_formatter(FuncFormatter(lambda y, _p: labels.number(int(y))))
    progress.set_title(labels.title)
    progress.grid(alpha=0.3)
    progress.legend(loc="upper left")
    bars = union_bars(data, labels)[::-1]  # barh draws the first at the bottom
    names, counts = [name for name, _n, _c in bars], [count for _n, count, _c in bars]
    unions.barh(range(len(bars)), counts, color=[colour for _n, _c, colour in bars],
                tick_label=names)
    for index, count in enumerate(counts):
        unions.annotate(labels.number(count), (count, index), xytext=(4, 0),
                        textcoords="offset points", va="center")
    if not names:
        unions.text(0.5, 0.5, labels.no_unions, ha="center", va="center",
                    transform=unions.transAxes)
    unions.xaxis.set_major_locator(MaxNLocator(integer=True))
    unions.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: labels.number(int(x))))
    unions.set_title(labels.unions_title)
    unions.margins(x=0.15)
    return figure
