"""Queries behind /pertanyaan: what the bot could not answer, and the answers with 👎."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Feedback, QuestionLog


async def weak_question_texts(session: AsyncSession, since: datetime) -> list[tuple[str, int]]:
    """(text, times asked) of questions without a confident answer since `since`.

    Grouped on the exact text here; the service merges spellings (case, spaces).
    """
    rows = await session.execute(
        select(QuestionLog.text, func.count())
        .where(QuestionLog.created_at >= since, QuestionLog.outcome.in_(("none", "suggest")))
        .group_by(QuestionLog.text)
    )
    return [(text, count) for text, count in rows]


async def disliked_answers(session: AsyncSession, since: datetime,
                           limit: int) -> list[tuple[str, int, int]]:
    """(entry_id, 👎 count, all feedback) of answers with any 👎 since `since`, most 👎 first."""
    down = func.sum(case((Feedback.helpful.is_(False), 1), else_=0))
    rows = await session.execute(
        select(QuestionLog.entry_id, down, func.count())
        .join(Feedback, Feedback.question_id == QuestionLog.id)
        .where(QuestionLog.entry_id.is_not(None), Feedback.created_at >= since)
        .group_by(QuestionLog.entry_id)
        .having(down > 0)
        .order_by(down.desc(), QuestionLog.entry_id)
        .limit(limit)
    )
    return [(entry_id, int(bad), int(total)) for entry_id, bad, total in rows]
