"""Queries on leads and their status history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Lead, LeadStatusChange


async def lead_by_user(session: AsyncSession, telegram_user_id: int) -> Lead | None:
    return await session.scalar(select(Lead).where(Lead.telegram_user_id == telegram_user_id))


async def lead_by_nik(session: AsyncSession, nik: str) -> Lead | None:
    return await session.scalar(select(Lead).where(Lead.nik == nik))


async def lead(session: AsyncSession, lead_id: int) -> Lead | None:
    return await session.get(Lead, lead_id)


async def lead_for_update(session: AsyncSession, lead_id: int) -> Lead | None:
    """The lead, locked until the transaction ends (PostgreSQL; SQLite locks the file)."""
    return await session.scalar(select(Lead).where(Lead.id == lead_id).with_for_update())


async def add_lead(session: AsyncSession, values: dict[str, Any]) -> Lead:
    row = Lead(**values)
    session.add(row)
    await session.flush()
    return row


async def update_lead(session: AsyncSession, lead_id: int, values: dict[str, Any]) -> None:
    await session.execute(update(Lead).where(Lead.id == lead_id).values(**values))


async def add_status_change(
    session: AsyncSession, lead_id: int, status: str, changed_by: int | None, now: datetime,
    note: str | None = None,
) -> None:
    session.add(LeadStatusChange(lead_id=lead_id, status=status, changed_by=changed_by,
                                 changed_at=now, note=note))
    await session.flush()

