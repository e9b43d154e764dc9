"""Who writes to the bot and which language they chose."""

from __future__ import annotations

from datetime import datetime

from db import users as queries
from db.session import Sessions


async def seen(sessions: Sessions, *, telegram_user_id: int, now: datetime) -> str | None:
    """Records the visit; returns the user's stored language, if they chose one."""
    async with sessions.begin() as session:
        return await queries.touch_user(session, telegram_user_id, now)


async def choose_language(
    sessions: Sessions, *, telegram_user_id: int, language: str, now: datetime
) -> None:
    async with sessions.begin() as session:
        await queries.touch_user(session, telegram_user_id, now)
        await queries.set_language(session, telegram_user_id, language)


async def blocked_the_bot(sessions: Sessions, *, telegram_user_id: int, now: datetime) -> None:
    async with sessions.begin() as session:
        await queries.mark_blocked(session, telegram_user_id, now)


async def language_of(sessions: Sessions, *, telegram_user_id: int) -> str | None:
    async with sessions.begin() as session:
        return await queries.language(session, telegram_user_id)
