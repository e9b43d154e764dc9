"""End to end (issue 15, workers): a referral link is not asked for again, answers typed at
button steps are read, and cancelling an update says the stored data is unchanged."""

from __future__ import annotations

from bot.sandbox.fake_telegram import FakeTelegram, Sent
from tests.harness import Person, reply_keyboard
from tests.registration_helpers import (
    NIK_PUGER,
    NIK_SUMBERSARI,
    keyboard_label,
    make_organizer,
    register_bpu,
    stored_leads,
)

PLEASE_CHOOSE = "Mohon pilih salah satu tombol"


def text_of(sent: Sent) -> str:
    return str(sent.params["text"])


async def _confirm(fake_tg: FakeTelegram, person: Person, summary: Sent) -> None:
    start = len(fake_tg.sent)
    await person.press(summary, "reg:confirm")
    await fake_tg.wait_for(lambda c: "tercatat" in c.params.get("text", ""), start=start)


async def _open_link(fake_tg: FakeTelegram, user_id: int, code: str) -> Sent:
    start = len(fake_tg.sent)
    await fake_tg.send_message(user_id, f"/start {code}")
    return await fake_tg.wait_for(lambda c: "datang lewat" in c.params.get("text", ""),
                                  start=start)


async def _to_broadcast(person: Person, consent: Sent) -> Sent:
    """From the consent to the news opt-in question, as a BPU fisherman in Puger."""
    segment = await person.press(consent, "reg:consent:yes")
    await person.say(keyboard_label(segment, "🧑‍🌾"))
    for answer in ("Ahmad Fauzi", NIK_PUGER, "081234560000", "Nelayan", "Jember", "Puger"):
        reply = await person.say(answer)
    income_q = await person.say(keyboard_label(reply, "JKK + JKM ("))
    return await person.say(reply_keyboard(income_q)[0])


async def test_referral_link_then_daftar_asks_no_code(fake_tg: FakeTelegram, app) -> None:
    organizer_id = await make_organizer(app, code="SPSI-7KQ4X")
    worker = Person(fake_tg, 1501, "Ahmad")
    await _open_link(fake_tg, 1501, "SPSI-7KQ4X")
    broadcast_q = await _to_broadcast(worker, await worker.say("/daftar"))
    summary = await worker.say(keyboard_label(broadcast_q, "Tidak"))
    assert "Apakah organizer serikat memberi Anda kode" not in text_of(summary)
    assert "periksa" in text_of(summary).lower()
    assert "Pak Darto (SPSI)" in text_of(summary)
    await _confirm(fake_tg, worker, summary)
    [lead] = await stored_leads(app)
    assert lead.organizer_id == organizer_id


async def test_referral_link_button_asks_no_code(fake_tg: FakeTelegram, app) -> None:
    await make_organizer(app, code="SPSI-7KQ4X")
    worker = Person(fake_tg, 1502, "Ahmad")
    welcome = await _open_link(fake_tg, 1502, "SPSI-7KQ4X")
    consent = await worker.press(welcome, "📝 Daftar minat")
    assert "UU 27/2022" in text_of(consent)
    broadcast_q = await _to_broadcast(worker, consent)
    summary = await worker.say(keyboard_label(broadcast_q, "Tidak"))
    assert "kode" not in text_of(summary).lower()
    assert "Pak Darto (SPSI)" in text_of(summary)


async def test_link_with_an_unknown_code_still_asks_for_one(fake_tg: FakeTelegram,
                                                           app) -> None:
    worker = Person(fake_tg, 1503, "Ahmad")
    start = len(fake_tg.sent)
    await fake_tg.send_message(1503, "/start NGAWUR-123")
    await fake_tg.wait_for(lambda c: "tidak saya kenal" in c.params.get("text", ""),
                           start=start)
    broadcast_q = await _to_broadcast(worker, await worker.say("/daftar"))
    code_q = await worker.say(keyboard_label(broadcast_q, "Tidak"))
    assert "memberi Anda kode" in text_of(code_q)


async def test_typed_answers_at_button_steps_are_read(fake_tg: FakeTelegram, app) -> None:
    """The issue's messages: "sy ojek mas, narik sendiri", "2,5 jt an", "tidak", "gak ada
    mas" are read as choices, and the bot says what it noted."""
    rudi = Person(fake_tg, 1504, "Rudi")
    segment_q = await rudi.press(await rudi.say("/daftar"), "reg:consent:yes")
    assert "pemberi kerja" in text_of(segment_q)
    name_q = await rudi.say("sy ojek mas, narik sendiri")
    assert PLEASE_CHOOSE not in text_of(name_q)
    assert "Dicatat" in text_of(name_q) and "bekerja mandiri" in text_of(name_q)
    assert "Ojek / ojol" in text_of(name_q) and "nama lengkap" in text_of(name_q)
    await rudi.say("Rudi Hartono")
    await rudi.say(NIK_SUMBERSARI)
    kabupaten_q = await rudi.say("0812-3456-7899")
    # The work was named already: no occupation question.
    assert "kabupaten" in text_of(kabupaten_q).lower(), text_of(kabupaten_q)
    await rudi.say("Jember")
    programmes_q = await rudi.say("sumbersari")
    income_q = await rudi.say(keyboard_label(programmes_q, "JHT"))
    broadcast_q = await rudi.say("2,5 jt an")
    assert PLEASE_CHOOSE not in text_of(broadcast_q)
    assert "Rp2.000.000–Rp3.000.000" in text_of(broadcast_q) and "info" in text_of(broadcast_q)
    code_q = await rudi.say("tidak")
    assert "memberi Anda kode" in text_of(code_q) and "Tidak, terima kasih" in text_of(code_q)
    summary = await rudi.say("gak ada mas")
    assert "tidak saya kenal" not in text_of(summary)
    assert "Ojek / ojol" in text_of(summary) and "Rp2.000.000–Rp3.000.000" in text_of(summary)
    await _confirm(fake_tg, rudi, summary)
    [lead] = await stored_leads(app)
    assert (lead.segment, lead.occupation, lead.income_band) == ("BPU", "Ojek / ojol", "2-3")
    assert lead.broadcast_opt_in is False and lead.organizer_id is None
    assert income_q is not None


