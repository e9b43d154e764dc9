"""End to end: a worker registers their interest, with every kind of detour."""

from __future__ import annotations

from datetime import timedelta

from bot.sandbox.fake_telegram import FakeTelegram
from tests.harness import Person, buttons, reply_keyboard, running_app
from tests.registration_helpers import (
    NIK_PUGER,
    NIK_SUMBERSARI,
    keyboard_label,
    register_bpu,
    stored_leads,
)


async def test_worker_registers_as_bpu_end_to_end(fake_tg: FakeTelegram, app) -> None:
    siti = Person(fake_tg, 701, "Siti")
    summary = await register_bpu(siti)
    text = summary.params["text"]
    assert "Siti Aminah" in text and "••••••••••••0001" in text and NIK_SUMBERSARI not in text
    assert "+6281234567890" in text and "Sumbersari, Jember" in text
    done = await siti.press(summary, "reg:confirm")
    confirmation = await fake_tg.wait_for(
        lambda c: c.method == "sendMessage" and "Terima kasih" in c.params.get("text", ""))
    assert "Rp" in confirmation.params["text"] and "per PP 44/2015" in confirmation.params["text"]
    assert "175" in confirmation.params["text"]
    next_steps = confirmation.params["text"].split("Langkah berikutnya", 1)[1]
    assert "akan menghubungi Anda" in next_steps
    assert "bpjsketenagakerjaan.go.id/bpu" in next_steps and "PERISAI" in next_steps
    assert "JMO" not in next_steps  # registering in JMO is not confirmed
    assert done is not None
    [lead] = await stored_leads(app)
    assert (lead.segment, lead.full_name, lead.nik, lead.phone) == (
        "BPU", "Siti Aminah", NIK_SUMBERSARI, "+6281234567890")
    assert (lead.kabupaten, lead.kecamatan, lead.programmes) == (
        "Jember", "Sumbersari", "jkk_jkm_jht")
    assert lead.status == "minat" and lead.source == "self" and lead.telegram_user_id == 701
    assert lead.consent_at is not None and lead.consent_version
    assert lead.broadcast_opt_in is True and lead.nik_region is None


async def test_wage_earner_is_told_the_employer_registers_them(fake_tg: FakeTelegram,
                                                                app) -> None:
    budi = Person(fake_tg, 712, "Budi")
    segment = await budi.press(await budi.say("/daftar"), "reg:consent:yes")
    await budi.say(keyboard_label(segment, "👷"))
    await budi.say("Budi Santoso")
    await budi.say(NIK_PUGER)
    await budi.say("0812-3456-7891")
    await budi.say("Buruh pabrik")
    await budi.say("Jember")
    await budi.say("Puger")
    income_q = await budi.say("PT Tembakau Jaya")
    broadcast_q = await budi.say(reply_keyboard(income_q)[1])
    referral_q = await budi.say(keyboard_label(broadcast_q, "Tidak"))
    summary = await budi.say(keyboard_label(referral_q, "Lewati"))
    await budi.press(summary, "reg:confirm")
    confirmation = await fake_tg.wait_for(
        lambda c: c.method == "sendMessage" and "Terima kasih" in c.params.get("text", ""))
    text = confirmation.params["text"]
    assert "usaha menengah dan besar, JP 1%" in text and "batas upah JP" in text
    next_steps = text.split("Langkah berikutnya", 1)[1]
    assert "didaftarkan oleh pemberi kerja" in next_steps and "Disnaker" in next_steps
    assert "akan menghubungi Anda" in next_steps and "175" in next_steps
    assert "bpjsketenagakerjaan.go.id/bpu" not in next_steps and "JMO" not in next_steps
    [lead] = await stored_leads(app)
    assert (lead.segment, lead.employer) == ("PU", "PT Tembakau Jaya")


async def test_no_consent_stores_nothing(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 702)
    consent = await person.say("/daftar")
    assert "UU 27/2022" in consent.params["text"]
    reply = await person.press(consent, "reg:consent:no")
    assert "tidak ada yang disimpan" in reply.params["text"].lower()
    assert await stored_leads(app) == []
    # Free text now goes to the question answerer, not to a form.
    assert "pekerjaan" not in (await person.say("Petani")).params["text"].lower()


async def test_bad_nik_is_explained_and_earlier_answers_are_kept(
    fake_tg: FakeTelegram, app
) -> None:
    person = Person(fake_tg, 703)
    consent = await person.say("/daftar")
    segment = await person.press(consent, "reg:consent:yes")
    await person.say(keyboard_label(segment, "🧑‍🌾"))
    await person.say("Budi Santoso")
    short = await person.say("35092145")
    assert "16 angka" in short.params["text"] and "NIK" in short.params["text"]
    bad_date = await person.say("3509219999900001")
    assert "tanggal lahir" in bad_date.params["text"]
    province = await person.say("9909214508900001")
    assert "provinsi" in province.params["text"]
    phone_q = await person.say("3509 2145 0890 0001")
    assert "nomor" in phone_q.params["text"].lower()
    bad_phone = await person.say("12345")
    assert "0812 3456 7890" in bad_phone.params["text"]
    back = await person.say(keyboard_label(bad_phone, "Kembali"))
    assert "NIK" in back.params["text"]
    again = await person.say("3509214508900001")
    assert "nomor" in again.params["text"].lower()


