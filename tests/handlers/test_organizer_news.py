"""End to end: /rujuk speaks about the worker and takes one without a phone; organizers
hear of their referrals (registered, status changed) and /rekap lists them by name."""

from __future__ import annotations

import csv
import io

from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from tests.conftest import ADMIN, STAFF_CHAT, STAFF_MEMBER
from tests.harness import Person, reply_keyboard
from tests.registration_helpers import (
    NIK_SUMBERSARI,
    keyboard_label,
    make_organizer,
    register_bpu,
    stored_leads,
)

ORGANIZER = 909


def to(chat_id: int) -> object:
    return lambda c: c.method == "sendMessage" and str(c.params.get("chat_id")) == str(chat_id)


def texts_to(fake_tg: FakeTelegram, chat_id: int, start: int = 0) -> list[str]:
    return [c.params["text"] for c in fake_tg.sent[start:]
            if c.method == "sendMessage" and str(c.params.get("chat_id")) == str(chat_id)]


async def test_rujuk_asks_about_the_worker_and_registers_one_without_a_phone(
    fake_tg: FakeTelegram, app: App
) -> None:
    await make_organizer(app, code="SPSI-RUJUK", telegram_user_id=ORGANIZER)
    organizer = Person(fake_tg, ORGANIZER, "Darto")
    start = len(fake_tg.sent)
    consent = await organizer.say("/rujuk")
    consent_text = consent.params["text"]
    # The consent read to the worker says what the organizer sees and how to erase.
    assert "nama pekerja dan status" in consent_text and "lewat Anda" in consent_text
    assert "/hapusdata" in consent_text and "kantor cabang atau 175" in consent_text
    segment_q = await organizer.press(consent, "reg:consent:yes")
    assert reply_keyboard(segment_q)[:2] == ["👷 Ya, pekerja digaji pemberi kerja",
                                             "🧑‍🌾 Tidak, pekerja bekerja mandiri"]
    name_q = await organizer.say("🧑‍🌾 Tidak, pekerja bekerja mandiri")
    assert "nama lengkap pekerja" in name_q.params["text"]
    nik_q = await organizer.say("Mbah Sarno")
    assert "KTP pekerja" in nik_q.params["text"]
    phone_q = await organizer.say(NIK_SUMBERSARI)
    assert "📵 Tidak punya HP: hubungi pekerja lewat saya" in reply_keyboard(phone_q)
    assert "📱 Kirim nomor saya" not in reply_keyboard(phone_q)
    work_q = await organizer.say("📵 Tidak punya HP: hubungi pekerja lewat saya")
    assert work_q.params["text"].startswith("Apa pekerjaan pekerja?")
    kabupaten_q = await organizer.say("Petani")
    assert kabupaten_q.params["text"] == "Pekerja tinggal di kabupaten mana?"
    await organizer.say("Jember")
    programmes_q = await organizer.say("sumbersari")
    assert "diinginkan pekerja" in programmes_q.params["text"]
    income_q = await organizer.say(keyboard_label(programmes_q, "JHT"))
    assert "penghasilan pekerja" in income_q.params["text"]
    summary = await organizer.say(reply_keyboard(income_q)[1])
    text = summary.params["text"]
    assert "Mohon periksa" in text or "Sudah benar" in text, text
    assert "tidak ada, dihubungi lewat pengurus serikat" in text
    assert "Telegram" not in text  # no news opt-in line for a worker without Telegram
    await organizer.press(summary, "reg:confirm")
    done = await fake_tg.wait_for(lambda c: "Minat pekerja sudah tercatat" in c.params.get(
        "text", ""), start=start)
    done_text = done.params["text"]
    assert "menghubungi pekerja lewat Anda" in done_text
    assert "/datasaya dan /hapusdata bukan untuknya" in done_text
    assert "kantor cabang atau 175" in done_text and "Perkiraan iuran pekerja" in done_text
    # Every message of the flow spoke about the worker, never to them.
    for said in texts_to(fake_tg, ORGANIZER, start):
        for phrase in ("saya digaji", "Anda tinggal", "mengirimi Anda kabar",
                       "/datasaya menampilkan data Anda", "Kabar lewat Telegram"):
            assert phrase not in said, (phrase, said)
    [lead] = await stored_leads(app)
    assert (lead.phone, lead.broadcast_opt_in, lead.source) == (None, False, "organizer")
    assert (lead.full_name, lead.registered_by) == ("Mbah Sarno", ORGANIZER)
    # Staff see how to reach the worker: through the organizer, with a link to them.
    card = await fake_tg.wait_for(lambda c: c.method == "sendMessage" and str(
        c.params.get("chat_id")) == str(STAFF_CHAT) and "Mbah Sarno" in c.params["text"])
    assert "📵 Tidak punya HP: hubungi pekerja lewat pengurus serikat" in card.params["text"]
    assert f'tg://user?id={ORGANIZER}">Pak Darto</a>' in card.params["text"]
    # ... and in the export, in the phone column.
    start = len(fake_tg.sent)
    await fake_tg.send_message(ADMIN, "/ekspor csv", chat_id=STAFF_CHAT)
    export = await fake_tg.wait_for(lambda c: c.method == "sendDocument", 20, start)
    table = fake_tg.files[export.result["document"]["file_id"]].decode("utf-8-sig")
    [row] = list(csv.reader(io.StringIO(table)))[1:]
    assert (row[3], row[5]) == ("Mbah Sarno", "Tidak punya HP: lewat pengurus serikat")


