"""Queries on leads and their status history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Lead, LeadStatusChange, Referral

PERSONAL_FIELDS = ("full_name", "nik", "phone", "employer", "kpj_number", "nik_region",
                   "telegram_user_id")


async def lead_by_user(session: AsyncSession, telegram_user_id: int) -> Lead | None:
    return await session.scalar(select(Lead).where(Lead.telegram_user_id == telegram_user_id))


async def lead_by_nik(session: AsyncSession, nik: str) -> Lead | None:
    return await session.scalar(select(Lead).where(Lead.nik == nik))


async def lead(session: AsyncSession, lead_id: int) -> Lead | None:
    return await session.get(Lead, lead_id)


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


async def erase_personal_fields(session: AsyncSession, lead_id: int, now: datetime) -> None:
    """Keeps the row for the counts (segment, region, status, dates) and nothing personal."""
    values: dict[str, Any] = dict.fromkeys(PERSONAL_FIELDS)
    values.update(erased_at=now, updated_at=now, broadcast_opt_in=False)
    await session.execute(update(Lead).where(Lead.id == lead_id).values(**values))
    await session.execute(
        update(LeadStatusChange).where(LeadStatusChange.lead_id == lead_id).values(note=None)
    )


async def delete_referral(session: AsyncSession, telegram_user_id: int) -> None:
    await session.execute(delete(Referral).where(Referral.telegram_user_id == telegram_user_id))


async def unerased_created_before(session: AsyncSession, cutoff: datetime) -> list[int]:
    rows = await session.scalars(
        select(Lead.id).where(Lead.created_at < cutoff, Lead.erased_at.is_(None))
    )
    return list(rows)