async def test_javanese_yes_no_and_typed_work(fake_tg: FakeTelegram, app) -> None:
    """"nggih" is yes, "mboten" no; a typed job that names a listed one is stored as it."""
    sri = Person(fake_tg, 1505, "Sri")
    segment_q = await sri.press(await sri.say("/daftar"), "reg:consent:yes")
    await sri.say("nggih")  # an employer pays a wage: PU
    await sri.say("Sri Wahyuni")
    await sri.say(NIK_SUMBERSARI)
    occupation_q = await sri.say("0812-3456-7898")
    assert "pekerjaan" in text_of(occupation_q).lower()
    kabupaten_q = await sri.say("kerja di pabrik rokok, buruh pabrik")
    assert "Dicatat" in text_of(kabupaten_q) and "Buruh pabrik" in text_of(kabupaten_q)
    await sri.say("Jember")
    employer_q = await sri.say("sumbersari")
    assert "pemberi kerja" in text_of(employer_q).lower()
    await sri.say("PT Gudang Garam")
    broadcast_q = await sri.say("1-2 juta")
    code_q = await sri.say("mboten")
    summary = await sri.say("belum")
    await _confirm(fake_tg, sri, summary)
    [lead] = await stored_leads(app)
    assert (lead.segment, lead.occupation, lead.income_band) == ("PU", "Buruh pabrik", "1-2")
    assert lead.broadcast_opt_in is False
    assert segment_q is not None and broadcast_q is not None and code_q is not None


async def test_unclear_typed_answer_says_what_was_understood(fake_tg: FakeTelegram,
                                                            app) -> None:
    """What is still unclear gets what was understood and the buttons again; nothing
    entered is lost."""
    dewi = Person(fake_tg, 1506, "Dewi")
    await dewi.press(await dewi.say("/daftar"), "reg:consent:yes")
    again = await dewi.say("saya petani")
    assert "Dicatat" in text_of(again) and "Petani" in text_of(again)
    assert "pemberi kerja" in text_of(again) and len(reply_keyboard(again)) >= 3
    await dewi.say("mboten")
    await dewi.say("Dewi Lestari")
    await dewi.say(NIK_SUMBERSARI)
    kabupaten_q = await dewi.say("0812-3456-7897")
    assert "kabupaten" in text_of(kabupaten_q).lower()  # Petani was kept
    await dewi.say("Jember")
    programmes_q = await dewi.say("sumbersari")
    income_q = await dewi.say(keyboard_label(programmes_q, "JHT"))
    unclear = await dewi.say("100rb")
    assert "Rp100.000" in text_of(unclear) and "100rb sehari" in text_of(unclear)
    assert reply_keyboard(unclear)[:5] == reply_keyboard(income_q)[:5]
    broadcast_q = await dewi.say("100rb sehari")
    assert "info" in text_of(broadcast_q)
    code_q = await dewi.say("iya")
    summary = await dewi.say("ndak ada")
    assert "Petani" in text_of(summary) and "Rp2.000.000–Rp3.000.000" in text_of(summary)
    assert code_q is not None


async def test_question_at_a_button_step_is_still_answered(fake_tg: FakeTelegram,
                                                           app) -> None:
    """"jht itu apa" at the programme step names JHT but is a question: answered, and the
    same step is asked again (it is not taken as "with JHT")."""
    eko = Person(fake_tg, 1507, "Eko")
    segment_q = await eko.press(await eko.say("/daftar"), "reg:consent:yes")
    await eko.say(keyboard_label(segment_q, "🧑‍🌾"))
    for answer in ("Eko Prasetyo", NIK_PUGER, "081234560001", "Nelayan", "Jember"):
        await eko.say(answer)
    await eko.say("Puger")
    start = len(fake_tg.sent)
    answered = await eko.say("jht itu apa")
    assert "tabungan hari tua" in text_of(answered)
    again = await fake_tg.wait_for(
        lambda c: "lanjut isi formulir" in c.params.get("text", ""), start=start)
    assert "Perlindungan mana" in text_of(again) and "Dicatat" not in text_of(again)


async def test_cancelling_an_update_keeps_the_stored_data(fake_tg: FakeTelegram, app) -> None:
    """"Perbarui data saya" then Batal: the stored data is unchanged, and the bot says so."""
    siti = Person(fake_tg, 1508, "Siti")
    await _confirm(fake_tg, siti, await register_bpu(siti))
    summary = await siti.press(await siti.say("/daftar"), "reg:update")
    cancelled = await siti.press(summary, "reg:cancel")
    assert "Tidak ada data dari formulir yang disimpan" not in text_of(cancelled)
    assert "tersimpan tidak berubah" in text_of(cancelled)
    menu = await siti.press(await siti.press(await siti.say("/daftar"), "reg:update"),
                            "reg:change")
    await siti.press(menu, "reg:edit:occupation")
    typed = await siti.say("batal")
    assert "tersimpan tidak berubah" in text_of(typed)
    [lead] = await stored_leads(app)
    assert lead.occupation == "Petani" and lead.full_name == "Siti Aminah"
    # A new registration cancelled still says nothing was stored.
    other = Person(fake_tg, 1509, "Budi")
    await other.press(await other.say("/daftar"), "reg:consent:yes")
    assert "Tidak ada data dari formulir" in text_of(await other.say("/batal"))
