"""Broadcasts to opted-in workers: a draft, a confirmation, then resumable, once-only sending.

Each recipient is a delivery row. Right before sending, the delivery is claimed
(pending -> sending, in its own transaction); right after, it is recorded (sent, blocked or
failed). After a crash, only pending deliveries are sent again: one caught between claim
and record stays "sending" and is reported as unknown, never sent twice (at most once).
Several instances: the sender holds a lease on the broadcast (renewed while sending) and
another instance takes over only once the lease has expired.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.errors import DomainError
from bot.services import rich_text
from bot.services.message_parts import utf16_length
from db import broadcasts as queries
from db import users as user_queries
from db.session import Sessions

LEASE = timedelta(seconds=60)
# Characters the worker sees (tags aside): the preview adds a header, workers' copies a
# sender line; Telegram allows 4096.
MAX_TEXT = 3500
PER_SECOND = 25  # below Telegram's ~30 messages/s for bulk sending
BATCH = 100
OUTCOMES = ("sent", "blocked", "failed")


class BroadcastError(DomainError):
    """A broadcast problem an administrator can fix."""


class EmptyBroadcast(BroadcastError):
    """No text after /siaran."""


class BroadcastTooLong(BroadcastError):
    """The text is longer than MAX_TEXT."""


class NoRecipients(BroadcastError):
    """No worker has agreed to receive news."""


class NotDraft(BroadcastError):
    """The broadcast was sent or cancelled already (or does not exist)."""


class NotSending(BroadcastError):
    """The broadcast is not being sent (any more): finished, stopped, or never confirmed."""


@dataclass(frozen=True)
class Draft:
    id: int
    text: str  # safe Telegram HTML (bot.services.rich_text)
    recipients: int


@dataclass(frozen=True)
class BroadcastInfo:
    id: int
    text: str  # safe Telegram HTML
    chat_id: int
    status: str
    progress_message_id: int | None


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    blocked: int
    failed: int
    unknown: int  # claimed but never recorded: a crash between the two
    pending: int
    stopped: int = 0  # not sent because an administrator stopped the broadcast


Send = Callable[[int], Awaitable[str]]  # returns one of OUTCOMES
Report = Callable[[Progress], Awaitable[None]]


async def prepare(sessions: Sessions, *, text: str, created_by: int, chat_id: int,
                  now: datetime) -> Draft:
    """`text` is the administrator's message as HTML (`Message.text_html`): its formatting
    and the tags typed by hand that Telegram allows are kept, the rest shows as typed."""
    text = rich_text.from_telegram_html(text).strip()
    visible = rich_text.visible_text(text).strip()
    if not visible:
        raise EmptyBroadcast()
    if utf16_length(visible) > MAX_TEXT:
        raise BroadcastTooLong()
    async with sessions.begin() as session:
        count = await queries.count_recipients(session)
        if count == 0:
            raise NoRecipients()
        broadcast_id = await queries.add_broadcast(session, text, created_by, chat_id, now)
    return Draft(broadcast_id, text, count)


async def confirm(sessions: Sessions, *, broadcast_id: int, owner: str, now: datetime) -> Draft:
    """Creates a pending delivery per recipient and starts sending, in one transaction."""
    async with sessions.begin() as session:
        row = await queries.broadcast(session, broadcast_id)
        if row is None or not await queries.set_status(
                session, broadcast_id, "draft", "sending", confirmed_at=now, lease_owner=owner,
                lease_until=now + LEASE):
            raise NotDraft()
        user_ids = await queries.recipients(session)
        await queries.add_deliveries(session, broadcast_id, user_ids, now)
        return Draft(broadcast_id, row.text, len(user_ids))


async def cancel(sessions: Sessions, *, broadcast_id: int, now: datetime) -> None:
    async with sessions.begin() as session:
        if not await queries.set_status(session, broadcast_id, "draft", "cancelled",
                                        finished_at=now):
            raise NotDraft()


async def stop(sessions: Sessions, *, broadcast_id: int, now: datetime) -> None:
    """Stops a broadcast being sent: what is still pending is not sent. The instance
    sending it notices at its next worker (its claim fails), so at most the message under
    way still goes out."""
    async with sessions.begin() as session:
        if not await queries.set_status(session, broadcast_id, "sending", "stopped",
                                        finished_at=now, lease_owner=None, lease_until=None):
            raise NotSending()
        await queries.move_all_deliveries(session, broadcast_id, "pending", "stopped", now)


async def info(sessions: Sessions, *, broadcast_id: int) -> BroadcastInfo | None:
    async with sessions.begin() as session:
        row = await queries.broadcast(session, broadcast_id)
        if row is None:
            return None
        # safe_html again: a broadcast stored before formatting was kept holds plain text
        return BroadcastInfo(row.id, rich_text.safe_html(row.text), row.chat_id, row.status,
                             row.progress_message_id)


async def set_progress_message(sessions: Sessions, *, broadcast_id: int,
                               message_id: int) -> None:
    async with sessions.begin() as session:
        await queries.set_progress_message(session, broadcast_id, message_id)


async def resumable(sessions: Sessions) -> list[int]:
    async with sessions.begin() as session:
        return await queries.sending_ids(session)


async def progress(sessions: Sessions, *, broadcast_id: int) -> Progress:
    async with sessions.begin() as session:
        counts = await queries.delivery_counts(session, broadcast_id)
    return Progress(sum(counts.values()), counts.get("sent", 0), counts.get("blocked", 0),
                    counts.get("failed", 0), counts.get("sending", 0), counts.get("pending", 0),
                    counts.get("stopped", 0))


async def _lease(sessions: Sessions, broadcast_id: int, owner: str, now: datetime) -> bool:
    async with sessions.begin() as session:
        return await queries.take_lease(session, broadcast_id, owner, now, now + LEASE)


async def _move(sessions: Sessions, broadcast_id: int, user_id: int, old: str, new: str,
                now: datetime) -> bool:
    async with sessions.begin() as session:
        moved = await queries.move_delivery(session, broadcast_id, user_id, old, new, now)
        if moved and new == "blocked":
            await user_queries.mark_blocked(session, user_id, now)
        return moved


async def run(
    sessions: Sessions, broadcast_id: int, *, owner: str, send: Send, report: Report,
    clock: Callable[[], datetime], keep_going: Callable[[], bool],
    pace: float = 1 / PER_SECOND, report_every: timedelta = timedelta(seconds=2),
    report_count: int = 50,
) -> Progress | None:
    """Sends the pending deliveries while this instance holds the lease.

    Returns the final progress once the broadcast is done, or None when it stopped early
    (`keep_going()` turned false, or another instance holds the lease).
    """
    if not await _lease(sessions, broadcast_id, owner, clock()):
        return None
    renewed, reported, since_report = clock(), clock(), 0
    while keep_going():
        batch = await _pending(sessions, broadcast_id)
        if not batch:
            return await _finish(sessions, broadcast_id, clock())
        for user_id in batch:
            now = clock()
            if not keep_going():
                break
            if now - renewed >= LEASE / 3:
                if not await _lease(sessions, broadcast_id, owner, now):
                    return None  # the lease expired and another instance took over
                renewed = now
            if not await _move(sessions, broadcast_id, user_id, "pending", "sending", now):
                continue  # another instance claimed it
            outcome = await send(user_id)
            await _move(sessions, broadcast_id, user_id, "sending",
                        outcome if outcome in OUTCOMES else "failed", clock())
            since_report += 1
            if since_report >= report_count or clock() - reported >= report_every:
                await report(await progress(sessions, broadcast_id=broadcast_id))
                reported, since_report = clock(), 0
            await asyncio.sleep(pace)
    async with sessions.begin() as session:  # a clean stop: the next start goes on at once
        await queries.release_lease(session, broadcast_id, owner)
    return None


async def _pending(sessions: Sessions, broadcast_id: int) -> list[int]:
    async with sessions.begin() as session:
        return await queries.pending(session, broadcast_id, BATCH)


async def _finish(sessions: Sessions, broadcast_id: int, now: datetime) -> Progress | None:
    async with sessions.begin() as session:
        finished = await queries.set_status(session, broadcast_id, "sending", "done",
                                            finished_at=now, lease_owner=None, lease_until=None)
    return await progress(sessions, broadcast_id=broadcast_id) if finished else None
