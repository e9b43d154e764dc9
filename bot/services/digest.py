"""The daily recap for the staff groups, and the claim that makes it run once a day.

Every instance schedules the recap; the one whose JobRun row for the date goes in posts it,
the others see the primary key taken (IntegrityError) and stay silent.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from bot.services import stats
from bot.services.enums import LeadStatus
from db import stats as queries
from db.session import Sessions

logger = logging.getLogger(__name__)

JOB_NAME = "daily_recap"
INSTANCE = f"{socket.gethostname()}:{os.getpid()}"[:64]


@dataclass(frozen=True)
class Recap:
    day: date
    new_leads: dict[str, int]  # segment -> leads created today
    status_changes: dict[str, int]  # status -> changes made today (not the first "minat")
    progress: tuple[stats.Progress, ...]  # the year so far against the targets
    targets: stats.Targets


async def claim(sessions: Sessions, *, name: str, period: str, now: datetime) -> bool:
    """True for the one caller that may run job `name` for `period`."""
    try:
        async with sessions.begin() as session:
            await queries.add_job_run(session, name, period, INSTANCE, now)
    except IntegrityError:
        logger.info("job %s for %s already claimed by another run", name, period)
        return False
    return True


async def build_recap(
    sessions: Sessions, *, now: datetime, tz: ZoneInfo, default_pu: int, default_bpu: int
) -> Recap:
    today = stats.last_days(1, now.astimezone(tz).date(), tz)
    year = stats.year_period(today.year, tz)
    async with sessions.begin() as session:
        targets = await stats.targets_for(session, year.year, default_pu, default_bpu)
        year_counts = await stats.counts_by_segment_status(session, year)
        today_counts = await stats.counts_by_segment_status(session, today)
        changes = dict(await queries.status_change_counts(session, today.start, today.end,
                                                          first=LeadStatus.MINAT.value))
    return Recap(
        day=today.last_day,
        new_leads={s: sum(n for seg, _st, n in today_counts if seg == s) for s in stats.SEGMENTS},
        status_changes={status: changes.get(status, 0) for status in LeadStatus},
        progress=stats.progress(targets, year_counts),
        targets=targets,
    )