async def test_a_typed_no_phone_is_refused_in_the_workers_own_form(
    fake_tg: FakeTelegram, app: App
) -> None:
    siti = Person(fake_tg, 931)
    segment = await siti.press(await siti.say("/daftar"), "reg:consent:yes")
    await siti.say(keyboard_label(segment, "🧑‍🌾"))
    await siti.say("Siti Aminah")
    phone_q = await siti.say(NIK_SUMBERSARI)
    assert not [label for label in reply_keyboard(phone_q) if "📵" in label]
    again = await siti.say("via_organizer")
    assert "nomor HP" in again.params["text"] and "pekerjaan" not in again.params["text"]


async def came_through_link(fake_tg: FakeTelegram, person: Person) -> None:
    """Opens the organizer's link and waits for the whole welcome (its last message)."""
    start = len(fake_tg.sent)
    await person.say("/start SPSI-7KQ4X")
    await fake_tg.wait_for(lambda c: "Pak Darto" in c.params.get("text", "")
                           and str(c.params.get("chat_id")) == str(person.user_id), start=start)


async def staff_press(fake_tg: FakeTelegram, card: Sent, data: str) -> None:
    staff = Person(fake_tg, STAFF_MEMBER, "Ani").in_chat(STAFF_CHAT)
    await staff.press(card, data)


async def test_organizer_hears_of_a_referral_and_its_status_and_rekap_lists_it(
    fake_tg: FakeTelegram, app: App
) -> None:
    await make_organizer(app, code="SPSI-7KQ4X", telegram_user_id=777)
    await Person(fake_tg, 777, "Darto").say("/kodeku")  # a chat with the bot exists
    await fake_tg.wait_for(lambda c: c.method == "sendDocument")  # /kodeku's poster, last
    siti = Person(fake_tg, 932)
    await came_through_link(fake_tg, siti)
    summary = await register_bpu(siti)
    start = len(fake_tg.sent)
    await siti.press(summary, "reg:confirm")
    news = await fake_tg.wait_for(to(777), start=start)
    assert "🆕 <b>Siti Aminah</b> mendaftar minat lewat kode Anda" in news.params["text"]
    assert "Minat" in news.params["text"]
    for private in (NIK_SUMBERSARI, NIK_SUMBERSARI[-4:], "3456", "Petani", "Sumbersari"):
        assert private not in news.params["text"]
    [lead] = await stored_leads(app)
    card = await fake_tg.wait_for(lambda c: c.method == "sendMessage" and str(
        c.params.get("chat_id")) == str(STAFF_CHAT) and f"#{lead.id}" in c.params["text"])
    start = len(fake_tg.sent)
    await staff_press(fake_tg, card, f"lead:{lead.id}:dihubungi")
    contacted = await fake_tg.wait_for(to(777), start=start)
    assert contacted.params["text"] == (
        "ℹ️ Status <b>Siti Aminah</b>, pekerja yang Anda ajak: <b>Dihubungi</b>.")
    start = len(fake_tg.sent)
    await Person(fake_tg, STAFF_MEMBER, "Ani").in_chat(STAFF_CHAT).say(
        f"/status {lead.id} terdaftar")
    registered = await fake_tg.wait_for(to(777), start=start)
    assert "<b>Terdaftar</b>" in registered.params["text"]
    # The same status again changes nothing and tells nobody.
    start = len(fake_tg.sent)
    await Person(fake_tg, STAFF_MEMBER, "Ani").in_chat(STAFF_CHAT).say(
        f"/status {lead.id} terdaftar")
    # /rekap: counts and the worker by name and status (the /status reply above came first).
    rekap = await Person(fake_tg, 777, "Darto").say("/rekap")
    assert texts_to(fake_tg, 777, start) == [rekap.params["text"]]
    assert "Pekerja terbaru" in rekap.params["text"]
    assert "• Siti Aminah: <b>Terdaftar</b>," in rekap.params["text"]
    assert NIK_SUMBERSARI[-4:] not in rekap.params["text"]


async def test_an_update_of_the_workers_data_does_not_notify_again(
    fake_tg: FakeTelegram, app: App
) -> None:
    await make_organizer(app, code="SPSI-7KQ4X", telegram_user_id=777)
    await Person(fake_tg, 777, "Darto").say("/kodeku")  # a chat with the bot exists
    await fake_tg.wait_for(lambda c: c.method == "sendDocument")  # /kodeku's poster, last
    siti = Person(fake_tg, 933)
    await came_through_link(fake_tg, siti)
    start = len(fake_tg.sent)
    await siti.press(await register_bpu(siti), "reg:confirm")
    await fake_tg.wait_for(to(777), start=start)
    existing = await siti.say("/daftar")
    summary = await siti.press(existing, "reg:update")
    start = len(fake_tg.sent)
    await siti.press(summary, "reg:confirm")
    await fake_tg.wait_for(lambda c: c.method == "sendMessage" and str(
        c.params.get("chat_id")) == str(STAFF_CHAT) and "diperbarui" in c.params["text"],
        start=start)
    assert texts_to(fake_tg, 777, start) == []
