"""End to end: a staff answer too long for one message with its header reaches the worker
in parts, what was delivered is recorded, and staff read exactly what happened.

Before, a 4.096-character answer failed with "message is too long": the worker got
nothing, nothing was recorded, and staff read the generic apology.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.context import App
from bot.sandbox.fake_telegram import MAX_TEXT, FakeTelegram, Sent
from bot.sandbox.telegram_html import visible_length
from db.models import TicketMessage
from tests.conftest import STAFF_CHAT, STAFF_MEMBER
from tests.harness import Person, buttons

WORKER = 551
# 4.096 characters: lines of words with HTML-special characters, then one very long word.
LINE = "Syarat klaim JHT: KTP & kartu peserta <asli>, buku tabungan."
ANSWER = "\n".join([LINE] * 50) + "\n" + "x" * (MAX_TEXT - 50 * (len(LINE) + 1))


def _to(chat_id: int):  # type: ignore[no-untyped-def]
    return lambda c: c.method == "sendMessage" and str(c.params["chat_id"]) == str(chat_id)


async def ticket_copy(fake_tg: FakeTelegram) -> Sent:
    start = len(fake_tg.sent)
    await Person(fake_tg, WORKER, "Siti").say("/petugas syarat klaim jht apa saja?")
    return await fake_tg.wait_for(_to(STAFF_CHAT), start=start)


async def staff_answer(fake_tg: FakeTelegram, copy: Sent, text: str) -> tuple[Sent, int]:
    start = len(fake_tg.sent)
    staff = Person(fake_tg, STAFF_MEMBER, "Budi").in_chat(STAFF_CHAT)
    message = fake_tg.messages[(STAFF_CHAT, copy.result["message_id"])]
    return await staff.say(text, reply_to=message), start


def to_worker(fake_tg: FakeTelegram, start: int) -> list[Sent]:
    return [c for c in fake_tg.sent[start:] if _to(WORKER)(c)]


async def staff_texts(app: App) -> list[str]:
    async with app.bot_data.sessions() as session:  # type: ignore[misc]
        return list(await session.scalars(select(TicketMessage.text).where(
            TicketMessage.direction == "staff")))


def words(text: str) -> list[str]:
    return text.split()


async def test_a_4096_character_answer_reaches_the_worker_in_parts(
    fake_tg: FakeTelegram, app: App
) -> None:
    assert len(ANSWER) == MAX_TEXT
    copy = await ticket_copy(fake_tg)
    confirmation, start = await staff_answer(fake_tg, copy, ANSWER)
    assert "✅" in confirmation.params["text"] and "2 pesan" in confirmation.params["text"]
    parts = to_worker(fake_tg, start)
    assert len(parts) == 2 and not fake_tg.rejected
    assert all(visible_length(p.params["text"]) <= MAX_TEXT for p in parts)
    assert "bagian 1 dari 2" in parts[0].params["text"]
    assert "bagian 2 dari 2" in parts[1].params["text"]
    assert buttons(parts[0]) == [] and buttons(parts[1])  # "Selesai" under the last one
    bodies = [p.params["text"].split("\n", 1)[1] for p in parts]
    assert bodies[0].endswith("buku tabungan.")  # cut at a line break
    received = words("\n".join(bodies).replace("&amp;", "&").replace("&lt;", "<")
                     .replace("&gt;", ">"))
    assert received == words(ANSWER)
    assert await staff_texts(app) == [ANSWER]


async def test_a_part_that_fails_is_told_to_staff_and_only_what_arrived_is_recorded(
    fake_tg: FakeTelegram, app: App
) -> None:
    copy = await ticket_copy(fake_tg)
    fake_tg.inject("delay", method="sendMessage", chat_id=WORKER, delay=0)  # part 1 goes
    fake_tg.inject("status", method="sendMessage", chat_id=WORKER, status=400)  # part 2 not
    report, start = await staff_answer(fake_tg, copy, ANSWER)
    text = report.params["text"]
    assert "1 dari 2" in text and "Siti" in text and "x" * 10 in text
    assert "tetap tersimpan" not in text
    [delivered] = to_worker(fake_tg, start)
    [stored] = await staff_texts(app)
    assert stored == delivered.params["text"].split("\n", 1)[1].replace("&amp;", "&") \
        .replace("&lt;", "<").replace("&gt;", ">")
    assert stored.endswith("buku tabungan.")


async def test_an_answer_that_fails_entirely_is_told_to_staff_and_not_recorded(
    fake_tg: FakeTelegram, app: App
) -> None:
    copy = await ticket_copy(fake_tg)
    fake_tg.inject("status", method="sendMessage", chat_id=WORKER, status=400)
    report, start = await staff_answer(fake_tg, copy, "Bisa, setelah 1 bulan berhenti.")
    assert "tidak sampai" in report.params["text"] and "Siti" in report.params["text"]
    assert to_worker(fake_tg, start) == [] and await staff_texts(app) == []
    assert not [c for c in fake_tg.sent[start:] if _to(STAFF_CHAT)(c)
                and "tetap tersimpan" in c.params["text"]]
