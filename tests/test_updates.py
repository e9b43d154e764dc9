"""End to end: updates run in order for each user and concurrently across users
(bot/updates.py), also while one user's handler waits for Telegram."""

from __future__ import annotations

from bot.sandbox.fake_telegram import FakeTelegram
from tests.harness import Person

ALICE, BUDI = 801, 802


def texts_to(fake_tg: FakeTelegram, chat_id: int) -> list[str]:
    return [c.params["text"] for c in fake_tg.sent
            if c.method == "sendMessage" and str(c.params.get("chat_id")) == str(chat_id)]


async def test_one_users_messages_are_answered_in_order(fake_tg: FakeTelegram, app) -> None:
    fake_tg.inject("hold", method="sendMessage", chat_id=ALICE)  # the first answer waits
    for command in ("/kontak", "/bantuan", "/start"):
        await fake_tg.send_message(ALICE, command, first_name="Alice")
    await Person(fake_tg, BUDI, "Budi").say("/start")  # meanwhile another user is answered
    assert texts_to(fake_tg, ALICE) == []
    fake_tg.release_held()
    await fake_tg.wait_for(lambda c: len(texts_to(fake_tg, ALICE)) == 3)
    contact, help_, start = texts_to(fake_tg, ALICE)
    assert "175" in contact and "/kontak" in help_ and "Halo, Alice!" in start


async def test_a_user_writing_on_while_waiting_does_not_stop_the_others(
    fake_tg: FakeTelegram, app
) -> None:
    """Their queued messages wait for their turn without taking the places (64 at a time)
    that other users' updates need."""
    fake_tg.inject("hold", method="sendMessage", chat_id=ALICE)
    for n in range(80):
        await fake_tg.send_message(ALICE, f"/kontak {n}", first_name="Alice")
    reply = await Person(fake_tg, BUDI, "Budi").say("/start")
    assert "Halo, Budi!" in reply.params["text"]
    assert texts_to(fake_tg, ALICE) == []
    fake_tg.release_held()
    await fake_tg.wait_for(lambda c: len(texts_to(fake_tg, ALICE)) == 80, timeout=30)


def test_python_m_bot_polls_with_a_pause(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A pause between two getUpdates calls gathers the updates that came meanwhile into one
    call instead of a Bot API round trip for each (docs/BENCHMARKS.md, CPU per question)."""
    from telegram.ext import Application

    from bot.__main__ import main
    from bot.app import POLL_INTERVAL

    polled: dict[str, object] = {}
    monkeypatch.setattr(Application, "run_polling",
                        lambda self, **kwargs: polled.update(kwargs))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", FakeTelegram().token)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    assert main([]) == 0
    assert polled["poll_interval"] == POLL_INTERVAL > 0
