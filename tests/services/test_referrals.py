"""Wrong code guesses are limited per user through the database, not one process's memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.services.referrals import (
    GUESS_LIMIT,
    GUESS_WINDOW,
    GuessLimiter,
    TooManyGuesses,
    accept,
    linked,
)
from bot.services.registration import Kind, RegistrationForm, new_form
from db.models import CodeGuess, Organizer, ReferralCode, Union
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


async def _organizer_with_code(sessions: Sessions, code: str) -> ReferralCode:
    async with sessions.begin() as session:
        union = Union(name="Serikat Pekerja Seluruh Indonesia", short_name="SPSI", active=True,
                      created_at=NOW)
        session.add(union)
        await session.flush()
        organizer = Organizer(union_id=union.id, display_name="Pak Darto",
                              telegram_user_id=777, active=True, created_at=NOW)
        session.add(organizer)
        await session.flush()
        row = ReferralCode(code=code, organizer_id=organizer.id, active=True, created_at=NOW)
        session.add(row)
        return row


async def test_a_valid_link_fills_the_new_form_and_a_deactivated_one_does_not(
    sessions: Sessions,
) -> None:
    row = await _organizer_with_code(sessions, "SPSI-7KQ4X")
    assert await new_form(sessions, kind=Kind.SELF, telegram_user_id=41) == RegistrationForm()
    await accept(sessions, GuessLimiter(sessions), telegram_user_id=41, code="SPSI-7KQ4X",
                 now=NOW)
    form = await new_form(sessions, kind=Kind.SELF, telegram_user_id=41)
    assert form.referral_from_link and form.referral_name == "Pak Darto (SPSI)"
    assert await new_form(sessions, kind=Kind.ASSISTED, telegram_user_id=41) == (
        RegistrationForm())
    async with sessions.begin() as session:
        (await session.get(ReferralCode, row.id)).active = False  # type: ignore[union-attr]
    assert await linked(sessions, telegram_user_id=41) is None
