"""End to end: the rough edges of tickets and of the office question (issue 15).

A worker is answered before the copy of their message is in the staff group (the copies are
posted in the background, in order, still threaded, retried, and never lost without a word);
a question the bot knows is answered inside an open ticket; closing a ticket nobody answered
asks to confirm, on the worker's side and on the staff's. The office question shows the
branch details that are configured, or says plainly that the bot has no address.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from bot.services import handoff
from bot.settings import Settings
from db.models import Ticket, TicketMessage
from db.session import Sessions
from handlers import handoff_copies
from tests.conftest import STAFF_CHAT, STAFF_MEMBER, make_settings
from tests.harness import Person, buttons, running_app

WORKER = 561


def _to(chat_id: int):  # type: ignore[no-untyped-def]
    return lambda c: c.method == "sendMessage" and str(c.params["chat_id"]) == str(chat_id)


def _copies(fake_tg: FakeTelegram, start: int = 0) -> list[Sent]:
    return [c for c in fake_tg.sent[start:] if _to(STAFF_CHAT)(c)]


async def _copy_of(fake_tg: FakeTelegram, text: str, start: int = 0) -> Sent:
    return await fake_tg.wait_for(lambda c: _to(STAFF_CHAT)(c) and text in c.params["text"],
                                  start=start)


async def _tickets(app: App) -> list[Ticket]:
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        return list(await session.scalars(select(Ticket).order_by(Ticket.id)))


# -- (b) the worker does not wait for the staff group ---------------------------------------

async def test_workers_are_answered_while_the_staff_group_is_busy(fake_tg: FakeTelegram,
                                                                  app: App) -> None:
    fake_tg.inject("hold", method="sendMessage", chat_id=STAFF_CHAT)  # the group is slow
    questions = [f"Pertanyaan pekerja ke-{n}" for n in range(3)]
    for n, question in enumerate(questions):
        reply = await Person(fake_tg, WORKER + n, "Siti").say(f"/petugas {question}")
        assert f"#{n + 1}" in reply.params["text"] and "✅" in reply.params["text"]
    assert _copies(fake_tg) == []  # every worker was answered before any copy was posted
    fake_tg.release_held()
    for question in questions:
        await _copy_of(fake_tg, question)
    posted = [c.params["text"] for c in _copies(fake_tg)]
    assert [next(i for i, t in enumerate(posted) if q in t) for q in questions] == [0, 1, 2]


async def test_a_follow_up_posted_later_still_threads_and_a_double_press_is_caught(
        fake_tg: FakeTelegram, app: App) -> None:
    worker = Person(fake_tg, WORKER, "Siti")
    fake_tg.inject("hold", method="sendMessage", chat_id=STAFF_CHAT)
    await worker.say("/petugas Klaim JKK saya belum cair")
    assert "📨" in (await worker.say("pesan kedua")).params["text"]
    again = await worker.say("pesan kedua")  # recorded already, though not posted yet
    assert "#1" in again.params["text"] and "📨" not in again.params["text"]
    fake_tg.release_held()
    first = await _copy_of(fake_tg, "Klaim JKK saya belum cair")
    second = await _copy_of(fake_tg, "pesan kedua")
    assert second.params["reply_parameters"]["message_id"] == first.result["message_id"]
    assert len([c for c in _copies(fake_tg) if "pesan kedua" in c.params["text"]]) == 1


async def test_a_copy_that_fails_is_tried_again(fake_tg: FakeTelegram, app: App,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handoff_copies, "RETRY_DELAYS", (0.0,))
    # The first try fails (a 400: bot/request.py retries 5xx by itself, not this).
    fake_tg.inject("status", status=400, method="sendMessage", chat_id=STAFF_CHAT)
    await Person(fake_tg, WORKER, "Siti").say("/petugas Saldo JHT saya berapa?")
    await _copy_of(fake_tg, "Saldo JHT saya berapa?")
    [ticket] = await _tickets(app)
    assert ticket.status == "open"


async def test_a_copy_no_group_takes_is_not_lost_without_a_word(
        fake_tg: FakeTelegram, app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handoff_copies, "RETRY_DELAYS", (0.0,))
    for _ in range(2):  # the try and the retry
        fake_tg.inject("status", status=403, method="sendMessage", chat_id=STAFF_CHAT)
    worker = Person(fake_tg, WORKER, "Siti")
    start = len(fake_tg.sent)
    confirmation = await worker.say("/petugas Saldo JHT saya berapa?")
    assert "#1" in confirmation.params["text"]
    told = await fake_tg.wait_for(lambda c: _to(WORKER)(c) and "😔" in c.params["text"],
                                  start=start)
    assert "#1" in told.params["text"] and "175" in told.params["text"]
    assert "Saldo JHT saya berapa?" in told.params["text"]  # what was not passed on
    assert _copies(fake_tg, start) == []
    [ticket] = await _tickets(app)
    assert ticket.status == "closed"
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        assert list(await session.scalars(select(TicketMessage))) == []
    # The worker can ask again: a new ticket, posted this time.
    await worker.say("/petugas Saldo JHT saya berapa?")
    assert "#2" in (await _copy_of(fake_tg, "Saldo JHT saya berapa?", start)).params["text"]


# -- (a) a known question inside an open ticket; closing an unanswered one ------------------

async def test_a_known_question_in_an_open_ticket_is_answered_and_the_ticket_stays_open(
        fake_tg: FakeTelegram, app: App) -> None:
    worker = Person(fake_tg, WORKER, "Siti")
    await worker.say("/petugas Klaim JKK saya belum cair")
    await _copy_of(fake_tg, "Klaim JKK saya belum cair")
    start = len(fake_tg.sent)
    answer = await worker.say("jht itu apa")
    assert "JHT" in answer.params["text"] and "Sumber" in answer.params["text"]
    note = await fake_tg.wait_for(lambda c: _to(WORKER)(c) and "#1" in c.params["text"],
                                  start=start)
    assert "tetap terbuka" in note.params["text"]
    assert any(data == "handoff:done:1" for _, data in buttons(note))
    assert _copies(fake_tg, start) == []  # not forwarded
    assert (await _tickets(app))[0].status == "open"
    # What is not a question the bot knows still goes to staff, in the same ticket.
    assert "📨" in (await worker.say("sudah saya coba tapi tetap gagal")).params["text"]
    await _copy_of(fake_tg, "sudah saya coba tapi tetap gagal", start)
    assert len(await _tickets(app)) == 1


async def test_the_question_asked_for_by_petugas_goes_to_staff_even_when_the_bot_knows_it(
        fake_tg: FakeTelegram, app: App) -> None:
    worker = Person(fake_tg, WORKER, "Siti")
    await worker.say("/petugas")
    assert "#1" in (await worker.say("jht itu apa")).params["text"]  # a ticket, not the answer
    await _copy_of(fake_tg, "jht itu apa")


async def test_done_before_any_staff_answer_asks_to_confirm(fake_tg: FakeTelegram,
                                                            app: App) -> None:
    worker = Person(fake_tg, WORKER, "Siti")
    confirmation = await worker.say("/petugas Klaim JKK saya belum cair")
    await _copy_of(fake_tg, "Klaim JKK saya belum cair")
    asked = await worker.press(confirmation, "handoff:done:1")
    assert "belum menjawab" in asked.params["text"] and "#1" in asked.params["text"]
    assert (await _tickets(app))[0].status == "open"
    kept = await worker.press(asked, "handoff:keep:1")
    assert "tetap terbuka" in kept.params["text"]
    assert (await _tickets(app))[0].status == "open"

    asked = await worker.press(confirmation, "handoff:done:1")
    start = len(fake_tg.sent)
    closed = await worker.press(asked, "handoff:end:1")
    assert "#1" in closed.params["text"] and "ditutup" in closed.params["text"]
    assert (await _tickets(app))[0].status == "closed"
    await fake_tg.wait_for(_to(STAFF_CHAT), start=start)  # staff learn that it ended


async def test_done_after_a_staff_answer_closes_at_once(fake_tg: FakeTelegram, app: App) -> None:
    worker = Person(fake_tg, WORKER, "Siti")
    await worker.say("/petugas Klaim JKK saya belum cair")
    copy = await _copy_of(fake_tg, "Klaim JKK saya belum cair")
    start = len(fake_tg.sent)
    staff = Person(fake_tg, STAFF_MEMBER, "Budi").in_chat(STAFF_CHAT)
    await staff.say("Sudah kami cek, besok cair.",
                    reply_to=fake_tg.messages[(STAFF_CHAT, copy.result["message_id"])])
    answer = await fake_tg.wait_for(_to(WORKER), start=start)
    closed = await worker.press(answer, "handoff:done:1")
    assert "ditutup" in closed.params["text"]
    assert (await _tickets(app))[0].status == "closed"


async def test_tutup_on_a_ticket_nobody_answered_warns_the_staff_member(
        fake_tg: FakeTelegram, app: App) -> None:
    await Person(fake_tg, WORKER, "Siti").say("/petugas Klaim JKK saya belum cair")
    await _copy_of(fake_tg, "Klaim JKK saya belum cair")
    staff = Person(fake_tg, STAFF_MEMBER, "Budi").in_chat(STAFF_CHAT)
    start = len(fake_tg.sent)
    warning = await staff.say("/tutup 1")
    assert warning.params["text"].startswith("⚠️") and "#1" in warning.params["text"]
    assert "Siti" in warning.params["text"]
    assert not [c for c in fake_tg.sent[start:] if _to(WORKER)(c)]  # the worker heard nothing
    assert (await _tickets(app))[0].status == "open"

    # Someone outside the staff group cannot press it.
    outsider_start = len(fake_tg.sent)
    await fake_tg.press(WORKER, {**fake_tg.messages[(STAFF_CHAT, warning.result["message_id"])],
                                 "chat": fake_tg.user_chat(WORKER)}, "handoff:force:1", "Siti")
    alert = await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery",
                                   start=outsider_start)
    assert alert.params.get("show_alert") in (True, "true")
    assert (await _tickets(app))[0].status == "open"

    start = len(fake_tg.sent)
    done = await staff.press(warning, "handoff:force:1")
    assert "✅" in done.params["text"] and "#1" in done.params["text"]
    told = await fake_tg.wait_for(_to(WORKER), start=start)
    assert "#1" in told.params["text"]
    assert (await _tickets(app))[0].status == "closed"


# -- (c) "kantor bpjs jember dimana" answers without sending the worker to /kontak ---------

async def test_office_question_says_plainly_that_the_address_is_not_in_the_bot(
        fake_tg: FakeTelegram, app: App) -> None:
    answer = (await Person(fake_tg, WORKER, "Siti").say("kantor bpjs jember dimana")).params
    text = answer["text"]
    assert "Kantor Cabang Jember" in text
    assert "Alamat kantor cabang belum ada di bot ini" in text
    assert "JMO" in text and "175" in text
    assert "/kontak" not in text and "[[" not in text


async def test_office_question_shows_the_configured_branch(
        fake_tg: FakeTelegram, database_url: str) -> None:
    settings = make_settings(fake_tg, database_url, branch_address="Jl. Kartini <No. 9>, Jember",
                             branch_phone="(0331) 000000", branch_hours="Senin–Jumat 08.00–15.00")
    async with running_app(settings, fake_tg):
        text = (await Person(fake_tg, WORKER, "Siti").say("kantor bpjs jember dimana")
                ).params["text"]
    assert "Jl. Kartini &lt;No. 9&gt;, Jember" in text
    assert "(0331) 000000" in text and "Senin–Jumat 08.00–15.00" in text
    assert "/kontak" not in text and "belum ada di bot ini" not in text


async def test_office_question_with_only_some_details_says_where_the_rest_is(
        fake_tg: FakeTelegram, database_url: str) -> None:
    settings = make_settings(fake_tg, database_url, branch_address="Jl. Kartini 9, Jember")
    async with running_app(settings, fake_tg):
        text = (await Person(fake_tg, WORKER, "Siti").say("kantor bpjs tk jember dimana")
                ).params["text"]
    assert "Jl. Kartini 9, Jember" in text and "Telepon" not in text
    assert "Yang belum tercantum di sini: hubungi 175" in text


async def test_a_copy_left_by_a_stopped_process_is_posted_at_the_next_start(
        fake_tg: FakeTelegram, settings: Settings, sessions: Sessions) -> None:
    fake_tg.user_chat(WORKER, "Siti")
    # Stored and confirmed to the worker, then the process was killed before posting it.
    stored = datetime.now(UTC) - timedelta(minutes=1)
    await handoff.post(sessions, telegram_user_id=WORKER, first_name="Siti",
                       text="Pertanyaan yang tertinggal", now=stored,
                       staff_chats=settings.staff_chat_ids)
    async with running_app(settings, fake_tg):
        copy = await _copy_of(fake_tg, "Pertanyaan yang tertinggal")
        assert copy.params["text"].startswith("🎫 #1 · Siti")
        start = len(fake_tg.sent)
        staff = Person(fake_tg, STAFF_MEMBER, "Budi").in_chat(STAFF_CHAT)
        await staff.say("Sudah kami cek.",
                        reply_to=fake_tg.messages[(STAFF_CHAT, copy.result["message_id"])])
        assert "Sudah kami cek." in (await fake_tg.wait_for(_to(WORKER), start=start)
                                     ).params["text"]
    async with running_app(settings, fake_tg):  # posted once, not again at the next start
        await Person(fake_tg, STAFF_MEMBER).in_chat(STAFF_CHAT).say("/tutup")
    assert len([c for c in _copies(fake_tg) if "tertinggal" in c.params["text"]]) == 1
