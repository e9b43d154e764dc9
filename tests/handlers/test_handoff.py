"""End to end: a worker's question handed to staff, answered by a reply in the group."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from bot.services import conversations
from bot.services.handoff import FOLLOW_UP_LIMIT
from bot.settings import Settings
from db.models import QuestionLog, Ticket
from tests.conftest import STAFF_CHAT, STAFF_MEMBER
from tests.harness import Person, buttons, running_app

WORKER = 501
QUESTION = "Apakah JHT bisa dicairkan kalau saya <pindah> kerja?"


def _to(chat_id: int, start: int = 0):  # type: ignore[no-untyped-def]
    return lambda c: c.method == "sendMessage" and str(c.params["chat_id"]) == str(chat_id)


async def _group_copy(fake_tg: FakeTelegram, start: int) -> Sent:
    return await fake_tg.wait_for(_to(STAFF_CHAT), start=start)


async def _ask(fake_tg: FakeTelegram, text: str = QUESTION) -> tuple[Sent, Sent]:
    """The worker asks with /petugas: (the copy in the group, the confirmation)."""
    start = len(fake_tg.sent)
    confirmation = await Person(fake_tg, WORKER, "Siti").say(f"/petugas {text}")
    return await _group_copy(fake_tg, start), confirmation


async def _staff_reply(fake_tg: FakeTelegram, copy: Sent, text: str) -> tuple[Sent, Sent]:
    """A staff member replies to the copy: (what the worker got, the confirmation)."""
    start = len(fake_tg.sent)
    staff = Person(fake_tg, STAFF_MEMBER, "Budi").in_chat(STAFF_CHAT)
    message = fake_tg.messages[(STAFF_CHAT, copy.result["message_id"])]
    confirmation = await staff.say(text, reply_to=message)
    delivered = await fake_tg.wait_for(_to(WORKER), start=start)
    return delivered, confirmation


async def _tickets(app: App) -> list[Ticket]:
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions() as session:
        return list(await session.scalars(select(Ticket).order_by(Ticket.id)))


async def test_question_reply_follow_up_and_close(fake_tg: FakeTelegram, app: App) -> None:
    fake_tg.user_chat(WORKER, "Siti")
    copy, confirmation = await _ask(fake_tg)
    [ticket] = await _tickets(app)
    text = copy.params["text"]
    assert text.startswith(f"🎫 #{ticket.id}") and "Siti" in text
    assert "&lt;pindah&gt;" in text  # the worker's text is escaped
    assert f"#{ticket.id}" in confirmation.params["text"]
    assert not any(c.method in ("forwardMessage", "copyMessage") for c in fake_tg.sent)

    delivered, ok = await _staff_reply(fake_tg, copy, "Bisa, setelah 1 bulan <berhenti>.")
    assert "💬" in delivered.params["text"] and "&lt;berhenti&gt;" in delivered.params["text"]
    assert "✅" in ok.params["text"] and "Siti" in ok.params["text"]

    start = len(fake_tg.sent)
    await Person(fake_tg, WORKER, "Siti").say("Terima kasih, syaratnya apa saja?")
    follow_up = await _group_copy(fake_tg, start)
    assert follow_up.params["text"].startswith(f"🎫 #{ticket.id} · Siti:")
    assert follow_up.params["reply_parameters"]["message_id"] == copy.result["message_id"]
    assert len(await _tickets(app)) == 1

    delivered, _ = await _staff_reply(fake_tg, follow_up, "KTP dan kartu peserta.")
    assert "KTP dan kartu peserta." in delivered.params["text"]

    start = len(fake_tg.sent)
    closed = await Person(fake_tg, STAFF_MEMBER).in_chat(STAFF_CHAT).say(f"/tutup {ticket.id}")
    assert f"#{ticket.id}" in closed.params["text"]
    await fake_tg.wait_for(_to(WORKER), start=start)
    assert (await _tickets(app))[0].status == "closed"

    # After the close, the worker's message is a question for the knowledge base again.
    start = len(fake_tg.sent)
    await Person(fake_tg, WORKER, "Siti").say("berapa iuran jkk?")
    assert not [c for c in fake_tg.sent[start:] if str(c.params.get("chat_id")) == str(STAFF_CHAT)]


async def test_reply_after_a_restart_still_reaches_the_worker(
        fake_tg: FakeTelegram, settings: Settings) -> None:
    async with running_app(settings, fake_tg):
        copy, _ = await _ask(fake_tg)
    async with running_app(settings, fake_tg):
        delivered, _ = await _staff_reply(fake_tg, copy, "Silakan datang ke kantor cabang.")
        assert "Silakan datang ke kantor cabang." in delivered.params["text"]
        start = len(fake_tg.sent)
        await Person(fake_tg, WORKER, "Siti").say("Jam berapa buka?")
        assert "Jam berapa buka?" in (await _group_copy(fake_tg, start)).params["text"]


async def _log_question(app: App, user_id: int, text: str) -> int:
    assert app.bot_data.sessions is not None
    async with app.bot_data.sessions.begin() as session:
        row = QuestionLog(telegram_user_id=user_id, text=text, outcome="none", entry_id=None,
                          confidence=0.1, created_at=datetime.now(UTC))
        session.add(row)
        await session.flush()
        return row.id


async def test_button_after_no_match_passes_the_logged_question(fake_tg: FakeTelegram,
                                                                 app: App) -> None:
    question_id = await _log_question(app, WORKER, "kenapa saldo jht saya berkurang")
    prompt = await fake_tg.send_message(WORKER, "x", first_name="Siti")  # any message to press on
    start = len(fake_tg.sent)
    await fake_tg.press(WORKER, prompt, f"handoff:ask:{question_id}", "Siti")
    copy = await _group_copy(fake_tg, start)
    assert "kenapa saldo jht saya berkurang" in copy.params["text"]
    assert "Siti" in copy.params["text"]


async def test_forged_button_for_someone_elses_question_is_refused(fake_tg: FakeTelegram,
                                                                   app: App) -> None:
    question_id = await _log_question(app, 777, "pertanyaan orang lain")
    prompt = await fake_tg.send_message(WORKER, "x", first_name="Siti")
    start = len(fake_tg.sent)
    await fake_tg.press(WORKER, prompt, f"handoff:ask:{question_id}", "Siti")
    alert = await fake_tg.wait_for(lambda c: c.method == "answerCallbackQuery", start=start)
    assert alert.params.get("show_alert") in (True, "true")
    assert not [c for c in fake_tg.sent[start:] if str(c.params.get("chat_id")) == str(STAFF_CHAT)]
    assert await _tickets(app) == []


async def test_worker_ends_the_thread(fake_tg: FakeTelegram, app: App) -> None:
    _copy, confirmation = await _ask(fake_tg)
    assert any(data.startswith("handoff:done:") for _, data in buttons(confirmation))
    start = len(fake_tg.sent)
    ended = await Person(fake_tg, WORKER, "Siti").say("/batal")
    assert "#1" in ended.params["text"]
    await _group_copy(fake_tg, start)  # staff learn that the worker ended it
    assert (await _tickets(app))[0].status == "closed"


async def test_petugas_without_text_asks_for_the_question(fake_tg: FakeTelegram,
                                                          app: App) -> None:
    worker = Person(fake_tg, WORKER, "Siti")
    await worker.say("/petugas")
    start = len(fake_tg.sent)
    await worker.say("Bagaimana cara klaim JKK?")
    assert "Bagaimana cara klaim JKK?" in (await _group_copy(fake_tg, start)).params["text"]


async def test_other_replies_in_the_group_are_ignored(fake_tg: FakeTelegram, app: App) -> None:
    staff = Person(fake_tg, STAFF_MEMBER, "Budi").in_chat(STAFF_CHAT)
    other = await fake_tg.send_message(STAFF_MEMBER, "halo", chat_id=STAFF_CHAT)
    start = len(fake_tg.sent)
    await fake_tg.send_message(STAFF_MEMBER, "ok", chat_id=STAFF_CHAT, reply_to=other)
    await staff.say("/tutup")  # something that answers, so we know the reply was processed
    assert [c.method for c in fake_tg.sent[start:]] == ["sendMessage"]


async def test_a_flood_of_follow_ups_waits_for_the_staff_answer(fake_tg: FakeTelegram,
                                                                 app: App) -> None:
    fake_tg.user_chat(WORKER, "Siti")
    copy, _confirmation = await _ask(fake_tg)  # the first of FOLLOW_UP_LIMIT messages
    worker = Person(fake_tg, WORKER, "Siti")
    for n in range(2, FOLLOW_UP_LIMIT + 1):
        assert "📨" in (await worker.say(f"Tambahan ke-{n}")).params["text"]
    # The copies are posted after the worker's answer: the last one is in the group first.
    await fake_tg.wait_for(lambda c: _to(STAFF_CHAT)(c)
                           and f"Tambahan ke-{FOLLOW_UP_LIMIT}" in c.params["text"])
    start = len(fake_tg.sent)
    refused = await worker.say("Halo? Halo?")
    assert refused.params["text"].startswith("⏳") and "175" in refused.params["text"]
    relayed = [c for c in fake_tg.sent[start:] if str(c.params.get("chat_id")) == str(STAFF_CHAT)]
    assert not relayed
    await _staff_reply(fake_tg, copy, "Sebentar ya, kami cek.")
    start = len(fake_tg.sent)
    assert "📨" in (await worker.say("Baik, terima kasih")).params["text"]
    await _group_copy(fake_tg, start)  # after an answer the worker is heard again


async def test_staff_answer_reopens_the_thread_after_a_question_found_no_form(
        fake_tg: FakeTelegram, app: App) -> None:
    """Long polling keeps "no open form" in memory (bot/services/conversations.py): a staff
    answer, another user's update, opens the worker's thread, and the worker's next message
    still goes to staff, not to the knowledge base."""
    fake_tg.user_chat(WORKER, "Siti")
    copy, _ = await _ask(fake_tg)
    assert app.bot_data.sessions is not None
    # The thread's window passed (its row closed); the worker asks the knowledge base.
    await conversations.close(app.bot_data.sessions, chat_id=WORKER, user_id=WORKER)
    start = len(fake_tg.sent)
    answer = await Person(fake_tg, WORKER, "Siti").say("apa itu JHT")
    assert "tabungan hari tua" in answer.params["text"]
    assert not [c for c in fake_tg.sent[start:] if str(c.params.get("chat_id")) == str(STAFF_CHAT)]
    await _staff_reply(fake_tg, copy, "Tergantung risiko pekerjaan.")
    start = len(fake_tg.sent)
    await Person(fake_tg, WORKER, "Siti").say("Saya nelayan, jadi berapa?")
    follow_up = await _group_copy(fake_tg, start)
    assert "Saya nelayan, jadi berapa?" in follow_up.params["text"]
