"""The open step of a multi-step flow, kept in the database.

A flow (registration, an organizer registering a worker, ...) stores which question is
open and the answers so far, in the same transaction as the step it records. A restart, or
a second instance behind a webhook, reads it back and carries on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from db import conversations as queries
from db.session import Sessions

# A flow that waits for someone else (a handoff waits for staff) may stay open longer than a
# form: FlowState.data[IDLE_MINUTES] overrides the idle limit for that row (longer only).
IDLE_MINUTES = "idle_minutes"


def _idle(data: Any, default: timedelta) -> timedelta:
    minutes = data.get(IDLE_MINUTES) if isinstance(data, dict) else None
    if isinstance(minutes, int) and timedelta(minutes=minutes) > default:
        return timedelta(minutes=minutes)
    return default


@dataclass(frozen=True)
class FlowState:
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
    expired: bool = False


async def current(
    sessions: Sessions, *, chat_id: int, user_id: int, now: datetime, idle: timedelta
) -> FlowState | None:
    """The user's open flow in this chat, or None.

    A flow idle for longer than `idle` is closed and returned once with `expired=True`, so
    the user learns why their answer is not taken.
    """
    async with sessions.begin() as session:
        row = await queries.conversation(session, chat_id, user_id)
        if row is None:
            return None
        if row.updated_at < now - _idle(row.data, idle):
            await queries.delete_conversation(session, chat_id, user_id)
            return FlowState(row.flow, row.step, {}, row.updated_at, expired=True)
        return FlowState(row.flow, row.step, dict(row.data), row.updated_at)


async def save(
    sessions: Sessions, *, chat_id: int, user_id: int, state: FlowState, now: datetime
) -> None:
    async with sessions.begin() as session:
        await queries.save_conversation(
            session, chat_id, user_id, state.flow, state.step, state.data, now
        )


async def close(sessions: Sessions, *, chat_id: int, user_id: int) -> None:
    async with sessions.begin() as session:
        await queries.delete_conversation(session, chat_id, user_id)


async def expire_idle(
    sessions: Sessions, *, now: datetime, idle: timedelta
) -> list[tuple[int, int, str]]:
    """Closes flows idle for longer than `idle`; returns (chat_id, user_id, flow) of each.

    Each row is deleted under the condition that it was not touched since it was read, so
    with two instances running, only one of them reports (and so messages) a given flow.
    """
    closed = []
    async with sessions.begin() as session:
        for row in await queries.idle_conversations(session, now - idle):
            if row.updated_at >= now - _idle(row.data, idle):
                continue
            if await queries.delete_conversation_if_unchanged(session, row):
                closed.append((row.chat_id, row.telegram_user_id, row.flow))
    return closed
