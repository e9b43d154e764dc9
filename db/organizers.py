"""Queries on unions, organizers, invites, referral codes and referrals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Lead, Organizer, OrganizerInvite, Referral, ReferralCode, Union
from db.results import affected
from db.upsert import insert_for


async def union_by_name(session: AsyncSession, name: str) -> Union | None:
    """A union by its name or short name, case-insensitively."""
    lowered = name.strip().lower()
    return await session.scalar(
        select(Union).where(
            (func.lower(Union.name) == lowered) | (func.lower(Union.short_name) == lowered)
        )
    )


async def add_union(session: AsyncSession, name: str, short_name: str, now: datetime) -> Union:
    union = Union(name=name, short_name=short_name, active=True, created_at=now)
    session.add(union)
    await session.flush()
    return union


async def add_organizer(
    session: AsyncSession, union_id: int, display_name: str, now: datetime
) -> Organizer:
    organizer = Organizer(union_id=union_id, display_name=display_name, active=True,
                          created_at=now)
    session.add(organizer)
    await session.flush()
    return organizer


async def add_invite(
    session: AsyncSession, organizer_id: int, token: str, created_by: int | None,
    now: datetime, expires_at: datetime,
) -> OrganizerInvite:
    invite = OrganizerInvite(organizer_id=organizer_id, token=token, created_by=created_by,
                             created_at=now, expires_at=expires_at)
    session.add(invite)
    await session.flush()
    return invite


async def invite_by_token(session: AsyncSession, token: str) -> OrganizerInvite | None:
    return await session.scalar(
        select(OrganizerInvite).where(OrganizerInvite.token == token).with_for_update()
    )


async def claim_invite(
    session: AsyncSession, invite_id: int, telegram_user_id: int, now: datetime
) -> bool:
    """Marks the invite used; False when another claim got there first."""
    result = await session.execute(
        update(OrganizerInvite)
        .where(OrganizerInvite.id == invite_id, OrganizerInvite.claimed_at.is_(None))
        .values(claimed_at=now, claimed_by=telegram_user_id)
    )
    return bool(affected(result))


async def organizer(session: AsyncSession, organizer_id: int) -> Organizer | None:
    return await session.get(Organizer, organizer_id)


async def organizer_by_user(session: AsyncSession, telegram_user_id: int) -> Organizer | None:
    return await session.scalar(
        select(Organizer).where(Organizer.telegram_user_id == telegram_user_id)
    )


async def union(session: AsyncSession, union_id: int) -> Union | None:
    return await session.get(Union, union_id)


async def code_of(session: AsyncSession, organizer_id: int) -> ReferralCode | None:
    return await session.scalar(
        select(ReferralCode).where(ReferralCode.organizer_id == organizer_id)
    )


async def code_by_text(session: AsyncSession, code: str) -> ReferralCode | None:
    return await session.scalar(select(ReferralCode).where(ReferralCode.code == code))


async def code_exists(session: AsyncSession, code: str) -> bool:
    return await code_by_text(session, code) is not None


async def add_code(
    session: AsyncSession, organizer_id: int, code: str, now: datetime
) -> ReferralCode:
    row = ReferralCode(organizer_id=organizer_id, code=code, active=True, created_at=now)
    session.add(row)
    await session.flush()
    return row


async def referral_of(session: AsyncSession, telegram_user_id: int) -> Referral | None:
    return await session.get(Referral, telegram_user_id)


async def add_referral_once(
    session: AsyncSession, telegram_user_id: int, code_id: int, now: datetime
) -> None:
    """Records the referral unless the user already has one: the first keeps the credit."""
    statement = insert_for(session, Referral).values(
        telegram_user_id=telegram_user_id, referral_code_id=code_id, created_at=now
    )
    await session.execute(statement.on_conflict_do_nothing(index_elements=["telegram_user_id"]))


async def lead_counts_by_status(
    session: AsyncSession, organizer_id: int, since: datetime | None
) -> dict[str, int]:
    query = select(Lead.status, func.count()).where(Lead.organizer_id == organizer_id)
    if since is not None:
        query = query.where(Lead.created_at >= since)
    rows = await session.execute(query.group_by(Lead.status))
    return {status: count for status, count in rows.all()}


async def union_clashing(session: AsyncSession, *names: str) -> Union | None:
    """A union whose name or short name equals any of `names`, case-insensitively."""
    lowered = [name.strip().lower() for name in names if name.strip()]
    return await session.scalar(
        select(Union).where(
            func.lower(Union.name).in_(lowered) | func.lower(Union.short_name).in_(lowered)
        ).limit(1)
    )


async def link_organizer(
    session: AsyncSession, organizer_id: int, telegram_user_id: int | None
) -> None:
    await session.execute(
        update(Organizer).where(Organizer.id == organizer_id)
        .values(telegram_user_id=telegram_user_id)
    )


async def all_unions(session: AsyncSession) -> list[Union]:
    return list(await session.scalars(select(Union).order_by(func.lower(Union.name))))


async def all_organizers(session: AsyncSession) -> list[Organizer]:
    return list(await session.scalars(select(Organizer).order_by(Organizer.id)))


async def all_codes(session: AsyncSession) -> dict[int, str]:
    """Referral code text by organizer id."""
    rows = await session.execute(select(ReferralCode.organizer_id, ReferralCode.code))
    return {organizer_id: code for organizer_id, code in rows.all()}


async def lead_counts_by_organizer(session: AsyncSession) -> dict[int, int]:
    rows = await session.execute(
        select(Lead.organizer_id, func.count())
        .where(Lead.organizer_id.is_not(None))
        .group_by(Lead.organizer_id)
    )
    return {organizer_id: count for organizer_id, count in rows.all()
            if organizer_id is not None}


async def lead_with_organizer(
    session: AsyncSession, lead_id: int
) -> tuple[Lead, Organizer] | None:
    """The lead and the organizer it is credited to; None without one."""
    row = (await session.execute(
        select(Lead, Organizer).join(Organizer, Organizer.id == Lead.organizer_id)
        .where(Lead.id == lead_id)
    )).first()
    return None if row is None else (row[0], row[1])


async def referred_leads(
    session: AsyncSession, organizer_id: int, limit: int
) -> list[Lead]:
    """The organizer's leads that still hold their data, newest first."""
    return list(await session.scalars(
        select(Lead)
        .where(Lead.organizer_id == organizer_id, Lead.erased_at.is_(None))
        .order_by(Lead.created_at.desc(), Lead.id.desc()).limit(limit)
    ))


async def held_lead_count(session: AsyncSession, organizer_id: int) -> int:
    """How many of the organizer's leads still hold their data."""
    return await session.scalar(
        select(func.count()).select_from(Lead)
        .where(Lead.organizer_id == organizer_id, Lead.erased_at.is_(None))
    ) or 0
