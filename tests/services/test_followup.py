"""Staff follow-up of leads, on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.services import followup, group_admin, leads, organizers
from bot.services.registration import Kind, RegistrationForm
from db.models import Lead, LeadStatusChange
from db.session import Sessions

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STAFF = 9002
FORM = {"segment": "BPU", "full_name": "Siti Aminah", "nik": "3509214508900001",
        "phone": "+6281234567890", "occupation": "Petani", "kabupaten": "Jember",
        "kecamatan": "Sumbersari", "programmes": "jkk_jkm", "income_band": None}


async def new_lead(sessions: Sessions, user: int = 701, **data: str) -> int:
    view = await leads.submit(sessions, kind=Kind.SELF,
                              form=RegistrationForm.from_dict(FORM | data), telegram_user_id=user,
                              chat_id=user, now=NOW)
    return view.id


async def history(sessions: Sessions, lead_id: int) -> list[tuple[str, int | None, str | None]]:
    async with sessions() as session:
        rows = await session.scalars(select(LeadStatusChange).where(
            LeadStatusChange.lead_id == lead_id).order_by(LeadStatusChange.id))
        return [(row.status, row.changed_by, row.note) for row in rows]


async def stored(sessions: Sessions, lead_id: int) -> Lead:
    async with sessions() as session:
        row = await session.get(Lead, lead_id)
        assert row is not None
        return row


@pytest.mark.parametrize(("words", "status"), [
    ("minat", "minat"), ("Dihubungi", "dihubungi"), ("TERDAFTAR", "terdaftar"),
    ("tidak_berminat", "tidak_berminat"), ("tidak berminat", "tidak_berminat"),
    ("Tidak-Berminat", "tidak_berminat"),
])
def test_status_words_are_read_in_any_spelling(words: str, status: str) -> None:
    assert followup.parse_status(words) == status


@pytest.mark.parametrize("words", ["", "daftar", "registered", "tidak"])
def test_unknown_status_words_are_refused(words: str) -> None:
    with pytest.raises(followup.UnknownStatus):
        followup.parse_status(words)


@pytest.mark.parametrize(("text", "kpj"), [
    ("12345678901", "12345678901"), ("123 4567 8901", "12345678901"), ("123.456.789-01",
                                                                        "12345678901")])
def test_kpj_numbers_have_eleven_digits(text: str, kpj: str) -> None:
    assert followup.normalize_kpj(text) == kpj


@pytest.mark.parametrize("text", ["1234567890", "123456789012", "1234567890A", "١٢٣٤٥٦٧٨٩٠١"])
def test_other_kpj_numbers_are_refused(text: str) -> None:
    with pytest.raises(followup.InvalidKpj):
        followup.normalize_kpj(text)


@pytest.mark.parametrize(("args", "parsed"), [
    (["12", "dihubungi"], (12, "dihubungi", None)),
    (["#12", "tidak", "berminat"], (12, "tidak berminat", None)),
    (["12", "terdaftar", "123", "4567", "8901"], (12, "terdaftar", "123 4567 8901")),
    (["12"], None), (["dua", "minat"], None), ([], None),
])
def test_status_command_arguments(
    args: list[str], parsed: tuple[int, str, str | None] | None
) -> None:
    assert followup.status_args(args) == parsed


async def test_status_change_records_who_and_when(sessions: Sessions) -> None:
    lead_id = await new_lead(sessions)
    await followup.record_notifications(sessions, lead_id=lead_id, messages=[(-100, 5)])
    later = NOW + timedelta(hours=2)
    result = await followup.set_status(sessions, lead_id=lead_id, status="dihubungi",
                                       changed_by=STAFF, now=later)
    assert result.changed and result.messages == ((-100, 5),)
    assert result.card.status == "dihubungi" and result.card.name == "Siti Aminah"
    assert result.card.last_change == followup.StatusChange("dihubungi", STAFF, later)
    assert (await stored(sessions, lead_id)).status == "dihubungi"
    assert await history(sessions, lead_id) == [("minat", None, None),
                                                ("dihubungi", STAFF, None)]


async def test_same_status_again_changes_nothing(sessions: Sessions) -> None:
    lead_id = await new_lead(sessions)
    await followup.set_status(sessions, lead_id=lead_id, status="terdaftar", changed_by=STAFF,
                              now=NOW)
    again = await followup.set_status(sessions, lead_id=lead_id, status="terdaftar",
                                      changed_by=STAFF + 1, now=NOW + timedelta(minutes=1))
    assert not again.changed and again.card.last_change is not None
    assert again.card.last_change.changed_by == STAFF
    assert len(await history(sessions, lead_id)) == 2


async def test_kpj_is_stored_with_terdaftar_only(sessions: Sessions) -> None:
    lead_id = await new_lead(sessions)
    with pytest.raises(followup.KpjNeedsRegistered):
        await followup.set_status(sessions, lead_id=lead_id, status="dihubungi",
                                  changed_by=STAFF, now=NOW, kpj="12345678901")
    with pytest.raises(followup.InvalidKpj):
        await followup.set_status(sessions, lead_id=lead_id, status="terdaftar",
                                  changed_by=STAFF, now=NOW, kpj="12345")
    assert (await stored(sessions, lead_id)).status == "minat"
    result = await followup.set_status(sessions, lead_id=lead_id, status="terdaftar",
                                       changed_by=STAFF, now=NOW, kpj="1234 5678 901")
    assert result.changed and result.card.kpj_recorded
    assert (await stored(sessions, lead_id)).kpj_number == "12345678901"
    # The history says a KPJ was given, never the number.
    assert (await history(sessions, lead_id))[-1] == ("terdaftar", STAFF, "kpj")


async def test_unknown_lead_is_refused(sessions: Sessions) -> None:
    with pytest.raises(followup.UnknownLead):
        await followup.set_status(sessions, lead_id=404, status="dihubungi", changed_by=STAFF,
                                  now=NOW)


async def test_erased_lead_shows_no_name_and_takes_no_kpj(sessions: Sessions) -> None:
    lead_id = await new_lead(sessions)
    assert await leads.erase_own(sessions, telegram_user_id=701, now=NOW)
    card, announced = await followup.lead_card(sessions, lead_id=lead_id)
    assert card.name is None and announced == 0 and card.occupation == "Petani"
    with pytest.raises(followup.LeadErased):
        await followup.set_status(sessions, lead_id=lead_id, status="terdaftar",
                                  changed_by=STAFF, now=NOW, kpj="12345678901")
    result = await followup.set_status(sessions, lead_id=lead_id, status="terdaftar",
                                       changed_by=STAFF, now=NOW)
    assert result.changed and result.card.name is None


async def test_card_names_the_organizer_and_union(sessions: Sessions) -> None:
    await organizers.create_union(sessions, name="Serikat Pekerja Seluruh Indonesia",
                                  short_name="SPSI", now=NOW)
    invite = await group_admin.invite(sessions, union="spsi", display_name="Pak Darto",
                                      created_by=STAFF, now=NOW)
    assert invite.expires_at == NOW + group_admin.INVITE_VALIDITY
    info = await organizers.claim_invite(sessions, token=invite.token, telegram_user_id=777,
                                         now=NOW)
    lead_id = await new_lead(sessions, referral_code=info.code)
    card, _count = await followup.lead_card(sessions, lead_id=lead_id)
    assert (card.union, card.organizer, card.source) == ("SPSI", "Pak Darto", "self")
