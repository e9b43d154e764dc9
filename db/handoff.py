"""Queries on tickets (questions handed to staff) and their threads. They never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, distinct, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Conversation, QuestionLog, Ticket, TicketMessage
from db.results import affected
from db.upsert import insert_for

HANDOFF_FLOW = "handoff"


async def open_ticket_of(session: AsyncSession, telegram_user_id: int,
                         active_since: datetime) -> Ticket | None:
    """The worker's newest open ticket with activity since `active_since`."""
    return await session.scalar(
        select(Ticket)
        .where(Ticket.telegram_user_id == telegram_user_id, Ticket.status == "open",
               Ticket.updated_at >= active_since)
        .order_by(Ticket.id.desc())
        .limit(1)
    )


async def add_ticket(session: AsyncSession, telegram_user_id: int, first_name: str,
                     now: datetime) -> Ticket:
    ticket = Ticket(telegram_user_id=telegram_user_id, chat_id=telegram_user_id,
                    first_name=first_name, status="open", created_at=now, updated_at=now)
    session.add(ticket)
    await session.flush()
    return ticket


async def ticket(session: AsyncSession, ticket_id: int) -> Ticket | None:
    return await session.get(Ticket, ticket_id)


async def touch_ticket(session: AsyncSession, ticket_id: int, now: datetime) -> None:
    await session.execute(update(Ticket).where(Ticket.id == ticket_id).values(updated_at=now))


async def close_ticket(session: AsyncSession, ticket_id: int, now: datetime) -> bool:
    """Closes an open ticket; False when it was closed already."""
    result = await session.execute(
        update(Ticket).where(Ticket.id == ticket_id, Ticket.status == "open")
        .values(status="closed", updated_at=now)
    )
    return bool(affected(result))


async def add_message(
    session: AsyncSession, ticket_id: int, direction: str, text: str, now: datetime, *,
    staff_chat_id: int | None = None, staff_message_id: int | None = None,
    author_id: int | None = None,
) -> None:
    session.add(TicketMessage(
        ticket_id=ticket_id, direction=direction, text=text, staff_chat_id=staff_chat_id,
        staff_message_id=staff_message_id, author_id=author_id, created_at=now,
    ))


async def add_worker_message(session: AsyncSession, ticket_id: int, text: str, now: datetime,
                             staff_chat_id: int) -> int:
    """A worker's message for one staff chat, its copy not posted yet; returns the row id."""
    row = TicketMessage(ticket_id=ticket_id, direction="worker", text=text,
                        staff_chat_id=staff_chat_id, created_at=now)
    session.add(row)
    await session.flush()
    return row.id


async def set_copy(session: AsyncSession, row_id: int, staff_message_id: int) -> None:
    await session.execute(update(TicketMessage).where(TicketMessage.id == row_id)
                          .values(staff_message_id=staff_message_id))


async def delete_messages(session: AsyncSession, row_ids: list[int]) -> None:
    if row_ids:
        await session.execute(delete(TicketMessage).where(TicketMessage.id.in_(row_ids)))


async def last_worker_text(session: AsyncSession, ticket_id: int) -> str | None:
    return await session.scalar(
        select(TicketMessage.text)
        .where(TicketMessage.ticket_id == ticket_id, TicketMessage.direction == "worker")
        .order_by(TicketMessage.id.desc())
        .limit(1)
    )


async def worker_messages_since(session: AsyncSession, ticket_id: int, since: datetime) -> int:
    """The worker's messages in the thread after `since` and after the last staff answer
    (a message copied to two groups is one message: its rows share the time)."""
    last_answer = await session.scalar(
        select(func.max(TicketMessage.created_at))
        .where(TicketMessage.ticket_id == ticket_id, TicketMessage.direction == "staff"))
    if last_answer is not None and last_answer > since:
        since = last_answer
    return int(await session.scalar(
        select(func.count(distinct(TicketMessage.created_at)))
        .where(TicketMessage.ticket_id == ticket_id, TicketMessage.direction == "worker",
               TicketMessage.created_at > since)) or 0)


