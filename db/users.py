"""Queries on users (seen, language, blocked) and erasing what they wrote. Queries never
commit; services do. The state of open flows is in db/conversations.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import QuestionLog, Ticket, TicketMessage, User
from db.results import affected
from db.upsert import insert_for


async def touch_user(session: AsyncSession, telegram_user_id: int, now: datetime) -> str | None:
    """Records that the user was seen and returns their chosen language."""
    statement = insert_for(session, User).values(
        telegram_user_id=telegram_user_id, first_seen=now, last_seen=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=[User.telegram_user_id],
        set_={"last_seen": now, "blocked_at": None},
    ).returning(User.language)
    language: str | None = (await session.execute(statement)).scalar_one()
    return language


async def language(session: AsyncSession, telegram_user_id: int) -> str | None:
    return await session.scalar(
        select(User.language).where(User.telegram_user_id == telegram_user_id)
    )


async def set_language(session: AsyncSession, telegram_user_id: int, language: str) -> None:
    await session.execute(
        update(User).where(User.telegram_user_id == telegram_user_id).values(language=language)
    )


async def mark_blocked(session: AsyncSession, telegram_user_id: int, now: datetime) -> None:
    await session.execute(
        update(User).where(User.telegram_user_id == telegram_user_id).values(blocked_at=now)
    )


async def erase_texts_of(session: AsyncSession, telegram_user_id: int) -> int:
    """Deletes what the user wrote to the bot and to staff (questions, ticket threads),
    keeping the ticket rows for the counts. Returns how many rows held text."""
    questions = await session.execute(
        delete(QuestionLog).where(QuestionLog.telegram_user_id == telegram_user_id)
    )
    tickets = select(Ticket.id).where(Ticket.telegram_user_id == telegram_user_id)
    messages = await session.execute(
        update(TicketMessage).where(TicketMessage.ticket_id.in_(tickets)).values(text="")
    )
    await session.execute(
        update(Ticket).where(Ticket.telegram_user_id == telegram_user_id).values(first_name=None)
    )
    return affected(questions) + affected(messages)
