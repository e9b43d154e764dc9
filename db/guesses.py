"""Wrong code guesses within the limiter's window. Queries never commit; services do."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CodeGuess


async def count_since(
    session: AsyncSession, telegram_user_id: int, kind: str, since: datetime
) -> int:
    return int(await session.scalar(
        select(func.count()).select_from(CodeGuess).where(
            CodeGuess.telegram_user_id == telegram_user_id, CodeGuess.kind == kind,
            CodeGuess.at > since)
    ) or 0)


async def add(session: AsyncSession, telegram_user_id: int, kind: str, at: datetime) -> None:
    await session.execute(insert(CodeGuess).values(
        telegram_user_id=telegram_user_id, kind=kind, at=at))


async def forget_before(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(CodeGuess).where(CodeGuess.at <= before))
