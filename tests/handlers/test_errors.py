"""End to end: an exception in a handler is logged without personal data and apologised for."""

from __future__ import annotations

import asyncio
import logging

import pytest
from telegram.ext import CommandHandler

from bot.sandbox.fake_telegram import FakeTelegram
from bot.settings import Settings
from db.models import User
from tests.harness import Person, running_app


async def _explode(update, context) -> None:
    raise RuntimeError("boom for 3509014507900001")


async def test_a_crash_is_apologised_for_and_the_bot_keeps_running(
    fake_tg: FakeTelegram, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_app(settings, fake_tg) as app:
        app.handlers[0].insert(0, CommandHandler("meledak", _explode))
        person = Person(fake_tg, 601)
        reply = await person.say("/meledak")
        assert "Maaf, ada gangguan" in reply.params["text"]
        assert "175" in reply.params["text"]
        assert "Halo" in (await person.say("/start")).params["text"]
    assert "RuntimeError" in caplog.text


async def test_a_blocked_user_is_recorded_not_crashed_on(
    fake_tg: FakeTelegram, app, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake_tg.user_chat(602)
    fake_tg.blocked.add(602)
    await fake_tg.send_message(602, "/start")
    reply = await Person(fake_tg, 603).say("/start")
    assert "Halo" in reply.params["text"]
    assert "user blocked the bot" in caplog.text


async def test_a_user_who_unblocks_is_no_longer_marked_blocked(fake_tg: FakeTelegram, app) -> None:
    person = Person(fake_tg, 604)
    await person.say("/start")
    fake_tg.blocked.add(604)
    await fake_tg.send_message(604, "/bantuan")
    assert app.bot_data.sessions is not None

    async def blocked_at() -> object:
        async with app.bot_data.sessions() as session:
            user = await session.get(User, 604)
            assert user is not None
            return user.blocked_at

    for _ in range(100):  # the error handler runs after the failed reply
        if await blocked_at() is not None:
            break
        await asyncio.sleep(0.05)
    assert await blocked_at() is not None
    fake_tg.blocked.discard(604)
    assert "Halo" in (await person.say("/start")).params["text"]  # within the same minute
    assert await blocked_at() is None
