"""Referral codes brought by workers: checking them and remembering who referred whom."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import DomainError
from bot.services import codes
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
    """Wrong referral codes (or invite links) allowed per user per window (kept in memory,
    per process). The log names the user, never the code they tried."""

    def __init__(self, limit: int = GUESS_LIMIT, window: timedelta = GUESS_WINDOW,
                 kind: str = "referral code") -> None:
        self.limit, self.window, self.kind = limit, window, kind
        self._misses: dict[int, list[datetime]] = {}

    def check(self, telegram_user_id: int, now: datetime) -> None:
        recent = [t for t in self._misses.get(telegram_user_id, []) if t > now - self.window]
        self._misses[telegram_user_id] = recent
        if len(recent) >= self.limit:
            raise TooManyGuesses(telegram_user_id)

    def miss(self, telegram_user_id: int, now: datetime) -> None:
        self._misses.setdefault(telegram_user_id, []).append(now)
        logger.info("wrong %s user=%s misses=%s", self.kind, telegram_user_id,
                    len(self._misses[telegram_user_id]))


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
    limiter.check(telegram_user_id, now)
    async with sessions.begin() as session:
        try:
            row, info = await valid_code(session, code, telegram_user_id)
        except UnknownReferralCode:
            limiter.miss(telegram_user_id, now)
            raise
        if remember:
            await queries.add_referral_once(session, telegram_user_id, row.id, now)
            logger.info("referral accepted code=%s user=%s", row.id, telegram_user_id)
    return info
