"""Queries for the staff's follow-up of leads and for deactivating referral codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    CombinedCardLead,
    Lead,
    LeadDataView,
    LeadNotification,
    LeadStatusChange,
    Organizer,
    ReferralCode,
    Union,
)


async def lead_for_update(session: AsyncSession, lead_id: int) -> Lead | None:
    """The lead, locked until the transaction ends (PostgreSQL; SQLite locks the file)."""
    return await session.scalar(select(Lead).where(Lead.id == lead_id).with_for_update())


async def lead_with_origin(
    session: AsyncSession, lead_id: int
) -> tuple[Lead, str | None, str | None] | None:
    """The lead with its organizer's name and their union's short name, when credited."""
    row = (await session.execute(
        select(Lead, Organizer.display_name, Union.short_name)
        .outerjoin(Organizer, Organizer.id == Lead.organizer_id)
        .outerjoin(Union, Union.id == Organizer.union_id)
        .where(Lead.id == lead_id)
    )).first()
    return None if row is None else (row[0], row[1], row[2])


async def set_status(
    session: AsyncSession, lead_id: int, status: str, now: datetime, kpj: str | None
) -> None:
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if kpj is not None:
        values["kpj_number"] = kpj
    await session.execute(update(Lead).where(Lead.id == lead_id).values(**values))


async def last_change(session: AsyncSession, lead_id: int) -> LeadStatusChange | None:
    return await session.scalar(
        select(LeadStatusChange)
        .where(LeadStatusChange.lead_id == lead_id)
        .order_by(LeadStatusChange.changed_at.desc(), LeadStatusChange.id.desc())
        .limit(1)
    )


async def notifications(session: AsyncSession, lead_id: int) -> list[tuple[int, int]]:
    """(chat id, message id) of every staff-group message announcing the lead."""
    rows = await session.execute(
        select(LeadNotification.chat_id, LeadNotification.message_id)
        .where(LeadNotification.lead_id == lead_id)
        .order_by(LeadNotification.id)
    )
    return [(chat_id, message_id) for chat_id, message_id in rows.all()]


async def unannounced(session: AsyncSession, since: datetime) -> list[int]:
    """Leads stored since `since`, not erased, with no message in any staff group (a card
    of their own or a line in a combined card)."""
    announced = select(LeadNotification.id).where(LeadNotification.lead_id == Lead.id)
    combined = select(CombinedCardLead.id).where(CombinedCardLead.lead_id == Lead.id)
    return list(await session.scalars(
        select(Lead.id)
        .where(Lead.created_at >= since, Lead.erased_at.is_(None), ~announced.exists(),
               ~combined.exists())
        .order_by(Lead.id)
    ))


async def add_notification(
    session: AsyncSession, lead_id: int, chat_id: int, message_id: int
) -> None:
    session.add(LeadNotification(lead_id=lead_id, chat_id=chat_id, message_id=message_id))
    await session.flush()


async def add_combined(
    session: AsyncSession, lead_ids: list[int], chat_id: int, message_id: int
) -> None:
    session.add_all(CombinedCardLead(lead_id=lead_id, chat_id=chat_id, message_id=message_id)
                    for lead_id in lead_ids)
    await session.flush()


async def combined_leads(session: AsyncSession, chat_id: int, message_id: int) -> list[int]:
    """The leads listed in one combined card, in their order."""
    return list(await session.scalars(
        select(CombinedCardLead.lead_id)
        .where(CombinedCardLead.chat_id == chat_id, CombinedCardLead.message_id == message_id)
        .order_by(CombinedCardLead.id)
    ))


async def combined_cards_of(session: AsyncSession, lead_id: int) -> list[tuple[int, int]]:
    """(chat id, message id) of every combined card listing the lead."""
    rows = await session.execute(
        select(CombinedCardLead.chat_id, CombinedCardLead.message_id)
        .where(CombinedCardLead.lead_id == lead_id)
        .order_by(CombinedCardLead.id)
    )
    return [(chat_id, message_id) for chat_id, message_id in rows.all()]


async def add_data_view(
    session: AsyncSession, lead_id: int, viewed_by: int, chat_id: int, field: str,
    now: datetime,
) -> None:
    session.add(LeadDataView(lead_id=lead_id, viewed_by=viewed_by, chat_id=chat_id, field=field,
                             viewed_at=now))
    await session.flush()


async def data_views(session: AsyncSession, lead_id: int) -> list[LeadDataView]:
    return list(await session.scalars(
        select(LeadDataView).where(LeadDataView.lead_id == lead_id).order_by(LeadDataView.id)))


async def code_for_update(session: AsyncSession, code: str) -> ReferralCode | None:
    return await session.scalar(
        select(ReferralCode).where(ReferralCode.code == code).with_for_update()
    )


async def deactivate_code(session: AsyncSession, code_id: int, organizer_id: int) -> None:
    """The code and its organizer stop being credited; leads already credited keep it."""
    await session.execute(
        update(ReferralCode).where(ReferralCode.id == code_id).values(active=False)
    )
    await session.execute(
        update(Organizer).where(Organizer.id == organizer_id).values(active=False)
    )
