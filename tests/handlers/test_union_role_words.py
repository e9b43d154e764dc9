"""End to end: one Indonesian word for the union role ("pengurus serikat", as in the XLSX
header), and the occupation question asked of the worker ("Apa pekerjaan Anda?")."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram
from tests.harness import Person, reply_keyboard
from tests.registration_helpers import BPU_ANSWERS, keyboard_label

ID_CATALOG = Path(__file__).resolve().parents[2] / "locales/id/LC_MESSAGES/messages.po"


async def test_the_registration_says_pengurus_serikat_and_asks_the_workers_own_work(
    fake_tg: FakeTelegram, app: App
) -> None:
    person = Person(fake_tg, 4801)
    consent = await person.say("/daftar")
    assert "diajak pengurus serikat" in consent.params["text"]
    segment = await person.press(consent, "reg:consent:yes")
    await person.say(keyboard_label(segment, "🧑‍🌾"))
    await person.say(BPU_ANSWERS["name"])
    await person.say(BPU_ANSWERS["nik"])
    occupation = await person.say(BPU_ANSWERS["phone"])
    assert "Apa pekerjaan Anda?" in occupation.params["text"]
    await person.say(BPU_ANSWERS["occupation"])
    await person.say(BPU_ANSWERS["kabupaten"])
    programmes = await person.say(BPU_ANSWERS["kecamatan"])
    income = await person.say(keyboard_label(programmes, "JHT"))
    broadcast = await person.say(reply_keyboard(income)[1])
    referral = await person.say(keyboard_label(broadcast, "✅"))
    assert "Apakah pengurus serikat memberi Anda kode?" in referral.params["text"]
    said = [call.params.get("text", "") for call in fake_tg.sent
            if call.params.get("chat_id") == person.chat]
    assert not [text for text in said if "organizer" in text.lower()]


def test_no_indonesian_text_calls_the_union_role_organizer() -> None:
    """The id catalog says "pengurus (serikat)" everywhere; {organizer} placeholders and
    command names stay."""
    with ID_CATALOG.open("rb") as po:
        catalog = read_po(po)
    offending = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if "organizer" in re.sub(r"\{[^}]*\}", "", text or "").lower():
                offending.append(text)
    assert offending == []
