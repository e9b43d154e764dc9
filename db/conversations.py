"""Queries on conversation rows: the open flow of a chat and user (which step, the answers so
far), saved in the transaction of the step it records. Queries never commit; services do
(bot/services/conversations.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Conversation
from db.results import affected
from db.upsert import insert_for


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
