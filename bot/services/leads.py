"""Leads: a worker's registered interest, stored once, with consent, credited once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import DomainError
from bot.services import referrals
from bot.services.enums import LeadStatus
from bot.services.erasure import erase_expired as erase_expired
from bot.services.erasure import erase_own as erase_own
from bot.services.erasure import forget_erased_registration
from bot.services.registration import (
    CONSENT_VERSION,
    PHONE_VIA_ORGANIZER,
    DuplicateNik,
    Kind,
    RegistrationForm,
)
from db import conversations as conversation_queries
from db import leads as queries
from db import organizers as organizer_queries
from db.models import Lead, ReferralCode
from db.session import Sessions

logger = logging.getLogger(__name__)


class LeadGone(DomainError):
    """The form updates a lead that was erased meanwhile, or that is not the user's."""


class NotAnOrganizer(DomainError):
    """Only a linked, active organizer may register workers for others."""


@dataclass(frozen=True)
class LeadView:
    """What the owner of a lead may see about it."""

    id: int
    segment: str
    full_name: str
    nik_masked: str
    phone: str
    occupation: str | None
    kabupaten: str | None
    kecamatan: str | None
    employer: str | None
    programmes: str
    income_band: str | None
    broadcast_opt_in: bool
    status: str
    created_at: datetime
    organizer: str | None


def contact_via_organizer(row: Lead) -> bool:
    """A worker without a phone, registered by an organizer (/rujuk) with the worker's
    consent to be reached through them: an assisted lead, not erased, with no phone."""
    return row.source == Kind.ASSISTED.value and row.phone is None and row.erased_at is None


def mask_nik(nik: str) -> str:
    return "•" * 12 + nik[-4:]


async def _view(session: AsyncSession, row: Lead) -> LeadView:
    organizer = (
        await organizer_queries.organizer(session, row.organizer_id) if row.organizer_id else None
    )
    return LeadView(
        id=row.id, segment=row.segment, full_name=row.full_name or "",
        nik_masked=mask_nik(row.nik or "0000"), phone=row.phone or "",
        occupation=row.occupation, kabupaten=row.kabupaten, kecamatan=row.kecamatan,
        employer=row.employer, programmes=row.programmes, income_band=row.income_band,
        broadcast_opt_in=row.broadcast_opt_in, status=row.status, created_at=row.created_at,
        organizer=organizer.display_name if organizer else None,
    )


async def own_lead(sessions: Sessions, *, telegram_user_id: int) -> LeadView | None:
    async with sessions.begin() as session:
        row = await queries.lead_by_user(session, telegram_user_id)
        return await _view(session, row) if row is not None else None


async def prefill(sessions: Sessions, *, telegram_user_id: int) -> RegistrationForm | None:
    """The stored answers as a registration form, to update a lead."""
    async with sessions.begin() as session:
        row = await queries.lead_by_user(session, telegram_user_id)
        if row is None:
            return None
        return RegistrationForm(
            lead_id=row.id, segment=row.segment, full_name=row.full_name, nik=row.nik,
            phone=row.phone, occupation=row.occupation, kabupaten=row.kabupaten,
            kecamatan=row.kecamatan, employer=row.employer,
            programmes=None if row.programmes == "pu" else row.programmes,
            income_band=row.income_band, broadcast_opt_in=row.broadcast_opt_in,
            region_confirmed=True, editing=True,
        )


