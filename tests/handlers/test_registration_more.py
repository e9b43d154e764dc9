"""End to end: duplicates, updates, own data, referral links and organizer-assisted leads."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import inspect, select

from bot.sandbox.fake_telegram import FakeTelegram
from bot.services import erasure
from db.models import Lead, Referral
from tests.harness import Person, buttons, reply_keyboard
from tests.registration_helpers import (
    NIK_PUGER,
    NIK_SUMBERSARI,
    keyboard_label,
    make_organizer,
    register_bpu,
    stored_leads,
)


async def _confirm(fake_tg: FakeTelegram, person: Person, summary) -> None:
    start = len(fake_tg.sent)
    await person.press(summary, "reg:confirm")
    await fake_tg.wait_for(lambda c: "tercatat" in c.params.get("text", ""), start=start)


async def test_same_nik_cannot_register_twice(fake_tg: FakeTelegram, app) -> None:
    first = Person(fake_tg, 901)
    await _confirm(fake_tg, first, await register_bpu(first))
    second = Person(fake_tg, 902)
    segment = await second.press(await second.say("/daftar"), "reg:consent:yes")
    await second.say(keyboard_label(segment, "🧑‍🌾"))
    await second.say("Orang Lain")
    refused = await second.say(NIK_SUMBERSARI)
    assert "sudah terdaftar" in refused.params["text"]
    assert "Siti" not in refused.params["text"]  # the other lead's data stays hidden
    assert len(await stored_leads(app)) == 1


async def test_registering_again_shows_data_and_updates_it(fake_tg: FakeTelegram, app) -> None:
    siti = Person(fake_tg, 903)
    await _confirm(fake_tg, siti, await register_bpu(siti))
    again = await siti.say("/daftar")
    assert "sudah terdaftar" in again.params["text"].lower()
    assert "••••••••••••0001" in again.params["text"] and NIK_SUMBERSARI not in again.params[
        "text"]
    summary = await siti.press(again, "reg:update")
    menu = await siti.press(summary, "reg:change")
    occupation_q = await siti.press(menu, "reg:edit:occupation")
    new_summary = await siti.say("Pedagang")
    assert "Pedagang" in new_summary.params["text"]
    await _confirm(fake_tg, siti, new_summary)
    [lead] = await stored_leads(app)
    assert lead.occupation == "Pedagang" and lead.nik == NIK_SUMBERSARI
    assert occupation_q is not None


async def test_my_data_and_erasure(fake_tg: FakeTelegram, app) -> None:
    siti = Person(fake_tg, 904)
    await _confirm(fake_tg, siti, await register_bpu(siti))
    shown = await siti.say("/datasaya")
    assert "Siti Aminah" in shown.params["text"] and "••••••••••••0001" in shown.params["text"]
    assert NIK_SUMBERSARI not in shown.params["text"]
    ask = await siti.say("/hapusdata")
    done = await siti.press(ask, "erase:yes")
    assert "dihapus" in done.params["text"]
    [lead] = await stored_leads(app)
    personal = {c.key: getattr(lead, c.key) for c in inspect(Lead).mapper.column_attrs
                if c.key in ("full_name", "nik", "phone", "employer", "kpj_number",
                             "nik_region", "telegram_user_id")}
    assert set(personal.values()) == {None}
    assert lead.erased_at is not None and lead.segment == "BPU" and lead.kecamatan
    assert "Tidak ada data" in (await siti.say("/datasaya")).params["text"]


async def test_referral_link_credits_the_organizer(fake_tg: FakeTelegram, app) -> None:
    organizer_id = await make_organizer(app, code="SPSI-7KQ4X")
    worker = Person(fake_tg, 905)
    start = len(fake_tg.sent)
    await fake_tg.send_message(905, "/start SPSI-7KQ4X")
    welcome = await fake_tg.wait_for(lambda c: "Pak Darto" in c.params.get("text", ""),
                                     start=start)
    assert "SPSI" in welcome.params["text"]
    assert ("📝 Daftar minat", "menu:daftar") in buttons(welcome)
    summary = await register_bpu(worker)
    assert "kode" not in summary.params["text"].lower()  # no code question: the link had it
    await _confirm(fake_tg, worker, summary)
    [lead] = await stored_leads(app)
    assert lead.organizer_id == organizer_id and lead.referral_code_id is not None


async def test_first_referral_keeps_the_credit(fake_tg: FakeTelegram, app) -> None:
    first = await make_organizer(app, code="SPSI-AAAAA", telegram_user_id=771)
    await make_organizer(app, code="SBSI-BBBBB", telegram_user_id=772, union="SBSI", short="SBSI")
    worker = Person(fake_tg, 906)
    for code in ("SPSI-AAAAA", "SBSI-BBBBB"):
        start = len(fake_tg.sent)
        await fake_tg.send_message(906, f"/start {code}")
        await fake_tg.wait_for(lambda c: "datang lewat" in c.params.get("text", ""),
                               start=start)
    await _confirm(fake_tg, worker, await register_bpu(worker))
    [lead] = await stored_leads(app)
    assert lead.organizer_id == first


async def test_unknown_code_in_link_and_typed_code(fake_tg: FakeTelegram, app) -> None:
    organizer_id = await make_organizer(app, code="SPSI-7KQ4X")
    worker = Person(fake_tg, 907)
    start = len(fake_tg.sent)
    await fake_tg.send_message(907, "/start NGAWUR-123")
    note = await fake_tg.wait_for(lambda c: "tidak saya kenal" in c.params.get("text", ""),
                                  start=start)
    assert note is not None
    consent = await worker.say("/daftar")
    segment = await worker.press(consent, "reg:consent:yes")
    await worker.say(keyboard_label(segment, "🧑‍🌾"))
    for answer in ("Ahmad", NIK_PUGER, "081234560000", "Nelayan", "Jember", "Puger"):
        reply = await worker.say(answer)
    income_q = await worker.say(keyboard_label(reply, "JKK + JKM ("))
    broadcast_q = await worker.say(reply_keyboard(income_q)[0])
    code_q = await worker.say(keyboard_label(broadcast_q, "Tidak"))
    wrong = await worker.say("SALAH-99")
    assert "tidak saya kenal" in wrong.params["text"]
    summary = await worker.say("spsi-7kq4x")
    assert "Pak Darto" in summary.params["text"]
    await _confirm(fake_tg, worker, summary)
    [lead] = await stored_leads(app)
    assert lead.organizer_id == organizer_id
    assert code_q is not None


async def test_organizer_cannot_refer_themselves(fake_tg: FakeTelegram, app) -> None:
    await make_organizer(app, code="SPSI-SELF1", telegram_user_id=908)
    organizer = Person(fake_tg, 908)
    start = len(fake_tg.sent)
    await fake_tg.send_message(908, "/start SPSI-SELF1")
    await fake_tg.wait_for(lambda c: "tautan rujukan Anda sendiri" in c.params.get("text", ""),
                           start=start)
    async with app.bot_data.sessions() as session:
        assert list(await session.scalars(select(Referral))) == []
    await _confirm(fake_tg, organizer, await register_bpu(organizer))
    [lead] = await stored_leads(app)
    assert lead.organizer_id is None


async def test_organizer_registers_a_worker_without_telegram(fake_tg: FakeTelegram, app) -> None:
    organizer_id = await make_organizer(app, code="SPSI-RUJUK", telegram_user_id=909)
    organizer = Person(fake_tg, 909)
    consent = await organizer.say("/rujuk")
    assert "Mendaftarkan pekerja" in consent.params["text"]
    segment = await organizer.press(consent, "reg:consent:yes")
    await organizer.say(keyboard_label(segment, "👷"))
    await organizer.say("Bu Ratna")
    phone_q = await organizer.say(NIK_SUMBERSARI)
    assert "📱 Kirim nomor saya" not in reply_keyboard(phone_q)
    await organizer.say("0813 1111 2222")
    await organizer.say("Buruh pabrik")
    await organizer.say("Jember")
    employer_q = await organizer.say("Sumbersari")
    income_q = await organizer.say("PT Tembakau Jaya")
    assert employer_q is not None
    # No news opt-in for a worker without Telegram: the income answer leads to the summary.
    summary = await organizer.say(reply_keyboard(income_q)[2])
    assert "PT Tembakau Jaya" in summary.params["text"]
    await organizer.press(summary, "reg:confirm")
    done = await fake_tg.wait_for(
        lambda c: "Minat pekerja sudah tercatat" in c.params.get("text", ""))
    next_steps = done.params["text"].split("Langkah berikutnya", 1)[1]
    assert "didaftarkan oleh pemberi kerjanya" in next_steps
    assert "menghubungi pekerja" in next_steps
    assert "bpjsketenagakerjaan.go.id/bpu" not in next_steps
    [lead] = await stored_leads(app)
    assert (lead.source, lead.telegram_user_id, lead.registered_by) == ("organizer", None, 909)
    assert lead.organizer_id == organizer_id and lead.segment == "PU"
    # The same NIK again is refused without revealing the stored lead.
    segment = await organizer.press(await organizer.say("/rujuk"), "reg:consent:yes")
    await organizer.say(keyboard_label(segment, "👷"))
    await organizer.say("Orang Lain")
    duplicate = await organizer.say(NIK_SUMBERSARI)
    assert "sudah terdaftar" in duplicate.params["text"] and "Ratna" not in duplicate.params[
        "text"]


async def test_rujuk_is_for_organizers_only(fake_tg: FakeTelegram, app) -> None:
    reply = await Person(fake_tg, 910).say("/rujuk")
    assert "Hanya pengurus serikat" in reply.params["text"]


async def test_personal_data_is_erased_after_the_retention_period(fake_tg: FakeTelegram,
                                                                  app) -> None:
    siti = Person(fake_tg, 911)
    await _confirm(fake_tg, siti, await register_bpu(siti))
    assert app.job_queue.get_jobs_by_name("apply_retention")  # runs daily
    now = app.bot_data.clock()
    retention = timedelta(days=app.bot_data.settings.retention_days)
    assert await erasure.erase_expired(app.bot_data.sessions, now=now, retention=retention) == []
    later = now + timedelta(days=731)
    assert len(await erasure.erase_expired(app.bot_data.sessions, now=later,
                                           retention=retention)) == 1
    [lead] = await stored_leads(app)
    assert (lead.nik, lead.full_name, lead.phone) == (None, None, None)
    assert lead.segment == "BPU" and lead.erased_at == later
