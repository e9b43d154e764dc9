"""Unions and their organizers: invites, claiming them, the organizer's code and recap.

Used by the admin command line now and by the staff group commands later, so nothing
here knows about Telegram beyond the user's numeric id.
"""

from __future__ import annotations

import logging
import random
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import errors
from bot.services import codes
from bot.services.enums import LeadStatus
from bot.services.referrals import GuessLimiter
from bot.services.registration import Kind
from db import organizers as queries
from db.models import Organizer, Union
from db.session import Sessions

logger = logging.getLogger(__name__)

MAX_NAME, MAX_SHORT_NAME = 120, 32
CODE_ATTEMPTS = 20  # a fresh random code collides rarely; give up loudly if it keeps doing so
CLAIM_ATTEMPTS = 3  # retries when a concurrent claim wins a unique constraint
INVITE_GUESSES = "invite link"  # the guess limiter's kind for invite tokens


@dataclass(frozen=True)
class UnionInfo:
    id: int
    name: str
    short_name: str


@dataclass(frozen=True)
class OrganizerInfo:
    """A linked organizer, their union and their referral code."""

    id: int
    display_name: str
    union_name: str
    union_short_name: str
    code: str


# /rekap lists this many of the newest referred workers by name (the counts cover all).
RECAP_NAMES = 30


@dataclass(frozen=True)
class ReferredWorker:
    """What an organizer may see of a worker credited to them (the consent text says so):
    the name and the status, never the NIK, phone or other answers."""

    name: str
    status: str
    registered_at: datetime
    by_you: bool  # registered by the organizer (/rujuk)


@dataclass(frozen=True)
class Recap:
    """Counts of the organizer's leads by status (every LeadStatus, zeros included), and the
    newest workers that still hold their data (an erased one is only counted)."""

    last_7_days: dict[str, int]
    last_30_days: dict[str, int]
    total: dict[str, int]
    workers: tuple[ReferredWorker, ...] = ()
    listed_of: int = 0  # how many workers hold their data, listed or not


@dataclass(frozen=True)
class LeadNews:
    """A message for the organizer a lead is credited to: who, and where it stands."""

    organizer_user_id: int
    worker_name: str
    status: str
    by_you: bool
    just_registered: bool  # stored now, not updated or changed since


@dataclass(frozen=True)
class OrganizerSummary:
    id: int
    display_name: str
    linked: bool
    active: bool
    code: str | None
    leads: int


@dataclass(frozen=True)
class UnionSummary:
    id: int
    name: str
    short_name: str
    active: bool
    organizers: tuple[OrganizerSummary, ...]


def _clean(text: str, limit: int) -> str:
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > limit:
        raise errors.InvalidName(limit)
    return cleaned


def initials(name: str) -> str:
    """A short name from a long one: "Serikat Pekerja Seluruh Indonesia" -> "SPSI"."""
    words = re.findall(r"[^\W_]+", name)
    if len(words) > 1:
        return "".join(word[0] for word in words).upper()[:MAX_SHORT_NAME]
    return name.strip()[:MAX_SHORT_NAME]


async def create_union(
    sessions: Sessions, *, name: str, short_name: str | None, now: datetime
) -> UnionInfo:
    """Adds a union; raises UnionExists when its name or short name is taken."""
    name = _clean(name, MAX_NAME)
    short = _clean(short_name if short_name is not None else initials(name), MAX_SHORT_NAME)
    try:
        async with sessions.begin() as session:
            if await queries.union_clashing(session, name, short) is not None:
                raise errors.UnionExists(short)
            union = await queries.add_union(session, name, short, now)
    except IntegrityError:
        raise errors.UnionExists(short) from None
    logger.info("union created union=%s", union.id)
    return UnionInfo(union.id, union.name, union.short_name)


