"""Deterministic test data: leads, unions and organizers written straight to the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from db.models import Lead, LeadStatusChange, Organizer, Union
from db.session import Sessions

# 23 November 2026, 09:00 in Jember (UTC+7).
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def lead_values(number: int, **overrides: Any) -> dict[str, Any]:
    """Lead number `number`: the same values every run; overrides win."""
    segment = overrides.get("segment", "BPU")
    created = overrides.pop("created_at", NOW - timedelta(days=number % 40))
    values: dict[str, Any] = {
        "segment": segment,
        "full_name": f"Pekerja Nomor {number}",
        "nik": f"3509{number:012d}",
        "phone": f"+62812{number:08d}",
        "occupation": "Petani",
        "kabupaten": "Jember",
        "kecamatan": "Sumbersari",
        "employer": "PT Kopi Jember" if segment == "PU" else None,
        "programmes": "pu" if segment == "PU" else "jkk_jkm",
        "income_band": "1-2jt",
        "consent_at": created,
        "consent_version": "2026-11",
        "broadcast_opt_in": number % 2 == 0,
        "source": "self",
        "status": "minat",
        "kpj_number": None,
        "created_at": created,
        "updated_at": created,
    }
    values.update(overrides)
    return values


async def add_leads(sessions: Sessions, *specs: dict[str, Any]) -> list[int]:
    """Adds one lead per spec (overrides of lead_values; "number" picks the lead number)."""
    ids = []
    async with sessions.begin() as session:
        for index, spec in enumerate(specs, 1):
            spec = dict(spec)
            number = spec.pop("number", index)
            row = Lead(**lead_values(number, **spec))
            session.add(row)
            await session.flush()
            session.add(LeadStatusChange(lead_id=row.id, status="minat", changed_by=None,
                                         changed_at=row.created_at))
            ids.append(row.id)
    return ids


async def add_status_change(
    sessions: Sessions, lead_id: int, status: str, changed_by: int, at: datetime
) -> None:
    async with sessions.begin() as session:
        session.add(LeadStatusChange(lead_id=lead_id, status=status, changed_by=changed_by,
                                     changed_at=at))


async def add_organizer(
    sessions: Sessions, *, union: str, short: str, name: str, union_id: int | None = None
) -> tuple[int, int]:
    """An organizer of a (new, or given) union; returns (union id, organizer id)."""
    async with sessions.begin() as session:
        if union_id is None:
            row = Union(name=union, short_name=short, active=True, created_at=NOW)
            session.add(row)
            await session.flush()
            union_id = row.id
        organizer = Organizer(union_id=union_id, display_name=name, active=True, created_at=NOW)
        session.add(organizer)
        await session.flush()
        return union_id, organizer.id
