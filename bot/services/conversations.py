"""The open step of a multi-step flow, kept in the database.

A flow (registration, an organizer registering a worker, ...) stores which question is
open and the answers so far, in the same transaction as the step it records. A restart, or
a second instance behind a webhook, reads it back and carries on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncEngine

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


class _NoOpenForm:
    """Who has no open flow, as this process last read it (see ``remember_absent``).

    ``version`` grows with every write of a conversation row, so a read that raced a write
    (another update's task) does not record the user as having none.
    """

    LIMIT = 100_000  # pairs kept at most; then forgotten at once (a read each brings them back)

    def __init__(self) -> None:
        self.pairs: set[tuple[int, int]] = set()
        self.version = 0

    def forget(self, pair: tuple[int, int] | None) -> None:
        """A conversation row of ``pair`` (None: of anyone) is being written or committed."""
        self.version += 1
        if pair is None:
            self.pairs.clear()
        else:
            self.pairs.discard(pair)

    def learn(self, pair: tuple[int, int], version: int) -> None:
        if self.version != version:  # a row was written meanwhile: it may be this one
            return
        if len(self.pairs) >= self.LIMIT:
            self.pairs.clear()
        self.pairs.add(pair)


_no_open_form: WeakKeyDictionary[Sessions, _NoOpenForm] = WeakKeyDictionary()


def remember_absent(sessions: Sessions, engine: AsyncEngine) -> None:
    """Keeps in memory, for this session factory, who has no open flow, so that the question
    of most messages ("is a form open?") costs no database read once answered "no".

    Only for the **sole receiver** of the updates (long polling, AppState.sole_receiver):
    every flow is then opened by this process, through ``engine``, whose every write of a
    conversation row (``save``, a staff answer opening a worker's reply thread in
    db/handoff.py, any other) forgets that user here at once (``db.conversations.
    watch_writes``). Behind a webhook another instance may open a flow for the user: there
    every message reads the row, as before. A restart starts with nothing remembered.
    """
    absent = _NoOpenForm()
    _no_open_form[sessions] = absent
    queries.watch_writes(engine, absent.forget)


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
    absent = _no_open_form.get(sessions)
    if absent is not None and (chat_id, user_id) in absent.pairs:
        return None
    version = absent.version if absent is not None else 0
    async with sessions.begin() as session:
        row = await queries.conversation(session, chat_id, user_id)
        if row is None:
            if absent is not None:
                absent.learn((chat_id, user_id), version)
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