async def staff_answers(session: AsyncSession, ticket_id: int) -> int:
    """How many staff answers reached the worker in the ticket's thread."""
    return int(await session.scalar(
        select(func.count()).select_from(TicketMessage)
        .where(TicketMessage.ticket_id == ticket_id, TicketMessage.direction == "staff")) or 0)


async def unposted_messages(session: AsyncSession, since: datetime,
                            before: datetime) -> list[TicketMessage]:
    """Workers' messages of open tickets recorded for a staff chat between `since` and
    `before` whose copy there has no message id: never posted, or posted and not noted."""
    return list(await session.scalars(
        select(TicketMessage).join(Ticket, TicketMessage.ticket_id == Ticket.id)
        .where(TicketMessage.direction == "worker", TicketMessage.staff_message_id.is_(None),
               TicketMessage.staff_chat_id.is_not(None), TicketMessage.created_at >= since,
               TicketMessage.created_at < before, Ticket.status == "open")
        .order_by(TicketMessage.id)))


async def first_worker_message(session: AsyncSession, ticket_id: int) -> int | None:
    return await session.scalar(
        select(func.min(TicketMessage.id))
        .where(TicketMessage.ticket_id == ticket_id, TicketMessage.direction == "worker"))


async def first_copies(session: AsyncSession, ticket_id: int) -> dict[int, int]:
    """The first copy of the ticket in each staff chat: {chat_id: message_id}."""
    rows = await session.execute(
        select(TicketMessage.staff_chat_id, TicketMessage.staff_message_id)
        .where(TicketMessage.ticket_id == ticket_id, TicketMessage.direction == "worker",
               TicketMessage.staff_chat_id.is_not(None))
        .order_by(TicketMessage.id)
    )
    copies: dict[int, int] = {}
    for chat_id, message_id in rows:
        if chat_id is not None and message_id is not None:
            copies.setdefault(chat_id, message_id)
    return copies


async def ticket_by_copy(session: AsyncSession, chat_id: int, message_id: int) -> Ticket | None:
    """The ticket whose thread has the bot's copy `message_id` in the staff chat `chat_id`."""
    return await session.scalar(
        select(Ticket).join(TicketMessage, TicketMessage.ticket_id == Ticket.id)
        .where(TicketMessage.staff_chat_id == chat_id,
               TicketMessage.staff_message_id == message_id,
               TicketMessage.direction == "worker")
        .limit(1)
    )


async def keep_flow(session: AsyncSession, telegram_user_id: int, data: dict[str, Any],
                    now: datetime, *, replace_other: bool) -> None:
    """Opens or refreshes the worker's handoff flow (a conversation row in their chat).

    With `replace_other` False, a different open flow (a form being filled in) is left alone.
    """
    statement = insert_for(session, Conversation).values(
        chat_id=telegram_user_id, telegram_user_id=telegram_user_id, flow=HANDOFF_FLOW,
        step="thread", data=data, updated_at=now,
    )
    values = {"flow": HANDOFF_FLOW, "step": "thread", "data": data, "updated_at": now}
    await session.execute(statement.on_conflict_do_update(
        index_elements=[Conversation.chat_id, Conversation.telegram_user_id], set_=values,
        where=None if replace_other else Conversation.flow == HANDOFF_FLOW,
    ))


async def end_flow(session: AsyncSession, telegram_user_id: int, ticket_id: int) -> None:
    """Closes the worker's handoff flow if it belongs to `ticket_id`."""
    row = await session.get(Conversation, (telegram_user_id, telegram_user_id))
    if row is None or row.flow != HANDOFF_FLOW or (row.data or {}).get("ticket") != ticket_id:
        return
    await session.execute(delete(Conversation).where(
        Conversation.chat_id == telegram_user_id,
        Conversation.telegram_user_id == telegram_user_id, Conversation.flow == HANDOFF_FLOW,
    ))


async def question(session: AsyncSession, question_id: int) -> QuestionLog | None:
    return await session.get(QuestionLog, question_id)
