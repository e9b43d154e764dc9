"""The erase path (bot/services/erasure.py) on a real database: it leaves no copy behind,
a form cannot write an erased lead back, and a worker who registers again counts once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot.services import erasure, leads
from bot.services.registration import Kind, RegistrationForm
from db.migrate import upgrade
from db.models import (
    Broadcast,
    BroadcastDelivery,
    Conversation,
    Lead,
    QuestionLog,
    Referral,
    ReferralCode,
    Ticket,
    TicketMessage,
)
from db.session import Sessions, make_engine, make_sessionmaker
from tests.factories import add_organizer

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
KEY = b"k" * 32
NIK = "3509214508900001"
FORM = {"segment": "BPU", "full_name": "Siti Aminah", "nik": NIK, "phone": "+6281234567890",
        "occupation": "Penjahit kebaya", "kabupaten": "Jember", "kecamatan": "Sumbersari",
        "programmes": "jkk_jkm", "income_band": None, "broadcast_opt_in": True}
WORKER, ORGANIZER, OTHER = 701, 702, 703


async def submit(sessions: Sessions, user: int = WORKER, kind: Kind = Kind.SELF,
                 key: bytes | None = KEY, **data: Any) -> int:
    view = await leads.submit(sessions, kind=kind, form=RegistrationForm.from_dict(FORM | data),
                              telegram_user_id=user, chat_id=user, now=NOW, nik_key=key)
    return view.id


async def rows(sessions: Sessions, model: Any, *where: Any) -> list[Any]:
    async with sessions() as session:
        return list(await session.scalars(select(model).where(*where)))


async def add_referral(sessions: Sessions, user: int) -> None:
    _union, organizer_id = await add_organizer(sessions, union="SPSI", short="SPSI",
                                               name="Pak Darto")
    async with sessions.begin() as session:
        code = ReferralCode(code="SPSI-AAAAA", organizer_id=organizer_id, active=True,
                            created_at=NOW)
        session.add(code)
        await session.flush()
        session.add(Referral(telegram_user_id=user, referral_code_id=code.id, created_at=NOW))


async def count(sessions: Sessions, model: Any) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_erasure_leaves_no_copy_of_the_workers_data(sessions: Sessions) -> None:
    lead_id = await submit(sessions)
    await add_referral(sessions, WORKER)
    async with sessions.begin() as session:
        forms = {  # (chat, user): (flow, data)
            (WORKER, WORKER): ("register", FORM | {"lead_id": lead_id}),
            (ORGANIZER, ORGANIZER): ("refer", {"nik": NIK, "full_name": "Siti Aminah"}),
            (OTHER, OTHER): ("refer", {"nik": "3509081703850002", "full_name": "Ahmad"}),
        }
        for (chat, user), (flow, data) in forms.items():
            session.add(Conversation(chat_id=chat, telegram_user_id=user, flow=flow,
                                     step="summary", data=data, updated_at=NOW))
        session.add(QuestionLog(telegram_user_id=WORKER, text="saya Siti Aminah", outcome="none",
                                confidence=0.0, created_at=NOW))
        ticket = Ticket(telegram_user_id=WORKER, chat_id=WORKER, first_name="Siti",
                        status="open", created_at=NOW, updated_at=NOW)
        broadcast = Broadcast(text="Kabar", created_by=9001, chat_id=-100, status="sending",
                              created_at=NOW)
        session.add_all([ticket, broadcast])
        await session.flush()
        session.add_all([
            TicketMessage(ticket_id=ticket.id, direction="worker", text="nomor 0812",
                          staff_chat_id=-100, staff_message_id=55, created_at=NOW),
            TicketMessage(ticket_id=ticket.id, direction="staff", text="Baik",
                          staff_chat_id=-100, staff_message_id=56, author_id=9001,
                          created_at=NOW),
            *(BroadcastDelivery(broadcast_id=broadcast.id, telegram_user_id=user,
                                status="pending", updated_at=NOW) for user in (WORKER, OTHER)),
        ])

    erased = await erasure.erase_own(sessions, telegram_user_id=WORKER, now=NOW, nik_key=KEY)

    assert erased == erasure.Erasure(True, (lead_id,), (erasure.StaffCopy(-100, 55, 1),))
    [lead] = await rows(sessions, Lead)
    assert (lead.full_name, lead.nik, lead.phone, lead.telegram_user_id) == (None,) * 4
    assert lead.occupation == "Lainnya"  # typed text goes, its listed category stays
    assert lead.nik_hash == erasure.fingerprint(NIK, KEY) and NIK not in lead.nik_hash
    assert not lead.broadcast_opt_in and lead.erased_at == NOW
    left = {(r.chat_id, r.flow) for r in await rows(sessions, Conversation)}
    assert left == {(OTHER, "refer")}  # the worker's form and the organizer's with the NIK go
    assert await count(sessions, QuestionLog) == 0 and await count(sessions, Referral) == 0
    [closed] = await rows(sessions, Ticket)
    assert (closed.status, closed.first_name) == ("closed", None)
    assert {m.text for m in await rows(sessions, TicketMessage)} == {""}
    assert [d.telegram_user_id for d in await rows(sessions, BroadcastDelivery)] == [OTHER]
    assert not await erasure.holds_data(sessions, telegram_user_id=WORKER)
    again = await erasure.erase_own(sessions, telegram_user_id=WORKER, now=NOW, nik_key=KEY)
    assert again == erasure.Erasure(False)  # nothing left, the copies were handed over once


async def test_a_form_cannot_write_into_an_erased_lead(sessions: Sessions) -> None:
    lead_id = await submit(sessions)
    await erasure.erase_own(sessions, telegram_user_id=WORKER, now=NOW, nik_key=KEY)
    with pytest.raises(leads.LeadGone):
        await submit(sessions, lead_id=lead_id)  # type: ignore[arg-type]
    [lead] = await rows(sessions, Lead)
    assert (lead.full_name, lead.nik, lead.telegram_user_id) == (None, None, None)


async def test_a_form_cannot_update_someone_elses_lead(sessions: Sessions) -> None:
    lead_id = await submit(sessions)
    for user, kind in ((OTHER, Kind.SELF), (ORGANIZER, Kind.ASSISTED)):
        with pytest.raises(leads.LeadGone):
            await submit(sessions, user=user, kind=kind, lead_id=lead_id,  # type: ignore[arg-type]
                         full_name="Orang Lain", phone="+6281299998888")
    [lead] = await rows(sessions, Lead)
    assert (lead.full_name, lead.telegram_user_id) == ("Siti Aminah", WORKER)


async def test_registering_again_replaces_the_erased_row(sessions: Sessions) -> None:
    """With the key, the same NIK registered after an erasure counts once."""
    first = await submit(sessions)
    await erasure.erase_own(sessions, telegram_user_id=WORKER, now=NOW, nik_key=KEY)
    second = await submit(sessions, user=OTHER)
    [lead] = await rows(sessions, Lead)
    assert lead.id == second != first and lead.nik == NIK and lead.nik_hash is None
    other = await submit(sessions, user=WORKER, nik="3509081703850002", full_name="Ahmad")
    await erasure.erase_own(sessions, telegram_user_id=WORKER, now=NOW, nik_key=KEY)
    await submit(sessions, user=704, nik="3509081703850003", full_name="Budi")
    assert other in {r.id for r in await rows(sessions, Lead)}  # another NIK: still counted


async def test_without_a_key_no_fingerprint_is_kept(sessions: Sessions) -> None:
    await submit(sessions, key=None)
    await erasure.erase_own(sessions, telegram_user_id=WORKER, now=NOW, nik_key=None)
    await submit(sessions, user=OTHER, key=None)
    assert [r.nik_hash for r in await rows(sessions, Lead)] == [None, None]


async def test_retention_takes_the_same_path_and_forgets_fingerprints(
    sessions: Sessions,
) -> None:
    erased_early = await submit(sessions)
    await erasure.erase_own(sessions, telegram_user_id=WORKER, now=NOW, nik_key=KEY)
    kept = await submit(sessions, user=OTHER, nik="3509081703850002", full_name="Ahmad",
                        occupation="Petani")
    async with sessions.begin() as session:
        session.add(Conversation(chat_id=OTHER, telegram_user_id=OTHER, flow="register",
                                 step="summary", data=FORM | {"lead_id": kept},
                                 updated_at=NOW))
        session.add(QuestionLog(telegram_user_id=OTHER, text="Ahmad", outcome="none",
                                confidence=0.0, created_at=NOW))
    retention = timedelta(days=730)
    assert await erasure.erase_expired(sessions, now=NOW, retention=retention) == []
    later = NOW + timedelta(days=731)
    assert await erasure.erase_expired(sessions, now=later, retention=retention) == [
        erasure.Erasure(True, (kept,), ())]
    by_id = {r.id: r for r in await rows(sessions, Lead)}
    assert by_id[erased_early].nik_hash is None  # the fingerprint lasts no longer than data
    assert by_id[kept].nik is None and by_id[kept].nik_hash is None
    assert by_id[kept].occupation == "Petani"
    assert await count(sessions, Conversation) == 0 and await count(sessions, QuestionLog) == 0


def test_occupations_keep_only_their_listed_category() -> None:
    assert erasure.kept_occupation("Nelayan") == "Nelayan"
    assert erasure.kept_occupation("Penjahit kebaya") == "Lainnya"
    assert erasure.kept_occupation(None) is None


async def test_the_migration_erases_again_what_the_old_bug_wrote_back(
    database_url: str,
) -> None:
    """Revision 0005 repairs leads erased before it whose fields a form wrote back."""
    engine = make_engine(database_url)
    try:
        await upgrade(engine, "0004")
        sessions = make_sessionmaker(engine)
        async with sessions.begin() as session:
            await session.execute(text(
                "INSERT INTO leads (id, segment, full_name, nik, phone, occupation, programmes, "
                "consent_at, consent_version, broadcast_opt_in, source, telegram_user_id, "
                "status, created_at, updated_at, erased_at) VALUES (1, 'BPU', 'Siti Aminah', "
                ":nik, '+6281234567890', 'Penjahit kebaya', 'jkk_jkm', :now, 'v1', true, "
                "'self', NULL, 'minat', :now, :now, :now), (2, 'BPU', 'Ahmad', "
                "'3509081703850002', '+6281299998888', 'Penjahit', 'jkk_jkm', :now, 'v1', "
                "true, 'self', 704, 'minat', :now, :now, NULL)"), {"nik": NIK, "now": NOW})
            await session.execute(text(
                "INSERT INTO conversations (chat_id, telegram_user_id, flow, step, data, "
                "updated_at) VALUES (701, 701, 'register', 'summary', :data, :now)"),
                {"data": json.dumps(FORM | {"lead_id": 1}), "now": NOW})
        await upgrade(engine)
        by_id = {r.id: r for r in await rows(sessions, Lead)}
        assert (by_id[1].full_name, by_id[1].nik, by_id[1].phone) == (None, None, None)
        assert by_id[1].occupation == "Lainnya" and not by_id[1].broadcast_opt_in
        assert (by_id[2].full_name, by_id[2].occupation) == ("Ahmad", "Penjahit")  # not erased
        assert await count(sessions, Conversation) == 0
    finally:
        await engine.dispose()
