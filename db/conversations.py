"""Queries on conversation rows: the open flow of a chat and user (which step, the answers so
far), saved in the transaction of the step it records. Queries never commit; services do
(bot/services/conversations.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Update, delete, event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

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


Pair = tuple[int, int]  # (chat_id, telegram_user_id)
_WRITTEN = "sinergi_conversations_written"


def watch_writes(engine: AsyncEngine, written: Callable[[Pair | None], None]) -> None:
    """Calls ``written`` with the (chat_id, telegram_user_id) of every conversation row this
    engine is about to insert or update, whichever code writes it, and again when that
    transaction ends; with None when the row cannot be told (raw SQL): any row may have.
    Deletes are not reported."""

    def before(conn: Any, _cursor: Any, statement: str, _parameters: Any, context: Any,
               _executemany: bool) -> None:
        pairs = _written_pairs(statement, context)
        if pairs:
            for pair in pairs:
                written(pair)
            conn.info.setdefault(_WRITTEN, []).extend(pairs)

    def ended(conn: Any) -> None:
        for pair in conn.info.pop(_WRITTEN, ()):
            written(pair)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "commit", ended)
    event.listen(engine.sync_engine, "rollback", ended)


def _written_pairs(statement: str, context: Any) -> list[Pair | None]:
    if Conversation.__tablename__ not in statement.lower():
        return []
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    if verb not in ("INSERT", "UPDATE", "REPLACE", "WITH"):
        return []
    compiled = getattr(getattr(context, "compiled", None), "statement", None)
    if isinstance(compiled, Insert | Update) and compiled.table is Conversation.__table__:
        pairs: list[Pair | None] = []
        for params in getattr(context, "compiled_parameters", None) or [{}]:
            chat, user = params.get("chat_id"), params.get("telegram_user_id")
            pairs.append((chat, user) if isinstance(chat, int) and isinstance(user, int)
                         else None)
        return pairs
    return [None]
