"""Queries on users and conversation state. Queries never commit; services do."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Conversation, QuestionLog, Ticket, TicketMessage, User
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


async def conversation(session: AsyncSession, chat_id: int, user_id: int) -> Conversation | None:
    return await session.get(Conversation, (chat_id, user_id))


async def save_conversation(
    session: AsyncSession,
    chat_id: int,
    user_id: int,
    flow: str,
    step: str,
    data: dict[str, Any],
    now: datetime,
) -> None:
    statement = insert_for(session, Conversation).values(
        chat_id=chat_id, telegram_user_id=user_id, flow=flow, step=step, data=data, updated_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=[Conversation.chat_id, Conversation.telegram_user_id],
        set_={"flow": flow, "step": step, "data": data, "updated_at": now},
    )
    await session.execute(statement)


async def delete_conversation(session: AsyncSession, chat_id: int, user_id: int) -> None:
    await session.execute(
        delete(Conversation).where(
            Conversation.chat_id == chat_id, Conversation.telegram_user_id == user_id
        )
    )


async def idle_conversations(session: AsyncSession, before: datetime) -> list[Conversation]:
    result = await session.scalars(select(Conversation).where(Conversation.updated_at < before))
    return list(result)


async def delete_conversation_if_unchanged(session: AsyncSession, row: Conversation) -> bool:
    result = await session.execute(
        delete(Conversation).where(
            Conversation.chat_id == row.chat_id,
            Conversation.telegram_user_id == row.telegram_user_id,
            Conversation.updated_at == row.updated_at,
        )
    )
    return bool(affected(result))


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
