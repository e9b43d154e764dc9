"""End to end: NUL, other control characters and bidi overrides are removed on the way in.

PostgreSQL refuses a text with NUL: before, a question with one got the generic apology
and was not logged, and in a thread with staff each such message was copied to the staff
group, then failed to be recorded, so the follow-up limit never counted it and staff
replies to it found no ticket. Run with TEST_DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from bot.services.handoff import FOLLOW_UP_LIMIT
from db.models import QuestionLog, Ticket, TicketMessage
from tests.conftest import STAFF_CHAT, STAFF_MEMBER
from tests.harness import Person, buttons
from tests.test_webhook import webhook_instance, webhook_settings, webhook_user

WORKER = 531
UNSAFE = ["\x00", "\x01", "\x1b", "\r", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
          "\u2066", "\u2067", "\u2068", "\u2069"]
APOLOGY = ("Maaf", "gangguan")


def _to(chat_id: int):  # type: ignore[no-untyped-def]
    return lambda c: c.method == "sendMessage" and str(c.params["chat_id"]) == str(chat_id)


def copies(fake_tg: FakeTelegram, start: int = 0) -> list[Sent]:
    return [c for c in fake_tg.sent[start:] if _to(STAFF_CHAT)(c)
            and c.params["text"].startswith("🎫")]


def about_contributions(reply: Sent) -> bool:
    """An answer about contributions, or "Maksud Anda ...?" offering one (the bot may be
    unsure of a three-word question): either way the NUL did not get in the way."""
    labels = " ".join(label for label, _ in buttons(reply))
    return "JKK" in reply.params["text"] or "iuran" in labels.lower()


async def rows(app: App, model: type) -> list:  # type: ignore[type-arg]
    async with app.bot_data.sessions() as session:  # type: ignore[misc]
        return list(await session.scalars(select(model).order_by(model.id)))


async def test_a_question_with_nul_is_answered_and_logged(fake_tg: FakeTelegram, app: App) -> None:
    reply = await Person(fake_tg, WORKER).say("berapa iuran\x00 jkk")
    assert not all(word in reply.params["text"] for word in APOLOGY), reply.params["text"]
    assert about_contributions(reply)
    [logged] = await rows(app, QuestionLog)
    assert logged.text == "berapa iuran jkk"


async def test_a_thread_of_messages_with_nul_keeps_its_limit_and_its_ticket(
    fake_tg: FakeTelegram, app: App
) -> None:
    worker = Person(fake_tg, WORKER, "Siti")
    await worker.say("/petugas saldo jht\x00 saya berapa?")
    for number in range(1, 15):
        await worker.say(f"pesan\x00 ke-{number}")
    posted = copies(fake_tg)
    assert len(posted) == FOLLOW_UP_LIMIT
    assert not any("\x00" in c.params["text"] for c in posted)
    [ticket] = await rows(app, Ticket)
    stored = [m for m in await rows(app, TicketMessage) if m.direction == "worker"]
    assert len(stored) == FOLLOW_UP_LIMIT and all("\x00" not in m.text for m in stored)
    assert stored[0].text == "saldo jht saya berapa?"
    staff = Person(fake_tg, STAFF_MEMBER, "Budi").in_chat(STAFF_CHAT)
    for copy in (posted[0], posted[-1]):
        start = len(fake_tg.sent)
        message = fake_tg.messages[(STAFF_CHAT, copy.result["message_id"])]
        confirmation = await staff.say("Sudah kami cek.", reply_to=message)
        assert f"#{ticket.id}" in confirmation.params["text"] and "✅" in confirmation.params[
            "text"]
        delivered = await fake_tg.wait_for(_to(WORKER), start=start)
        assert "Sudah kami cek." in delivered.params["text"]


async def test_controls_and_bidi_overrides_never_reach_the_staff_group(
    fake_tg: FakeTelegram, app: App
) -> None:
    name = "Si\u202eti\x1b"
    question = "halo " + "".join(f"a{char}" for char in UNSAFE) + " tab\tdan\nbaris"
    start = len(fake_tg.sent)
    await Person(fake_tg, WORKER, name).say(f"/petugas {question}")
    await fake_tg.wait_for(lambda c: str(c.params.get("chat_id")) == str(STAFF_CHAT),
                           start=start)  # posted after the worker's answer
    [copy] = copies(fake_tg, start)
    text = copy.params["text"]
    assert not any(char in text for char in UNSAFE)
    assert "Siti" in text and "halo " + "a" * len(UNSAFE) + " tab\tdan\nbaris" in text
    [ticket] = await rows(app, Ticket)
    assert ticket.first_name == "Siti"


async def test_a_command_after_a_removed_character_is_still_a_command(
    fake_tg: FakeTelegram, app: App
) -> None:
    """The entities move with the text: the command after two NULs is still the command."""
    start = len(fake_tg.sent)
    await fake_tg.send_message(WORKER, "\x00\x00/datasaya", first_name="Siti",
                               entities=[{"type": "bot_command", "offset": 2, "length": 9}])
    reply = await fake_tg.wait_for(_to(WORKER), start=start)
    assert "/daftar" in reply.params["text"] and "tersimpan" in reply.params["text"]


async def test_the_webhook_cleans_the_same_way(fake_tg: FakeTelegram, database_url: str) -> None:
    async with webhook_instance(webhook_settings(fake_tg, database_url)) as (app, port):
        reply = await webhook_user(fake_tg, WORKER, [port])[0].say("berapa iuran\x00 jkk")
        assert about_contributions(reply)
        [logged] = await rows(app, QuestionLog)
    assert logged.text == "berapa iuran jkk"
