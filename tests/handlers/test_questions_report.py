"""End to end: /pertanyaan shows staff what the bot could not answer and what got 👎."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram
from bot.services.questions_report import normalise, top_questions
from db.models import Feedback, QuestionLog
from tests.conftest import STAFF_CHAT, STAFF_MEMBER
from tests.harness import Person


async def _log(app: App, text: str, outcome: str, *, entry_id: str | None = None,
               helpful: bool | None = None, days_ago: int = 1) -> None:
    assert app.bot_data.sessions is not None
    when = datetime.now(UTC) - timedelta(days=days_ago)
    async with app.bot_data.sessions.begin() as session:
        row = QuestionLog(telegram_user_id=501, text=text, outcome=outcome, entry_id=entry_id,
                          confidence=0.5, created_at=when)
        session.add(row)
        await session.flush()
        if helpful is not None:
            session.add(Feedback(question_id=row.id, helpful=helpful, created_at=when))


async def test_frequent_unanswered_questions_and_disliked_answers(fake_tg: FakeTelegram,
                                                                  app: App) -> None:
    for text in ("Cara cek saldo JHT?", "cara  cek saldo jht?", "CARA CEK SALDO JHT?"):
        await _log(app, text, "none")
    await _log(app, "iuran <jkp> berapa", "suggest")
    await _log(app, "nik saya 3509214508900001 kenapa ditolak", "none")
    await _log(app, "pertanyaan lama sekali", "none", days_ago=45)
    await _log(app, "jkk itu apa", "answer", entry_id="jkk-apa", helpful=True)
    for _ in range(3):
        await _log(app, "jht cair", "answer", entry_id="jht-cair", helpful=False)
    await _log(app, "jht cair kapan", "answer", entry_id="jht-cair", helpful=True)

    reply = await Person(fake_tg, STAFF_MEMBER).in_chat(STAFF_CHAT).say("/pertanyaan")
    text = reply.params["text"]
    assert "1. cara cek saldo jht? — 3×" in text.lower()
    assert "iuran &lt;jkp&gt; berapa — 1×" in text
    assert "3509214508900001" not in text
    assert "pertanyaan lama" not in text
    assert "jht-cair" in text and "3" in text and "75" in text
    assert "jkk-apa" not in text


async def test_empty_report_is_friendly(fake_tg: FakeTelegram, app: App) -> None:
    reply = await Person(fake_tg, STAFF_MEMBER).in_chat(STAFF_CHAT).say("/pertanyaan")
    assert "🎉" in reply.params["text"]


async def test_refused_outside_the_staff_group(fake_tg: FakeTelegram, app: App) -> None:
    await _log(app, "rahasia", "none")
    reply = await Person(fake_tg, 501).say("/pertanyaan")
    assert "rahasia" not in reply.params["text"]
    assert "staf" in reply.params["text"].lower()


def test_spellings_are_merged_and_ranked() -> None:
    assert normalise("  Cara\tCek  SALDO ") == "cara cek saldo"
    ranked = top_questions([("B b", 1), ("a", 2), ("b  B", 2), ("c", 1)], limit=2)
    assert [(q.text, q.count) for q in ranked] == [("b B", 3), ("a", 2)]


async def test_nik_and_phone_numbers_are_masked_however_written(fake_tg: FakeTelegram,
                                                                 app: App) -> None:
    """Workers type numbers with spaces, dots, dashes and brackets; staff see none of them."""
    numbers = ["3509 2145 0890 0001", "35.09.21-450890-0001", "0812-3456-7890",
               "0812 3456 7890", "+62 812 3456 7890", "62 812-3456-7890", "(0331) 123456"]
    for number in numbers:
        await _log(app, f"kenapa {number} ditolak", "none")
    await _log(app, "iuran Rp1.500.000 atau 2,5 juta sejak 17-08-2025, telepon 175?", "none")

    reply = await Person(fake_tg, STAFF_MEMBER).in_chat(STAFF_CHAT).say("/pertanyaan")
    text = reply.params["text"]
    digits_shown = "".join(char for char in text if char.isdigit())
    for number in numbers:
        assert number not in text
        assert "".join(char for char in number if char.isdigit()) not in digits_shown
    # One question, asked with seven different numbers, is one line.
    assert "kenapa […] ditolak — 7×" in text
    assert "iuran Rp1.500.000 atau 2,5 juta sejak 17-08-2025, telepon 175? — 1×" in text
