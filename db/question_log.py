"""Queries on the question log and feedback."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Feedback, QuestionLog
from db.upsert import insert_for


async def add_question(
    session: AsyncSession, telegram_user_id: int, text: str, outcome: str,
    entry_id: str | None, confidence: float, now: datetime,
) -> int:
    # A Core INSERT ... RETURNING: no ORM object and unit of work for a row nobody reads here
    statement = insert(QuestionLog).values(
        telegram_user_id=telegram_user_id, text=text, outcome=outcome, entry_id=entry_id,
        confidence=confidence, created_at=now,
    ).returning(QuestionLog.id)
    return int((await session.execute(statement)).scalar_one())


async def question(session: AsyncSession, question_id: int) -> QuestionLog | None:
    return await session.get(QuestionLog, question_id)


async def set_feedback(
    session: AsyncSession, question_id: int, helpful: bool, now: datetime
) -> None:
    statement = insert_for(session, Feedback).values(
        question_id=question_id, helpful=helpful, created_at=now
    )
    await session.execute(statement.on_conflict_do_update(
        index_elements=[Feedback.question_id], set_={"helpful": helpful, "created_at": now}
    ))


async def latest_question(session: AsyncSession, telegram_user_id: int) -> QuestionLog | None:
    """The user's last logged question (ids grow with time; the user's index finds it)."""
    statement = (select(QuestionLog).where(QuestionLog.telegram_user_id == telegram_user_id)
                 .order_by(QuestionLog.id.desc()).limit(1))
    return (await session.scalars(statement)).first()
