"""Drive the registration form like a worker would, and read what got stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.context import App
from bot.sandbox.fake_telegram import Sent
from db.models import Lead, Organizer, ReferralCode, Union
from tests.harness import Person, reply_keyboard

# Female, born 5 August 1990, registered in Sumbersari (35.09.21), Jember.
NIK_SUMBERSARI = "3509214508900001"
# Male, born 17 March 1985, registered in Puger (35.09.08), Jember.
NIK_PUGER = "3509081703850002"

BPU_ANSWERS = {
    "name": "Siti Aminah",
    "nik": NIK_SUMBERSARI,
    "phone": "0812-3456-7890",
    "occupation": "Petani",
    "kabupaten": "Jember",
    "kecamatan": "sumbersari",
}


def keyboard_label(sent: Sent, starts: str) -> str:
    for label in reply_keyboard(sent):
        if label.startswith(starts) or starts in label:
            return label
    raise AssertionError(f"no keyboard button like {starts!r} in {reply_keyboard(sent)}")


async def register_bpu(person: Person, **overrides: Any) -> Sent:
    """Runs the whole self-registration as a BPU worker; returns the summary message."""
    answers = BPU_ANSWERS | overrides
    consent = await person.say("/daftar")
    segment = await person.press(consent, "reg:consent:yes")
    await person.say(keyboard_label(segment, "🧑‍🌾"))
    await person.say(answers["name"])
    await person.say(answers["nik"])
    occupation_q = await person.say(answers["phone"])
    assert "pekerjaan" in occupation_q.params["text"].lower(), occupation_q.params["text"]
    await person.say(answers["occupation"])
    await person.say(answers["kabupaten"])
    programmes_q = await person.say(answers["kecamatan"])
    income_q = await person.say(keyboard_label(programmes_q, "JHT"))
    broadcast_q = await person.say(reply_keyboard(income_q)[1])
    referral_or_summary = await person.say(keyboard_label(broadcast_q, "✅"))
    if "kode" in referral_or_summary.params["text"].lower():
        return await person.say(keyboard_label(referral_or_summary, "Lewati"))
    return referral_or_summary


async def stored_leads(app: App) -> list[Lead]:
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        return list(await session.scalars(select(Lead).order_by(Lead.id)))


async def make_organizer(
    app: App, *, code: str = "SPSI-7KQ4X", telegram_user_id: int | None = 777,
    union: str = "Serikat Pekerja Seluruh Indonesia", short: str = "SPSI",
) -> int:
    """A union with one linked organizer and their referral code; returns the organizer id."""
    assert app.bot_data.sessions is not None
    now = datetime.now(UTC)
    async with app.bot_data.sessions.begin() as session:
        row = Union(name=union, short_name=short, active=True, created_at=now)
        session.add(row)
        await session.flush()
        organizer = Organizer(union_id=row.id, display_name="Pak Darto",
                              telegram_user_id=telegram_user_id, active=True, created_at=now)
        session.add(organizer)
        await session.flush()
        session.add(ReferralCode(code=code, organizer_id=organizer.id, active=True,
                                 created_at=now))
        return organizer.id