async def submit(
    sessions: Sessions, *, kind: Kind, form: RegistrationForm, telegram_user_id: int,
    chat_id: int, now: datetime, nik_key: bytes | None = None,
) -> LeadView:
    """Stores the confirmed form and closes it, in one transaction.

    `telegram_user_id` is the worker for a self-registration and the organizer for an
    assisted one. Raises DuplicateNik when the NIK is another lead's, LeadGone when the
    form updates a lead erased meanwhile or not the user's own. With `nik_key`, the
    anonymous row an erased registration of the same NIK left is replaced (counted once).
    """
    values = _lead_values(form)
    try:
        async with sessions.begin() as session:
            existing = await queries.lead_by_nik(session, values["nik"])
            own_id = form.lead_id
            if existing is not None and existing.id != own_id:
                raise DuplicateNik(existing.id)
            if own_id is not None:
                current = await queries.lead_for_update(session, own_id)
                if (current is None or current.erased_at is not None or kind is not Kind.SELF
                        or current.telegram_user_id != telegram_user_id):
                    raise LeadGone(own_id)
                await queries.update_lead(session, own_id, values | {"updated_at": now})
                row = current
                await session.refresh(row)
            else:
                row = await queries.add_lead(session, values | {
                    "consent_at": now, "consent_version": CONSENT_VERSION,
                    "source": kind.value, "status": LeadStatus.MINAT.value, "created_at": now,
                    "updated_at": now,
                    "telegram_user_id": telegram_user_id if kind is Kind.SELF else None,
                    "registered_by": telegram_user_id if kind is Kind.ASSISTED else None,
                })
                await queries.add_status_change(session, row.id, LeadStatus.MINAT.value, None,
                                                 now)
                await _attribute(session, row, kind, telegram_user_id, form.referral_code)
            await forget_erased_registration(session, values["nik"], nik_key)
            await conversation_queries.delete_conversation(session, chat_id, telegram_user_id)
            view = await _view(session, row)
    except IntegrityError:
        # Two submissions raced on the same NIK or user; the other one won.
        raise DuplicateNik(None) from None
    logger.info("lead saved lead=%s kind=%s", view.id, kind.value)
    return view


async def _attribute(
    session: AsyncSession, row: Lead, kind: Kind, telegram_user_id: int, typed_code: str | None
) -> None:
    """The one place that credits a lead to an organizer.

    Assisted: the registering organizer. Self: the worker's first valid referral (deep link),
    else the code typed in the form. An organizer's own code never credits themselves.
    """
    if kind is Kind.ASSISTED:
        organizer = await organizer_queries.organizer_by_user(session, telegram_user_id)
        if organizer is None or not organizer.active:
            raise NotAnOrganizer(telegram_user_id)
        code = await organizer_queries.code_of(session, organizer.id)
        row.organizer_id = organizer.id
        row.referral_code_id = code.id if code is not None else None
        return
    referral = await organizer_queries.referral_of(session, telegram_user_id)
    candidates: list[str] = []
    if referral is not None:
        code_row = await session.get(ReferralCode, referral.referral_code_id)
        if code_row is not None:
            candidates.append(code_row.code)
    if typed_code:
        candidates.append(typed_code)
    for candidate in candidates:
        try:
            code_row, _info = await referrals.valid_code(session, candidate, telegram_user_id)
        except DomainError:
            continue
        row.referral_code_id, row.organizer_id = code_row.id, code_row.organizer_id
        await organizer_queries.add_referral_once(session, telegram_user_id, code_row.id,
                                                  row.created_at)
        return


REQUIRED = ("segment", "full_name", "nik", "phone")


def _lead_values(form: RegistrationForm) -> dict[str, Any]:
    # The summary is only reached with these answered; a row missing them is corrupt.
    missing = [name for name in REQUIRED if getattr(form, name) is None]
    if missing:
        raise ValueError(f"registration form without {', '.join(missing)}")
    issued = form.nik_issued
    differs = issued is not None and issued.kabupaten and (
        issued.kabupaten, issued.kecamatan) != (form.kabupaten, form.kecamatan)
    return {
        "segment": form.segment, "full_name": form.full_name, "nik": form.nik,
        "phone": None if form.phone == PHONE_VIA_ORGANIZER else form.phone,
        "occupation": form.occupation,
        "kabupaten": form.kabupaten, "kecamatan": form.kecamatan,
        "nik_region": (
            ", ".join(p for p in (issued.kecamatan, issued.kabupaten) if p)
            if issued is not None and differs else None
        ),
        "employer": form.employer if form.segment == "PU" else None,
        "programmes": "pu" if form.segment == "PU" else form.programmes or "jkk_jkm",
        "income_band": form.income_band,
        "broadcast_opt_in": bool(form.broadcast_opt_in),
    }


async def is_active_organizer(sessions: Sessions, *, telegram_user_id: int) -> bool:
    async with sessions.begin() as session:
        organizer = await organizer_queries.organizer_by_user(session, telegram_user_id)
        return organizer is not None and organizer.active
