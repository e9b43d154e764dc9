"""Unions and organizers administered from the staff group: the rules behind the commands.

Creating unions and invites reuses bot.services.organizers (the same rules as the command
line); this module adds reading the commands' arguments and deactivating a referral code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.errors import DomainError
from bot.services import codes, organizers
from db import followup as queries
from db import organizers as organizer_queries
from db.session import Sessions

logger = logging.getLogger(__name__)

INVITE_VALIDITY = timedelta(days=7)
SEPARATOR = "|"


class UnknownCode(DomainError):
    """No referral code like this."""


@dataclass(frozen=True)
class Invite:
    token: str
    organizer_id: int
    expires_at: datetime


@dataclass(frozen=True)
class Deactivated:
    """`was_active` is False when the code had been deactivated before."""

    code: str
    organizer: str
    leads: int
    was_active: bool


def _split(args: list[str]) -> list[str] | None:
    text = " ".join(args)
    if SEPARATOR not in text:
        return None
    return [part.strip() for part in text.split(SEPARATOR, 1)]


def union_args(args: list[str]) -> tuple[str, str | None] | None:
    """`/serikat_baru` arguments as (name, short name or None); None when there is no name.

    "Name | SHORT" is explicit; otherwise a last word of capitals (and digits) after the name
    is the short name: "Serikat Pekerja Seluruh Indonesia SPSI".
    """
    parts = _split(args)
    if parts is not None:
        return (parts[0], parts[1] or None) if parts[0] else None
    if not args:
        return None
    last = args[-1]
    if len(args) > 1 and last.upper() == last and any(c.isalpha() for c in last):
        return " ".join(args[:-1]), last
    return " ".join(args), None


def invite_args(args: list[str]) -> tuple[str, str] | None:
    """`/undang` arguments as (union, organizer name): "SPSI Budi Santoso" or
    "Serikat Pekerja Seluruh Indonesia | Budi Santoso"; None when one is missing."""
    parts = _split(args)
    if parts is None:
        parts = [args[0], " ".join(args[1:])] if args else []
    return (parts[0], parts[1]) if len(parts) == 2 and all(parts) else None


async def invite(
    sessions: Sessions, *, union: str, display_name: str, created_by: int, now: datetime,
    valid_for: timedelta = INVITE_VALIDITY,
) -> Invite:
    """A new organizer of `union` and their single-use invite (UnknownUnion, InvalidName)."""
    token, organizer_id = await organizers.create_invite(
        sessions, union=union, display_name=display_name, created_by=created_by, now=now,
        valid_for=valid_for,
    )
    return Invite(token, organizer_id, now + valid_for)


async def deactivate(sessions: Sessions, *, code: str, by: int) -> Deactivated:
    """Stops a referral code and its organizer from being credited with new leads.

    Leads already credited keep their organizer, so recaps and counts do not change.
    """
    try:
        normalized = codes.normalize_referral_code(code)
    except DomainError:
        raise UnknownCode(code) from None
    async with sessions.begin() as session:
        row = await queries.code_for_update(session, normalized)
        if row is None:
            raise UnknownCode(normalized)
        organizer = await organizer_queries.organizer(session, row.organizer_id)
        assert organizer is not None  # foreign key
        was_active = row.active and organizer.active
        await queries.deactivate_code(session, row.id, organizer.id)
        leads = sum((await organizer_queries.lead_counts_by_status(
            session, organizer.id, None)).values())
        result = Deactivated(row.code, organizer.display_name, leads, was_active)
    logger.info("referral code deactivated code=%s organizer=%s by=%s", row.id,
                organizer.id, by)
    return result