async def create_invite(
    sessions: Sessions, *, union: str | int, display_name: str, created_by: int | None,
    now: datetime, valid_for: timedelta,
) -> tuple[str, int]:
    """Creates the organizer and a single-use invite for them: (token, organizer id)."""
    display_name = _clean(display_name, MAX_NAME)
    token = codes.new_invite_token()
    async with sessions.begin() as session:
        row = await (queries.union(session, union) if isinstance(union, int)
                     else queries.union_by_name(session, union))
        if row is None or not row.active:
            raise errors.UnknownUnion(union)
        organizer = await queries.add_organizer(session, row.id, display_name, now)
        invite = await queries.add_invite(session, organizer.id, token, created_by, now,
                                          now + valid_for)
    logger.info("invite created invite=%s organizer=%s union=%s", invite.id, organizer.id, row.id)
    return token, organizer.id


async def claim_invite(
    sessions: Sessions, *, token: str, telegram_user_id: int, now: datetime,
    rng: random.Random | None = None,
) -> OrganizerInfo:
    """Links the Telegram account to the invited organizer and gives them their code.

    Raises InviteUnknown, AlreadyOrganizer (an active organizer already), InviteUsed or
    InviteExpired, checked in that order. A deactivated organizer may claim a new invite.
    """
    for attempt in range(1, CLAIM_ATTEMPTS + 1):
        try:
            async with sessions.begin() as session:
                info = await _claim(session, token, telegram_user_id, now, rng)
        except IntegrityError:
            # Another claim (same account or same code) committed first: look again.
            logger.warning("invite claim raced attempt=%s", attempt)
            continue
        logger.info("invite claimed organizer=%s", info.id)
        return info
    raise errors.InviteUsed()


async def claim_invite_link(
    sessions: Sessions, *, token: str, telegram_user_id: int, now: datetime,
    limiter: GuessLimiter | None = None,
) -> OrganizerInfo:
    """An invite link was opened: claim_invite behind the limit of wrong guesses (kept in the
    database, counted apart from referral codes), an unknown token counting as one.

    Raises referrals.TooManyGuesses before looking at the token, else as claim_invite."""
    limiter = limiter or GuessLimiter(sessions, kind=INVITE_GUESSES)
    await limiter.check(telegram_user_id, now)
    try:
        return await claim_invite(sessions, token=token, telegram_user_id=telegram_user_id,
                                  now=now)
    except errors.InviteUnknown:
        await limiter.miss(telegram_user_id, now)
        raise


async def _claim(
    session: AsyncSession, token: str, telegram_user_id: int, now: datetime,
    rng: random.Random | None,
) -> OrganizerInfo:
    invite = await queries.invite_by_token(session, token)
    if invite is None:
        raise errors.InviteUnknown()
    earlier = await queries.organizer_by_user(session, telegram_user_id)
    if earlier is not None and earlier.active:
        raise errors.AlreadyOrganizer(invite.id)
    organizer = await queries.organizer(session, invite.organizer_id)
    if invite.claimed_at is not None or organizer is None or organizer.telegram_user_id:
        raise errors.InviteUsed(invite.id)
    if now >= invite.expires_at:
        raise errors.InviteExpired(invite.id)
    if not await queries.claim_invite(session, invite.id, telegram_user_id, now):
        raise errors.InviteUsed(invite.id)
    if earlier is not None:
        # Deactivated before (/nonaktifkan): the account moves to the new invite. Leads credited
        # to the old organizer stay theirs, so counts and recaps do not change.
        await queries.link_organizer(session, earlier.id, None)
    await queries.link_organizer(session, organizer.id, telegram_user_id)
    union = await queries.union(session, organizer.union_id)
    assert union is not None  # foreign key
    return await _info(session, organizer, union, now, rng)


async def _info(
    session: AsyncSession, organizer: Organizer, union: Union, now: datetime,
    rng: random.Random | None,
) -> OrganizerInfo:
    """The organizer's info, creating their one referral code if they have none yet."""
    row = await queries.code_of(session, organizer.id)
    if row is None:
        row = await queries.add_code(
            session, organizer.id, await _fresh_code(session, union.short_name, rng), now
        )
    return OrganizerInfo(organizer.id, organizer.display_name, union.name, union.short_name,
                         row.code)


