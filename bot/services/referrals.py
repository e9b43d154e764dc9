"""Referral codes brought by workers: checking them and remembering who referred whom."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import DomainError
from bot.services import codes
from db import guesses
from db import organizers as queries
from db.models import ReferralCode
from db.session import Sessions

logger = logging.getLogger(__name__)

GUESS_LIMIT = 5
GUESS_WINDOW = timedelta(minutes=10)


class UnknownReferralCode(DomainError):
    """No such code, or the code or its organizer was deactivated."""


class SelfReferral(DomainError):
    """An organizer used their own code."""


class TooManyGuesses(DomainError):
    """Too many wrong codes in a short time; try again later."""


@dataclass(frozen=True)
class ReferralInfo:
    code: str
    organizer: str
    union: str


class GuessLimiter:
    """Wrong referral codes (or invite links) allowed per user per window. Kept in the
    database, so a restart or another instance does not reset the count; rows older than
    the window are deleted as new ones arrive. The log names the user, never the code."""

    def __init__(self, sessions: Sessions, limit: int = GUESS_LIMIT,
                 window: timedelta = GUESS_WINDOW, kind: str = "referral code") -> None:
        self.sessions, self.limit, self.window, self.kind = sessions, limit, window, kind

    async def check(self, telegram_user_id: int, now: datetime) -> None:
        async with self.sessions.begin() as session:
            misses = await guesses.count_since(
                session, telegram_user_id, self.kind, now - self.window)
        if misses >= self.limit:
            raise TooManyGuesses(telegram_user_id)

    async def miss(self, telegram_user_id: int, now: datetime) -> None:
        async with self.sessions.begin() as session:
            await guesses.forget_before(session, now - self.window)
            await guesses.add(session, telegram_user_id, self.kind, now)
            misses = await guesses.count_since(
                session, telegram_user_id, self.kind, now - self.window)
        logger.info("wrong %s user=%s misses=%s", self.kind, telegram_user_id, misses)


async def valid_code(
    session: AsyncSession, code: str, telegram_user_id: int | None
) -> tuple[ReferralCode, ReferralInfo]:
    """The active code row and who it belongs to; raises when it cannot be credited."""
    try:
        normalized = codes.normalize_referral_code(code)
    except DomainError:
        raise UnknownReferralCode(code) from None
    row = await queries.code_by_text(session, normalized)
    organizer = await queries.organizer(session, row.organizer_id) if row else None
    union = await queries.union(session, organizer.union_id) if organizer else None
    if row is None or not row.active or organizer is None or not organizer.active \
            or union is None or not union.active:
        raise UnknownReferralCode(normalized)
    if telegram_user_id is not None and organizer.telegram_user_id == telegram_user_id:
        raise SelfReferral(normalized)
    return row, ReferralInfo(row.code, organizer.display_name, union.short_name or union.name)


async def linked(sessions: Sessions, *, telegram_user_id: int) -> ReferralInfo | None:
    """The referral a worker's link recorded, while its code can still credit someone."""
    async with sessions.begin() as session:
        referral = await queries.referral_of(session, telegram_user_id)
        row = None if referral is None else await session.get(
            ReferralCode, referral.referral_code_id)
        if row is None:
            return None
        try:
            return (await valid_code(session, row.code, telegram_user_id))[1]
        except DomainError:
            return None


async def accept(
    sessions: Sessions, limiter: GuessLimiter, *, telegram_user_id: int, code: str,
    now: datetime,
) -> ReferralInfo:
    """A worker arrived with a code (deep link): remember it if it is their first."""
    return await _checked(sessions, limiter, telegram_user_id, code, now, remember=True)


async def check(
    sessions: Sessions, limiter: GuessLimiter, *, telegram_user_id: int, code: str,
    now: datetime,
) -> ReferralInfo:
    """Checks a code typed into the form, counting wrong guesses, without recording it."""
    return await _checked(sessions, limiter, telegram_user_id, code, now, remember=False)


async def _checked(
    sessions: Sessions, limiter: GuessLimiter, telegram_user_id: int, code: str,
    now: datetime, *, remember: bool,
) -> ReferralInfo:
    await limiter.check(telegram_user_id, now)
    try:
        async with sessions.begin() as session:
            row, info = await valid_code(session, code, telegram_user_id)
            if remember:
                await queries.add_referral_once(session, telegram_user_id, row.id, now)
                logger.info("referral accepted code=%s user=%s", row.id, telegram_user_id)
    except UnknownReferralCode:
        await limiter.miss(telegram_user_id, now)
        raise
    return info
