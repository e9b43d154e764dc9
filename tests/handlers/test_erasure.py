"""End to end: /hapusdata and the retention job leave no copy behind, an old form cannot
bring erased data back, and a worker who erases and registers again counts once."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.context import App, utcnow
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from bot.settings import Settings
from db.models import Conversation, QuestionLog
from db.session import _sqlite_pragmas, sqlite_path
from tests.conftest import ADMIN, STAFF_CHAT, make_settings
from tests.harness import Person, running_app, sqlite_only
from tests.registration_helpers import NIK_SUMBERSARI, make_organizer, register_bpu, stored_leads

NAME = "Wulandari Kusumawardhani"
WORK = "Penjahit kebaya"


async def confirm(fake_tg: FakeTelegram, person: Person, summary: Sent) -> None:
    start = len(fake_tg.sent)
    await person.press(summary, "reg:confirm")
    await fake_tg.wait_for(lambda c: "tercatat" in c.params.get("text", ""), start=start)


async def erase(person: Person) -> None:
    ask = await person.say("/hapusdata")
    assert "dihapus" in (await person.press(ask, "erase:yes")).params["text"]


def to_staff(method: str, message_id: int | None = None, mark: str = "") -> Any:
    return lambda c: (c.method == method and str(c.params.get("chat_id")) == str(STAFF_CHAT)
                      and (message_id is None or int(c.params["message_id"]) == message_id)
                      and mark in c.params.get("text", ""))


COPY = "🎫"  # a copy of a worker's question to staff (the lead card is another message)


async def forms(app: App) -> list[Conversation]:
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        return list(await session.scalars(select(Conversation)))


def assert_erased(lead: Any) -> None:
    assert lead.erased_at is not None
    assert (lead.full_name, lead.nik, lead.phone, lead.telegram_user_id) == (None,) * 4


async def test_a_summary_sent_after_erasure_does_not_bring_the_data_back(
    fake_tg: FakeTelegram, app: App
) -> None:
    """/daftar, "Perbarui data saya", /hapusdata, then "Kirim" on the earlier summary."""
    siti = Person(fake_tg, 1201)
    await confirm(fake_tg, siti, await register_bpu(siti))
    summary = await siti.press(await siti.say("/daftar"), "reg:update")
    assert "Siti Aminah" in summary.params["text"]
    await erase(siti)
    assert await forms(app) == []  # the open form went with the data
    start = len(fake_tg.sent)
    await fake_tg.press(1201, fake_tg.messages[(1201, summary.result["message_id"])],
                        "reg:confirm")
    answer = await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    assert "tidak berlaku" in answer.params["text"]
    assert "Tidak ada data" in (await siti.say("/datasaya")).params["text"]
    assert not [c for c in fake_tg.sent[start:] if "tercatat" in c.params.get("text", "")]
    [lead] = await stored_leads(app)
    assert_erased(lead)
    await confirm(fake_tg, siti, await register_bpu(siti))  # the NIK is free again
    assert (await stored_leads(app))[-1].nik == NIK_SUMBERSARI


async def test_a_form_still_open_after_erasure_is_refused(
    fake_tg: FakeTelegram, app: App
) -> None:
    """A form that outlived the erasure (another instance had it in hand) writes nothing."""
    siti = Person(fake_tg, 1202)
    await confirm(fake_tg, siti, await register_bpu(siti))
    summary = await siti.press(await siti.say("/daftar"), "reg:update")
    [form] = await forms(app)
    await erase(siti)
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions.begin() as session:
        session.add(Conversation(chat_id=1202, telegram_user_id=1202, flow=form.flow,
                                 step=form.step, data=form.data, updated_at=utcnow()))
    refused = await siti.press(summary, "reg:confirm")
    assert "sudah dihapus" in refused.params["text"] and "/daftar" in refused.params["text"]
    [lead] = await stored_leads(app)
    assert_erased(lead)
    assert await forms(app) == []


async def test_erasure_removes_the_workers_messages_from_the_staff_group(
    fake_tg: FakeTelegram, app: App
) -> None:
    """Copies younger than 48 hours are deleted; Telegram refuses that for older ones,
    which are overwritten."""
    worker = Person(fake_tg, 1203, first_name="Wulan")
    await confirm(fake_tg, worker, await register_bpu(worker))
    start = len(fake_tg.sent)
    await worker.say("/petugas Tolong telepon saya di 0812-3456-7890")
    old = await fake_tg.wait_for(to_staff("sendMessage", mark=COPY), start=start)
    fake_tg.messages[(STAFF_CHAT, old.result["message_id"])]["date"] -= 3 * 24 * 3600
    start = len(fake_tg.sent)
    await worker.say(f"NIK saya {NIK_SUMBERSARI}")
    new = await fake_tg.wait_for(to_staff("sendMessage", mark=COPY), start=start)
    start = len(fake_tg.sent)
    await erase(worker)
    await fake_tg.wait_for(to_staff("deleteMessage", new.result["message_id"]), start=start)
    edited = await fake_tg.wait_for(to_staff("editMessageText", old.result["message_id"]),
                                    start=start)
    assert "permintaan pekerja" in edited.params["text"] and "#1" in edited.params["text"]
    assert (STAFF_CHAT, new.result["message_id"]) not in fake_tg.messages
    left = fake_tg.messages[(STAFF_CHAT, old.result["message_id"])]["text"]
    assert "0812" not in left and "Wulan" not in left
    # The thread ended with the erasure: a new question is a new ticket.
    assert "#2" in (await worker.say("/petugas Pertanyaan baru")).params["text"]


async def test_questions_alone_can_be_seen_and_erased(fake_tg: FakeTelegram, app: App) -> None:
    """Without a registration, what the worker asked is still theirs to erase."""
    worker = Person(fake_tg, 1208, first_name="Wulan")
    await worker.say("/petugas Saya Wulan, nomor 0812-3456-7890")
    shown = (await worker.say("/datasaya")).params["text"]
    assert "belum mendaftar" in shown and "/hapusdata" in shown
    await erase(worker)
    assert "Tidak ada data" in (await worker.say("/datasaya")).params["text"]
    assert "tidak ada yang perlu dihapus" in (await worker.say("/hapusdata")).params["text"]


async def test_erasure_keeps_only_the_listed_occupation(fake_tg: FakeTelegram, app: App) -> None:
    worker = Person(fake_tg, 1204)
    start = len(fake_tg.sent)
    await confirm(fake_tg, worker, await register_bpu(worker, occupation=WORK))
    card = await fake_tg.wait_for(to_staff("sendMessage", mark="🆕"), start=start)
    assert WORK in card.params["text"]
    start = len(fake_tg.sent)
    await erase(worker)
    redrawn = await fake_tg.wait_for(to_staff("editMessageText", card.result["message_id"]),
                                     start=start)
    assert WORK not in redrawn.params["text"] and "Lainnya" in redrawn.params["text"]
    start = len(fake_tg.sent)
    await fake_tg.send_message(ADMIN, "/ekspor csv", chat_id=STAFF_CHAT)
    export = await fake_tg.wait_for(lambda c: c.method == "sendDocument", 20, start)
    table = fake_tg.files[export.result["document"]["file_id"]].decode("utf-8-sig")
    [row] = list(csv.reader(io.StringIO(table)))[1:]
    assert WORK not in table and "Lainnya" in row


@sqlite_only
async def test_erased_values_are_not_left_in_the_database_files(
    fake_tg: FakeTelegram, app: App, settings: Settings
) -> None:
    """Read while the bot runs: the -wal file too (secure_delete and a WAL checkpoint)."""
    worker = Person(fake_tg, 1205, first_name="Wulan")
    await confirm(fake_tg, worker, await register_bpu(worker, name=NAME, occupation=WORK))
    await worker.say(f"/petugas Saya {NAME}, NIK {NIK_SUMBERSARI}, HP 0812-3456-7890")
    await worker.say("/datasaya")  # the question's copy is recorded by now
    await erase(worker)
    path = sqlite_path(settings.database_url)
    assert path is not None
    files = [path, Path(f"{path}-wal")]
    secrets = [NIK_SUMBERSARI, NAME, "Kusumawardhani", "81234567890", "0812-3456-7890", WORK]
    for file in files:
        data = file.read_bytes() if file.exists() else b""
        assert not [s for s in secrets if s.encode() in data], file.name


def test_every_sqlite_connection_overwrites_deleted_content() -> None:
    """As a build of SQLite without SQLITE_SECURE_DELETE would start (Debian's has it)."""
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA secure_delete=OFF")
    _sqlite_pragmas(connection, None)
    assert connection.execute("PRAGMA secure_delete").fetchone() == (1,)
    connection.close()


async def test_the_retention_job_takes_the_same_path(fake_tg: FakeTelegram, app: App) -> None:
    worker = Person(fake_tg, 1206, first_name="Wulan")
    start = len(fake_tg.sent)
    await confirm(fake_tg, worker, await register_bpu(worker, name=NAME))
    card = await fake_tg.wait_for(to_staff("sendMessage", mark="🆕"), start=start)
    start = len(fake_tg.sent)
    await worker.say("/petugas Nomor saya 0812-3456-7890")
    copy = await fake_tg.wait_for(to_staff("sendMessage", mark=COPY), start=start)
    later = utcnow() + timedelta(days=731)
    app.bot_data.clock = lambda: later
    start = len(fake_tg.sent)
    [job] = app.job_queue.get_jobs_by_name("apply_retention")  # type: ignore[union-attr]
    await job.run(app)
    redrawn = await fake_tg.wait_for(to_staff("editMessageText", card.result["message_id"]),
                                     start=start)
    assert NAME not in redrawn.params["text"]
    await fake_tg.wait_for(to_staff("deleteMessage", copy.result["message_id"]), start=start)
    [lead] = await stored_leads(app)
    assert_erased(lead)
    assert await forms(app) == []
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        assert list(await session.scalars(select(QuestionLog))) == []


def rekap_total(text: str) -> int:
    """The organizer's total of referred workers (the "Jumlah" row), 0 without a table."""
    found = re.search(r"Jumlah\s+[\d.]+\s+[\d.]+\s+([\d.]+)", text)
    return int(found[1].replace(".", "")) if found else 0


async def rekap_of(fake_tg: FakeTelegram, organizer: int) -> int:
    """/rekap's total; the organizer may also be getting news of the referral meanwhile."""
    start = len(fake_tg.sent)
    await Person(fake_tg, organizer).say("/rekap")
    reply = await fake_tg.wait_for(lambda c: str(c.params.get("chat_id")) == str(organizer)
                                   and "<pre>" in c.params.get("text", ""), start=start)
    return rekap_total(reply.params["text"])


async def test_erasing_and_registering_through_another_organizer_counts_once(
    fake_tg: FakeTelegram, database_url: str
) -> None:
    settings = make_settings(fake_tg, database_url, nik_hash_key="s" * 32)
    async with running_app(settings, fake_tg) as app:
        now = utcnow()
        app.bot_data.clock = lambda: now
        await make_organizer(app, code="SPSI-AAAAA", telegram_user_id=771)
        await make_organizer(app, code="SBSI-BBBBB", telegram_user_id=772,
                             union="Serikat Buruh Sejahtera Indonesia", short="SBSI")
        worker = Person(fake_tg, 1207)
        for code in ("SPSI-AAAAA", "SBSI-BBBBB"):
            start = len(fake_tg.sent)
            await fake_tg.send_message(1207, f"/start {code}")
            await fake_tg.wait_for(lambda c: "datang lewat" in c.params.get("text", ""),
                                   start=start)
            await confirm(fake_tg, worker, await register_bpu(worker))
            if code.startswith("SPSI"):
                assert await rekap_of(fake_tg, 771) == 1
                await erase(worker)
        [lead] = await stored_leads(app)  # the erased registration's row made way
        assert lead.nik == NIK_SUMBERSARI
        start = len(fake_tg.sent)
        await fake_tg.send_message(ADMIN, "/stats", chat_id=STAFF_CHAT)
        stats = (await fake_tg.wait_for(  # not a lead card still on its way to the group
            lambda c: "18.000" in c.params.get("text", ""), start=start)).params["text"]
        assert re.search(r"BPU 1 dari 18\.000", stats), stats
        assert "(SBSI) — 1" in stats and "(SPSI)" not in stats
        assert await rekap_of(fake_tg, 771) == 0
        assert await rekap_of(fake_tg, 772) == 1
