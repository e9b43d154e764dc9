"""Wrong code guesses are limited per user through the database, not one process's memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.services.referrals import GUESS_LIMIT, GUESS_WINDOW, GuessLimiter, TooManyGuesses
from db.models import CodeGuess
from db.session import Sessions

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


async def test_the_limit_holds_across_restarts_and_instances(sessions: Sessions) -> None:
    # Each limiter stands for a process: restarted, or another instance behind the webhook.
    first, second = GuessLimiter(sessions), GuessLimiter(sessions)
    for n in range(GUESS_LIMIT):
        await (first if n % 2 else second).miss(7, NOW + timedelta(seconds=n))
    with pytest.raises(TooManyGuesses):
        await GuessLimiter(sessions).check(7, NOW + timedelta(minutes=1))
    await first.check(8, NOW)  # someone else
    await GuessLimiter(sessions, kind="invite link").check(7, NOW)  # the other kind of code


async def test_guesses_older_than_the_window_stop_counting_and_are_deleted(
    sessions: Sessions,
) -> None:
    limiter = GuessLimiter(sessions)
    for _ in range(GUESS_LIMIT):
        await limiter.miss(7, NOW)
    await limiter.check(7, NOW + GUESS_WINDOW)  # the window has passed
    await limiter.miss(9, NOW + GUESS_WINDOW)
    async with sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(CodeGuess))
    assert rows == 1
