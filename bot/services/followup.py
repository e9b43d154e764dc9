"""Staff follow-up of leads: what a staff group sees of a lead, and changing its status.

The announcement of a lead carries no NIK and no phone number: staff look those up where
they work on the lead. A lead erased by its worker keeps its status and counts, no name.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import DomainError
from bot.services.enums import LeadStatus
from bot.services.leads import contact_via_organizer
from db import followup as queries
from db import leads as lead_queries
from db.session import Sessions

logger = logging.getLogger(__name__)

# The statuses staff set with a button; "minat" is where every lead starts.
BUTTON_STATUSES = (LeadStatus.DIHUBUNGI, LeadStatus.TERDAFTAR, LeadStatus.TIDAK_BERMINAT)
KPJ_DIGITS = 11
# At start, leads of this last stretch that no staff group has seen get their card.
MISSED_WITHIN = timedelta(days=7)
_SEPARATORS = re.compile(r"[\s.\-]+")


class UnknownLead(DomainError):
    """No lead with this number."""


class UnknownStatus(DomainError):
    """Not one of the status words (minat, dihubungi, terdaftar, tidak berminat)."""


class InvalidKpj(DomainError):
    """A KPJ membership number has exactly 11 digits."""


class KpjNeedsRegistered(DomainError):
    """A KPJ number is stored only with the status terdaftar."""


class LeadErased(DomainError):
    """The worker erased their data; no new personal data (a KPJ number) is stored."""


@dataclass(frozen=True)
class StatusChange:
    status: str
    changed_by: int | None  # None: set by the bot (a new lead is "minat")
    changed_at: datetime


@dataclass(frozen=True)
class LeadCard:
    """What a staff group sees of a lead: never the NIK or the phone number."""

    id: int
    segment: str
    name: str | None  # None once the worker erased their data
    occupation: str | None
    kecamatan: str | None
    kabupaten: str | None
    union: str | None
    organizer: str | None
    source: str  # "self" or "organizer" (bot.services.registration.Kind)
    created_at: datetime
    status: str
    kpj_recorded: bool
    last_change: StatusChange | None
    # A worker without a phone (/rujuk): the Telegram account of the organizer to reach
    # them through; None for everyone else.
    reach_through: int | None = None


@dataclass(frozen=True)
class StatusResult:
    """`changed` is False when the lead already had this status (and this KPJ)."""

    changed: bool
    card: LeadCard
    messages: tuple[tuple[int, int], ...]  # (chat id, message id) announcing the lead


def parse_status(words: str) -> str:
    """ "Tidak berminat", "tidak_berminat", "TIDAK-BERMINAT" -> "tidak_berminat"."""
    status = "_".join(re.split(r"[\s_\-]+", words.strip().lower()))
    known = LeadStatus.of(status)
    if known is None:
        raise UnknownStatus(words)
    return known.value


def normalize_kpj(text: str) -> str:
    """The 11 digits of a KPJ number; spaces, dots and dashes between them are allowed."""
    digits = _SEPARATORS.sub("", text)
    if not (digits.isascii() and digits.isdigit() and len(digits) == KPJ_DIGITS):
        raise InvalidKpj(len(digits))
    return digits


def status_args(args: list[str]) -> tuple[int, str, str | None] | None:
    """/status arguments: "12 tidak berminat", "#12 terdaftar 12345678901" ->
    (lead number, status words, KPJ or None); None when the number or status is missing."""
    if len(args) < 2 or not args[0].lstrip("#").isdigit():
        return None
    words, rest = (" ".join(args[1:3]), args[3:]) if args[1].lower() == "tidak" \
        else (args[1], args[2:])
    return int(args[0].lstrip("#")), words, " ".join(rest) or None


async def lead_card(sessions: Sessions, *, lead_id: int) -> tuple[LeadCard, int]:
    """The lead as staff see it and how many staff-group messages announced it already."""
    async with sessions.begin() as session:
        card = await _card(session, lead_id)
        return card, len(await queries.notifications(session, lead_id))


async def lead_cards(
    sessions: Sessions, *, lead_ids: Iterable[int]
) -> list[tuple[LeadCard, bool]]:
    """The leads as staff see them, each with whether a staff group saw it before (its data
    was updated since); leads deleted meanwhile are left out."""
    cards = []
    async with sessions.begin() as session:
        for lead_id in lead_ids:
            try:
                card = await _card(session, lead_id)
            except UnknownLead:
                continue
            seen = bool(await queries.notifications(session, lead_id)
                        or await queries.combined_cards_of(session, lead_id))
            cards.append((card, seen))
    return cards


async def record_combined(
    sessions: Sessions, *, lead_ids: list[int], chat_id: int, message_id: int
) -> None:
    """The leads listed in a combined card: announced, and found by its buttons."""
    async with sessions.begin() as session:
        await queries.add_combined(session, lead_ids, chat_id, message_id)


async def combined_card(sessions: Sessions, *, chat_id: int, message_id: int) -> list[LeadCard]:
    """The leads of one combined card as staff see them now (e.g. after an erasure)."""
    async with sessions.begin() as session:
        lead_ids = await queries.combined_leads(session, chat_id, message_id)
    return [card for card, _seen in await lead_cards(sessions, lead_ids=lead_ids)]


async def combined_cards_of(sessions: Sessions, *, lead_id: int) -> list[tuple[int, int]]:
    async with sessions.begin() as session:
        return await queries.combined_cards_of(session, lead_id)


@dataclass(frozen=True)
class Contact:
    """What the "📞 Nomor" button shows one staff member: the phone and the KPJ number."""

    lead_id: int
    phone: str | None  # None: registered without a phone of their own
    kpj: str | None


async def show_contact(
    sessions: Sessions, *, lead_id: int, viewed_by: int, chat_id: int, now: datetime
) -> Contact:
    """The lead's phone and KPJ number for one staff member, recorded in the audit log
    (lead_data_views) in the same transaction. Raises UnknownLead or LeadErased."""
    async with sessions.begin() as session:
        found = await queries.lead_with_origin(session, lead_id)
        if found is None:
            raise UnknownLead(lead_id)
        lead = found[0]
        if lead.erased_at is not None:
            raise LeadErased(lead_id)
        await queries.add_data_view(session, lead_id, viewed_by, chat_id, "phone", now)
        contact = Contact(lead_id, lead.phone, lead.kpj_number)
    logger.info("lead contact shown lead=%s to=%s", lead_id, viewed_by)
    return contact


async def unannounced(sessions: Sessions, *, now: datetime) -> list[int]:
    """Leads of the last MISSED_WITHIN that no staff group has seen: the process stopped
    while their cards waited for Telegram, or no group could be reached then."""
    async with sessions.begin() as session:
        return await queries.unannounced(session, now - MISSED_WITHIN)


async def record_notifications(
    sessions: Sessions, *, lead_id: int, messages: Iterable[tuple[int, int]]
) -> None:
    async with sessions.begin() as session:
        for chat_id, message_id in messages:
            await queries.add_notification(session, lead_id, chat_id, message_id)


async def current(sessions: Sessions, *, lead_id: int) -> StatusResult:
    """The lead as staff see it now, with its announcements (UnknownLead)."""
    async with sessions.begin() as session:
        card = await _card(session, lead_id)
        return StatusResult(False, card, tuple(await queries.notifications(session, lead_id)))


async def set_status(
    sessions: Sessions, *, lead_id: int, status: str, changed_by: int, now: datetime,
    kpj: str | None = None,
) -> StatusResult:
    """Sets the status, recording who and when; a KPJ number only with "terdaftar".

    Raises UnknownStatus, InvalidKpj, KpjNeedsRegistered, UnknownLead or LeadErased.
    """
    status = parse_status(status)
    if kpj is not None:
        kpj = normalize_kpj(kpj)
        if status != LeadStatus.TERDAFTAR:
            raise KpjNeedsRegistered(status)
    async with sessions.begin() as session:
        lead = await queries.lead_for_update(session, lead_id)
        if lead is None:
            raise UnknownLead(lead_id)
        if kpj is not None and lead.erased_at is not None:
            raise LeadErased(lead_id)
        changed = lead.status != status or (kpj is not None and kpj != lead.kpj_number)
        if changed:
            await queries.set_status(session, lead_id, status, now, kpj)
            await _history(session, lead_id, status, changed_by, now, kpj is not None)
            await session.refresh(lead)
        card = await _card(session, lead_id)
        messages = tuple(await queries.notifications(session, lead_id))
    if changed:
        logger.info("lead status lead=%s status=%s by=%s", lead_id, status, changed_by)
    return StatusResult(changed, card, messages)


async def _history(
    session: AsyncSession, lead_id: int, status: str, changed_by: int, now: datetime,
    with_kpj: bool,
) -> None:
    # The note says that a KPJ was given, never the number: erasure empties notes anyway.
    await lead_queries.add_status_change(session, lead_id, status, changed_by, now,
                                         "kpj" if with_kpj else None)


async def _card(session: AsyncSession, lead_id: int) -> LeadCard:
    found = await queries.lead_with_origin(session, lead_id)
    if found is None:
        raise UnknownLead(lead_id)
    lead, organizer, union = found
    change = await queries.last_change(session, lead_id)
    return LeadCard(
        id=lead.id, segment=lead.segment,
        name=None if lead.erased_at is not None else lead.full_name,
        occupation=lead.occupation, kecamatan=lead.kecamatan, kabupaten=lead.kabupaten,
        union=union, organizer=organizer, source=lead.source, created_at=lead.created_at,
        status=lead.status, kpj_recorded=lead.kpj_number is not None,
        last_change=None if change is None else StatusChange(
            change.status, change.changed_by, change.changed_at),
        reach_through=lead.registered_by if contact_via_organizer(lead) else None,
    )