async def _fresh_code(
    session: AsyncSession, short_name: str, rng: random.Random | None
) -> str:
    rng = rng or secrets.SystemRandom()
    for _attempt in range(CODE_ATTEMPTS):
        code = codes.new_referral_code(short_name, rng)
        if not await queries.code_exists(session, code):
            return code
    raise RuntimeError("no free referral code found; the code space is too small")


async def _active_organizer(
    session: AsyncSession, telegram_user_id: int
) -> tuple[Organizer, Union] | None:
    organizer = await queries.organizer_by_user(session, telegram_user_id)
    if organizer is None or not organizer.active:
        return None
    union = await queries.union(session, organizer.union_id)
    if union is None or not union.active:
        return None
    return organizer, union


async def my_code(
    sessions: Sessions, telegram_user_id: int, *, now: datetime | None = None,
    rng: random.Random | None = None,
) -> OrganizerInfo | None:
    """The active organizer linked to this account with their code; None for anyone else."""
    async with sessions.begin() as session:
        found = await _active_organizer(session, telegram_user_id)
        if found is None:
            return None
        organizer, union = found
        return await _info(session, organizer, union, now or organizer.created_at, rng)


async def recap(sessions: Sessions, telegram_user_id: int, now: datetime) -> Recap | None:
    """The organizer's leads by status for the last 7 days, 30 days and in total."""
    async with sessions.begin() as session:
        found = await _active_organizer(session, telegram_user_id)
        if found is None:
            return None
        organizer_id = found[0].id
        windows = []
        for since in (now - timedelta(days=7), now - timedelta(days=30), None):
            counts = await queries.lead_counts_by_status(session, organizer_id, since)
            windows.append({status.value: counts.get(status, 0) for status in LeadStatus})
        rows = await queries.referred_leads(session, organizer_id, RECAP_NAMES + 1)
        held = len(rows) if len(rows) <= RECAP_NAMES else await queries.held_lead_count(
            session, organizer_id)
    workers = tuple(ReferredWorker(row.full_name or "", row.status, row.created_at,
                                   row.source == Kind.ASSISTED)
                    for row in rows[:RECAP_NAMES])
    last_7_days, last_30_days, total = windows
    return Recap(last_7_days, last_30_days, total, workers=workers, listed_of=held)


async def lead_news(sessions: Sessions, *, lead_id: int) -> LeadNews | None:
    """What to tell the organizer credited with this lead; None when nobody is to be told:
    no organizer, one deactivated or not linked to Telegram, or the worker erased their data.
    """
    async with sessions.begin() as session:
        found = await queries.lead_with_organizer(session, lead_id)
    if found is None:
        return None
    lead, organizer = found
    if (not organizer.active or organizer.telegram_user_id is None
            or lead.erased_at is not None or not lead.full_name):
        return None
    return LeadNews(organizer.telegram_user_id, lead.full_name, lead.status,
                    lead.source == Kind.ASSISTED, lead.updated_at == lead.created_at)


async def list_unions(sessions: Sessions) -> list[UnionSummary]:
    """Every union with its organizers, their codes and how many leads each brought."""
    async with sessions.begin() as session:
        unions = await queries.all_unions(session)
        organizers = await queries.all_organizers(session)
        code_by_organizer = await queries.all_codes(session)
        leads = await queries.lead_counts_by_organizer(session)
    return [
        UnionSummary(union.id, union.name, union.short_name, union.active, tuple(
            OrganizerSummary(o.id, o.display_name, o.telegram_user_id is not None, o.active,
                             code_by_organizer.get(o.id), leads.get(o.id, 0))
            for o in organizers if o.union_id == union.id
        ))
        for union in unions
    ]
