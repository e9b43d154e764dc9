"""Erasure: /hapusdata and the retention job take one path, which leaves no copy behind.

What goes: the lead's personal fields (name, NIK, phone, employer, KPJ, where the NIK was
issued, the Telegram account, a typed occupation: only its listed category stays) and its
status notes; every open form of the worker and any other form that holds the NIK or
updates the lead; the referral; questions to the bot; the texts and first name of questions
to staff (their tickets close); which broadcasts reached the worker. The bot's copies of
the worker's questions in the staff groups are for the caller to remove (Erasure lists
them; Telegram is not the services' business). The anonymous row stays for the counts.

Counting a person once: with a key (NIK_HASH_KEY) the anonymous row keeps a keyed
fingerprint of the NIK (HMAC-SHA256). When the same NIK registers again, the new lead
replaces that row (bot/services/leads.submit deletes it), so the person counts once and
the credit follows the new registration. The fingerprint is forgotten when the retention
period of its registration ends, like everything else.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.validators import OCCUPATIONS, OTHER_OCCUPATION
from db import erasure as queries
from db import leads as lead_queries
from db import users as user_queries
from db.models import Lead
from db.session import Sessions

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffCopy:
    """The bot's copy, in a staff group, of a message the worker wrote to staff."""

    chat_id: int
    message_id: int
    ticket_id: int


@dataclass(frozen=True)
class Erasure:
    """What one erasure did: `found` is False when nothing about the user was stored."""

    found: bool
    lead_ids: tuple[int, ...] = ()
    staff_copies: tuple[StaffCopy, ...] = ()


def fingerprint(nik: str, key: bytes) -> str:
    """The keyed fingerprint of a NIK: without the key it cannot be recomputed, so the
    16 digits (a small space) cannot be found by trying them all."""
    return hmac.new(key, nik.encode(), hashlib.sha256).hexdigest()


def kept_occupation(occupation: str | None) -> str | None:
    """What stays of the work: a listed category, or "Lainnya" for typed text."""
    if occupation is None or occupation in OCCUPATIONS:
        return occupation
    return OTHER_OCCUPATION


async def holds_data(sessions: Sessions, *, telegram_user_id: int) -> bool:
    async with sessions.begin() as session:
        return await queries.holds_data(session, telegram_user_id)


async def erase_own(
    sessions: Sessions, *, telegram_user_id: int, now: datetime, nik_key: bytes | None = None
) -> Erasure:
    """/hapusdata: erases everything the user gave (see the module's docstring)."""
    async with sessions.begin() as session:
        found = await queries.holds_data(session, telegram_user_id)
        row = await lead_queries.lead_by_user(session, telegram_user_id)
        rows = [row] if row is not None else []
        copies = await _erase(session, rows, {telegram_user_id}, now, nik_key)
    if found:
        await compact(sessions)
    if row is not None:
        logger.info("lead erased lead=%s", row.id)
    return Erasure(found, tuple(r.id for r in rows), tuple(copies))


async def erase_expired(
    sessions: Sessions, *, now: datetime, retention: timedelta
) -> list[Erasure]:
    """Erases, through the same path as /hapusdata, the leads registered longer ago than the
    retention period promised at consent, and forgets the NIK fingerprints of erased leads
    as old. Returns one Erasure per lead erased now."""
    cutoff = now - retention
    erasures = []
    async with sessions.begin() as session:
        forgotten = await queries.forget_fingerprints(session, cutoff)
        for row in await queries.expired_leads(session, cutoff):
            users = {row.telegram_user_id} if row.telegram_user_id is not None else set()
            copies = await _erase(session, [row], users, now, None)
            erasures.append(Erasure(True, (row.id,), tuple(copies)))
    if erasures or forgotten:
        await compact(sessions)
        logger.info("retention: erased %s leads, forgot %s fingerprints", len(erasures),
                    forgotten)
    return erasures


async def compact(sessions: Sessions) -> None:
    """After an erasure: erased values leave SQLite's write-ahead log (db/erasure.py)."""
    async with sessions() as session:
        await queries.truncate_wal(session)


async def _erase(
    session: AsyncSession, rows: Iterable[Lead], user_ids: set[int], now: datetime,
    nik_key: bytes | None,
) -> list[StaffCopy]:
    """The one erase path: the leads `rows` and everything the users `user_ids` gave."""
    rows = list(rows)
    copies: list[StaffCopy] = []
    for user in user_ids:
        copies += [StaffCopy(*copy) for copy in await queries.staff_copies(session, user)]
        await user_queries.erase_texts_of(session, user)
        await queries.close_tickets(session, user, now)
        await queries.delete_deliveries(session, user)
        await queries.delete_referral(session, user)
    await queries.delete_forms(session, user_ids=user_ids,
                               niks={row.nik for row in rows if row.nik},
                               lead_ids={row.id for row in rows})
    for row in rows:
        nik_hash = fingerprint(row.nik, nik_key) if row.nik and nik_key else None
        await queries.erase_lead(session, row.id, now, occupation=kept_occupation(row.occupation),
                                 nik_hash=nik_hash)
    return copies


async def forget_erased_registration(session: AsyncSession, nik: str,
                                     nik_key: bytes | None) -> None:
    """A registration of `nik` replaces the anonymous row an erased one left (counted once)."""
    if nik_key is not None and await queries.delete_erased_with_hash(
            session, fingerprint(nik, nik_key)):
        logger.info("an erased registration was replaced by a new one")
