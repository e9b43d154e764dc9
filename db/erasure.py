"""Queries of the erase path (bot/services/erasure.py). They never commit."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    BroadcastDelivery,
    Conversation,
    Lead,
    LeadStatusChange,
    QuestionLog,
    Referral,
    Ticket,
    TicketMessage,
)
from db.results import affected

# Emptied on erasure; the row keeps segment, region, programmes, band, status and dates.
PERSONAL_FIELDS = ("full_name", "nik", "phone", "employer", "kpj_number", "nik_region",
                   "telegram_user_id")


async def holds_data(session: AsyncSession, telegram_user_id: int) -> bool:
    """Whether anything the user gave is stored: a lead, an open form, a question to the bot,
    a question to staff that still has its text or the user's first name."""
    user = telegram_user_id
    tickets = select(Ticket.id).where(Ticket.telegram_user_id == user)
    found = select(
        exists().where(Lead.telegram_user_id == user)
        | exists().where(Conversation.telegram_user_id == user)
        | exists().where(QuestionLog.telegram_user_id == user)
        | exists().where(Ticket.telegram_user_id == user, Ticket.first_name.is_not(None))
        | exists().where(TicketMessage.ticket_id.in_(tickets), TicketMessage.text != "")
    )
    return bool(await session.scalar(found))


async def staff_copies(session: AsyncSession, telegram_user_id: int) -> list[tuple[int, int, int]]:
    """(chat id, message id, ticket id) of the bot's copies in the staff groups of what the
    user wrote to staff, not yet erased (an erased message has an empty text)."""
    rows = await session.execute(
        select(TicketMessage.staff_chat_id, TicketMessage.staff_message_id,
               TicketMessage.ticket_id)
        .join(Ticket, Ticket.id == TicketMessage.ticket_id)
        .where(Ticket.telegram_user_id == telegram_user_id, TicketMessage.direction == "worker",
               TicketMessage.staff_message_id.is_not(None), TicketMessage.text != "")
        .order_by(TicketMessage.id)
    )
    return [(int(chat), int(message), int(ticket)) for chat, message, ticket in rows.all()
            # Both are set together, and the query excludes a missing copy: for mypy.
            if chat is not None and message is not None]


async def close_tickets(session: AsyncSession, telegram_user_id: int, now: datetime) -> None:
    """An erased worker's open questions end: a new question opens a new ticket."""
    await session.execute(
        update(Ticket).where(Ticket.telegram_user_id == telegram_user_id, Ticket.status == "open")
        .values(status="closed", updated_at=now)
    )


async def delete_deliveries(session: AsyncSession, telegram_user_id: int) -> None:
    """Which broadcasts reached the user; a broadcast under way skips a row it cannot claim."""
    await session.execute(
        delete(BroadcastDelivery).where(BroadcastDelivery.telegram_user_id == telegram_user_id)
    )


async def delete_referral(session: AsyncSession, telegram_user_id: int) -> None:
    await session.execute(delete(Referral).where(Referral.telegram_user_id == telegram_user_id))


def _holds(data: Any, niks: Collection[str], lead_ids: Collection[int]) -> bool:
    return isinstance(data, dict) and (data.get("nik") in niks or data.get("lead_id") in lead_ids)


async def delete_forms(
    session: AsyncSession, *, user_ids: Collection[int], niks: Collection[str],
    lead_ids: Collection[int],
) -> int:
    """Deletes the users' open flows and every other open form that holds one of the NIKs or
    updates one of the leads (an organizer's /rujuk form with the same NIK, say).

    Open flows are few (a form closes after CONVERSATION_TIMEOUT_MINUTES, a handoff thread
    after a day), so their JSON is read here rather than queried in two SQL dialects.
    """
    rows = (await session.execute(
        select(Conversation.chat_id, Conversation.telegram_user_id, Conversation.data)
    )).all()
    doomed = [(chat, user) for chat, user, data in rows
              if user in user_ids or _holds(data, niks, lead_ids)]
    for chat, user in doomed:
        await session.execute(delete(Conversation).where(
            Conversation.chat_id == chat, Conversation.telegram_user_id == user))
    return len(doomed)


async def erase_lead(
    session: AsyncSession, lead_id: int, now: datetime, *, occupation: str | None,
    nik_hash: str | None,
) -> None:
    """Empties the personal fields and the status notes; keeps the row for the counts."""
    values: dict[str, Any] = dict.fromkeys(PERSONAL_FIELDS)
    values.update(erased_at=now, updated_at=now, broadcast_opt_in=False, occupation=occupation,
                  nik_hash=nik_hash)
    await session.execute(update(Lead).where(Lead.id == lead_id).values(**values))
    await session.execute(
        update(LeadStatusChange).where(LeadStatusChange.lead_id == lead_id).values(note=None)
    )


async def delete_erased_with_hash(session: AsyncSession, nik_hash: str) -> int:
    """Deletes the anonymous rows an erased registration of this NIK left (they counted the
    same person); returns how many.

    Never the newest lead: SQLite gives the next row the highest id plus one, so deleting
    the newest would hand its id, still on its staff cards' buttons, to the next lead. Called
    after the new lead is added, the erased row is older than it.
    """
    newest = select(func.max(Lead.id)).scalar_subquery()
    result = await session.execute(
        delete(Lead).where(Lead.nik_hash == nik_hash, Lead.erased_at.is_not(None),
                           Lead.id < newest)
    )
    return affected(result)


async def expired_leads(session: AsyncSession, cutoff: datetime) -> list[Lead]:
    """Leads registered before `cutoff` whose personal fields are still there."""
    return list(await session.scalars(
        select(Lead).where(Lead.created_at < cutoff, Lead.erased_at.is_(None)).order_by(Lead.id)
    ))


async def forget_fingerprints(session: AsyncSession, cutoff: datetime) -> int:
    """NIK fingerprints of leads registered before `cutoff` are kept no longer."""
    result = await session.execute(
        update(Lead).where(Lead.created_at < cutoff, Lead.nik_hash.is_not(None))
        .values(nik_hash=None)
    )
    return affected(result)


async def truncate_wal(session: AsyncSession) -> None:
    """SQLite: copies the write-ahead log into the database file and empties it, so erased
    values do not linger in the -wal file (with secure_delete on, db/session.py, the
    database file holds zeros where they were). A reader elsewhere (a backup) may keep the
    log from being emptied; the next erasure tries again. Nothing to do on PostgreSQL."""
    if session.get_bind().dialect.name != "sqlite":
        return
    await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