async def test_back_goes_one_step_and_cancel_stores_nothing(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 704)
    segment = await person.press(await person.say("/daftar"), "reg:consent:yes")
    name_q = await person.say(keyboard_label(segment, "👷"))
    back = await person.say("kembali")
    assert back.params["text"] == segment.params["text"]
    await person.say(keyboard_label(back, "👷"))
    await person.say("Ani")
    cancelled = await person.say("/batal")
    assert "Dibatalkan" in cancelled.params["text"]
    assert await stored_leads(app) == []
    assert name_q is not None


async def test_shared_contact_is_accepted_as_the_phone(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 705)
    segment = await person.press(await person.say("/daftar"), "reg:consent:yes")
    await person.say(keyboard_label(segment, "🧑‍🌾"))
    await person.say("Dewi")
    phone_q = await person.say(NIK_SUMBERSARI)
    assert "📱 Kirim nomor saya" in reply_keyboard(phone_q)
    contact = {"phone_number": "6281399990000", "first_name": "Dewi", "user_id": 705}
    occupation_q = await person.say(None, contact=contact)
    assert "pekerjaan" in occupation_q.params["text"].lower()
    someone_else = {"phone_number": "6281311112222", "first_name": "X", "user_id": 999}
    await person.say("kembali")
    refused = await person.say(None, contact=someone_else)
    assert "nomor Anda sendiri" in refused.params["text"]


async def test_unknown_kecamatan_offers_candidates(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 706)
    segment = await person.press(await person.say("/daftar"), "reg:consent:yes")
    await person.say(keyboard_label(segment, "🧑‍🌾"))
    await person.say("Rina")
    await person.say(NIK_SUMBERSARI)
    await person.say("081234567891")
    await person.say("Pedagang")
    kecamatan_q = await person.say("Jember")
    assert "Sumbersari" in reply_keyboard(kecamatan_q)  # suggested from the NIK
    guess = await person.say("Kaliwatess")
    assert "Kaliwates" in reply_keyboard(guess)


async def test_nik_region_difference_is_asked_and_recorded(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 707)
    segment = await person.press(await person.say("/daftar"), "reg:consent:yes")
    await person.say(keyboard_label(segment, "🧑‍🌾"))
    await person.say("Joko")
    await person.say(NIK_PUGER)
    await person.say("081234567893")
    await person.say("Nelayan")
    kecamatan_q = await person.say("Jember")
    assert reply_keyboard(kecamatan_q)[0] == "Puger"  # suggested from the NIK
    check = await person.say("Ambulu")
    assert "Puger, Jember" in check.params["text"] and "Ambulu, Jember" in check.params["text"]
    changed = await person.say(keyboard_label(check, "Bukan"))
    assert "kabupaten" in changed.params["text"].lower()
    await person.say("Jember")
    check = await person.say("Ambulu")
    programmes_q = await person.say(keyboard_label(check, "✅"))
    assert "JKK" in programmes_q.params["text"]
    income_q = await person.say(keyboard_label(programmes_q, "JKK + JKM ("))
    broadcast_q = await person.say(reply_keyboard(income_q)[0])
    referral_q = await person.say(keyboard_label(broadcast_q, "Tidak"))
    summary = await person.say(keyboard_label(referral_q, "Lewati"))
    await person.press(summary, "reg:confirm")
    await fake_tg.wait_for(lambda c: "Terima kasih" in c.params.get("text", ""))
    [lead] = await stored_leads(app)
    assert (lead.kecamatan, lead.nik_region) == ("Ambulu", "Puger, Jember")
    assert lead.programmes == "jkk_jkm" and lead.broadcast_opt_in is False


async def test_restart_in_the_middle_loses_nothing(fake_tg: FakeTelegram, settings) -> None:
    person = Person(fake_tg, 708)
    async with running_app(settings, fake_tg):
        segment = await person.press(await person.say("/daftar"), "reg:consent:yes")
        await person.say(keyboard_label(segment, "🧑‍🌾"))
        await person.say("Slamet Riyadi")
    async with running_app(settings, fake_tg) as app:
        phone_q = await person.say(NIK_SUMBERSARI)
        assert "nomor" in phone_q.params["text"].lower()
        await person.say("081234567892")
        await person.say("Nelayan")
        await person.say("Jember")
        programmes_q = await person.say("Sumbersari")
        assert "JKK" in programmes_q.params["text"]
        assert app is not None


async def test_idle_form_is_closed_with_a_message(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 709)
    segment = await person.press(await person.say("/daftar"), "reg:consent:yes")
    assert segment is not None
    later = app.bot_data.clock() + timedelta(minutes=31)
    app.bot_data.clock = lambda: later
    start = len(fake_tg.sent)
    from handlers.registration import close_idle_forms

    app.job_queue.run_once(close_idle_forms, 0)
    closed = await person.reply_after(start)
    assert "30 menit" in closed.params["text"] and "/daftar" in closed.params["text"]
    assert "pekerjaan" not in (await person.say("Petani")).params["text"].lower()


async def test_summary_buttons_edit_a_field(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 710)
    summary = await register_bpu(person)
    menu = await person.press(summary, "reg:change")
    assert ("Nama", "reg:edit:name") in buttons(menu)
    name_q = await person.press(menu, "reg:edit:name")
    assert "nama lengkap" in name_q.params["text"].lower()
    new_summary = await person.say("Siti Aminah Rahayu")
    assert "Siti Aminah Rahayu" in new_summary.params["text"]
    await person.press(new_summary, "reg:confirm")
    await fake_tg.wait_for(lambda c: "Terima kasih" in c.params.get("text", ""))
    [lead] = await stored_leads(app)
    assert lead.full_name == "Siti Aminah Rahayu"
