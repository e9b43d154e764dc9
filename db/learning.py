"""Queries for learning from staff: attached phrasings and drafts of new entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import FaqDraft, Feedback, LearnedPhrasing, QuestionLog, TicketMessage


async def question(session: AsyncSession, question_id: int) -> QuestionLog | None:
    return await session.get(QuestionLog, question_id)


async def add_phrasing(session: AsyncSession, *, text: str, entry_id: str | None,
                       question_id: int | None, created_by: int, now: datetime) -> int:
    row = LearnedPhrasing(text=text, entry_id=entry_id, out_of_scope=entry_id is None,
                          question_id=question_id, created_by=created_by, created_at=now)
    session.add(row)
    await session.flush()
    return row.id


async def phrasings(session: AsyncSession) -> list[LearnedPhrasing]:
    """Every attached phrasing and out-of-scope example, oldest first."""
    rows = await session.scalars(select(LearnedPhrasing).order_by(LearnedPhrasing.id))
    return list(rows)


async def staff_message(session: AsyncSession, chat_id: int,
                        message_id: int) -> TicketMessage | None:
    """A staff reply delivered to a worker, by the staff member's own message in the group."""
    return await session.scalar(
        select(TicketMessage).where(TicketMessage.staff_chat_id == chat_id,
                                    TicketMessage.staff_message_id == message_id,
                                    TicketMessage.direction == "staff"))


async def worker_text_before(session: AsyncSession, ticket_id: int,
                             message_row_id: int) -> str | None:
    """The worker's last message in the ticket before the staff reply ``message_row_id``."""
    return await session.scalar(
        select(TicketMessage.text)
        .where(TicketMessage.ticket_id == ticket_id, TicketMessage.direction == "worker",
               TicketMessage.id < message_row_id)
        .order_by(TicketMessage.id.desc()).limit(1))


async def draft_for(session: AsyncSession, chat_id: int, message_id: int) -> FaqDraft | None:
    return await session.scalar(
        select(FaqDraft).where(FaqDraft.staff_chat_id == chat_id,
                               FaqDraft.staff_message_id == message_id))


async def add_draft(session: AsyncSession, *, question: str, answer: str, ticket_id: int,
                    chat_id: int, message_id: int, created_by: int, now: datetime) -> int:
    row = FaqDraft(question=question, answer=answer, ticket_id=ticket_id, staff_chat_id=chat_id,
                   staff_message_id=message_id, created_by=created_by, created_at=now)
    session.add(row)
    await session.flush()
    return row.id


async def drafts(session: AsyncSession) -> list[FaqDraft]:
    return list(await session.scalars(select(FaqDraft).order_by(FaqDraft.id)))


async def weak_questions(session: AsyncSession, since: datetime) -> list[tuple[int, str, int]]:
    """(latest question id, text, times asked) of questions without a confident answer."""
    rows = await session.execute(
        select(func.max(QuestionLog.id), QuestionLog.text, func.count())
        .where(QuestionLog.created_at >= since, QuestionLog.outcome.in_(("none", "suggest")))
        .group_by(QuestionLog.text))
    return [(int(qid), text, int(count)) for qid, text, count in rows]


async def disliked_questions(session: AsyncSession, since: datetime,
                             limit: int) -> list[tuple[int, str]]:
    """(question id, text) of answered questions that got a 👎, newest first."""
    rows = await session.execute(
        select(QuestionLog.id, QuestionLog.text)
        .join(Feedback, Feedback.question_id == QuestionLog.id)
        .where(Feedback.helpful.is_(False), Feedback.created_at >= since,
               ~QuestionLog.text.startswith("["))
        .order_by(QuestionLog.id.desc()).limit(limit))
    return [(int(qid), text) for qid, text in rows]


async def learned_texts(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(LearnedPhrasing.text)))
