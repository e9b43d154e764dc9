"""Queries on broadcasts and their deliveries. They never commit; the service does.

Every state change is a conditional UPDATE (status or lease in the WHERE clause), so two
instances racing for the same row cannot both win: the rowcount says who did.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Broadcast, BroadcastDelivery, Lead, User
from db.results import affected


def _recipients() -> Select[Any]:
    blocked = exists().where(User.telegram_user_id == Lead.telegram_user_id,
                             User.blocked_at.is_not(None))
    return (select(Lead.telegram_user_id)
            .where(Lead.broadcast_opt_in.is_(True), Lead.telegram_user_id.is_not(None),
                   Lead.erased_at.is_(None), ~blocked))


async def count_recipients(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(_recipients().subquery()))
               or 0)


async def recipients(session: AsyncSession) -> list[int]:
    return [int(user_id) for user_id in await session.scalars(_recipients())]


async def add_broadcast(session: AsyncSession, text: str, created_by: int, chat_id: int,
                        now: datetime) -> int:
    row = Broadcast(text=text, created_by=created_by, chat_id=chat_id, status="draft",
                    created_at=now)
    session.add(row)
    await session.flush()
    return row.id


async def broadcast(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


async def set_status(session: AsyncSession, broadcast_id: int, old: str, new: str,
                     **values: object) -> bool:
    result = await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id, Broadcast.status == old)
        .values(status=new, **values)
    )
    return bool(affected(result))


async def add_deliveries(session: AsyncSession, broadcast_id: int, user_ids: list[int],
                         now: datetime) -> None:
    if user_ids:
        await session.execute(insert(BroadcastDelivery), [
            {"broadcast_id": broadcast_id, "telegram_user_id": user_id, "status": "pending",
             "updated_at": now} for user_id in user_ids])


async def take_lease(session: AsyncSession, broadcast_id: int, owner: str, now: datetime,
                     until: datetime) -> bool:
    """Takes (or renews) the lease of a sending broadcast unless another owner holds it."""
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == "sending",
               or_(Broadcast.lease_owner.is_(None), Broadcast.lease_owner == owner,
                   Broadcast.lease_until.is_(None), Broadcast.lease_until < now))
        .values(lease_owner=owner, lease_until=until)
    )
    return bool(affected(result))


async def release_lease(session: AsyncSession, broadcast_id: int, owner: str) -> None:
    """A clean stop: another instance (or the restarted one) may continue at once."""
    await session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id, Broadcast.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )


async def set_progress_message(session: AsyncSession, broadcast_id: int,
                               message_id: int) -> None:
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id)
                          .values(progress_message_id=message_id))


async def pending(session: AsyncSession, broadcast_id: int, limit: int) -> list[int]:
    rows = await session.scalars(
        select(BroadcastDelivery.telegram_user_id)
        .where(BroadcastDelivery.broadcast_id == broadcast_id,
               BroadcastDelivery.status == "pending")
        .order_by(BroadcastDelivery.telegram_user_id)
        .limit(limit)
    )
    return [int(user_id) for user_id in rows]


async def move_delivery(session: AsyncSession, broadcast_id: int, user_id: int, old: str,
                        new: str, now: datetime) -> bool:
    result = await session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.broadcast_id == broadcast_id,
               BroadcastDelivery.telegram_user_id == user_id, BroadcastDelivery.status == old)
        .values(status=new, updated_at=now)
    )
    return bool(affected(result))


async def move_all_deliveries(session: AsyncSession, broadcast_id: int, old: str, new: str,
                              now: datetime) -> None:
    await session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == old)
        .values(status=new, updated_at=now)
    )


async def delivery_counts(session: AsyncSession, broadcast_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(BroadcastDelivery.status, func.count())
        .where(BroadcastDelivery.broadcast_id == broadcast_id)
        .group_by(BroadcastDelivery.status)
    )
    return {status: int(count) for status, count in rows}


async def sending_ids(session: AsyncSession) -> list[int]:
    return list(await session.scalars(
        select(Broadcast.id).where(Broadcast.status == "sending").order_by(Broadcast.id)))


def _worker_lead(telegram_user_id: int) -> Any:
    return (Lead.telegram_user_id == telegram_user_id, Lead.erased_at.is_(None))


async def news_opt_in(session: AsyncSession, telegram_user_id: int) -> bool | None:
    """Whether the worker's lead receives the news; None without a (not erased) lead."""
    value = await session.scalar(select(Lead.broadcast_opt_in)
                                 .where(*_worker_lead(telegram_user_id)))
    return None if value is None else bool(value)


async def set_news_opt_in(session: AsyncSession, telegram_user_id: int, receive: bool,
                          now: datetime) -> None:
    """Stopping records when (for /stats); receiving again clears it."""
    await session.execute(
        update(Lead).where(*_worker_lead(telegram_user_id))
        .values(broadcast_opt_in=receive, broadcast_opted_out_at=None if receive else now,
                updated_at=now)
    )


async def skip_pending_deliveries(session: AsyncSession, telegram_user_id: int,
                                  now: datetime) -> None:
    """A worker who stopped the news gets nothing more of a broadcast under way."""
    await session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.telegram_user_id == telegram_user_id,
               BroadcastDelivery.status == "pending")
        .values(status="stopped", updated_at=now)
    )


async def count_opted_out(session: AsyncSession) -> int:
    return int(await session.scalar(
        select(func.count()).select_from(Lead)
        .where(Lead.broadcast_opted_out_at.is_not(None), Lead.broadcast_opt_in.is_(False),
               Lead.erased_at.is_(None))) or 0)
