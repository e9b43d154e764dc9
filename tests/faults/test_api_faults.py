"""The Bot API fails (500, timeout, dropped connection, 429): the reply still arrives.

The app runs as in production (AIORateLimiter with retries, bot/request.py's retrying
request), with a short read timeout so a slow answer counts as a timeout quickly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.sandbox.fake_telegram import FakeTelegram
from tests.conftest import make_settings
from tests.harness import Person, running_app

READ_TIMEOUT = 0.5
BACKOFF = 0.05
RETRIES = 3


@pytest.fixture
async def app(fake_tg: FakeTelegram, database_url: str) -> AsyncIterator[Any]:
    settings = make_settings(fake_tg, database_url, telegram_read_timeout=READ_TIMEOUT,
                             telegram_retry_backoff=BACKOFF, telegram_retries=RETRIES)
    async with running_app(settings, fake_tg) as application:
        yield application


def _welcomes(fake_tg: FakeTelegram, chat_id: int) -> list[str]:
    return [c.params["text"] for c in fake_tg.sent
            if c.method == "sendMessage" and str(c.params.get("chat_id")) == str(chat_id)
            and "Sinergi" in c.params.get("text", "")]


async def _served_after_fault(fake_tg: FakeTelegram, user_id: int) -> float:
    """/start as `user_id`; the welcome must arrive. Returns how long it took."""
    began = time.monotonic()
    reply = await asyncio.wait_for(Person(fake_tg, user_id, timeout=15).say("/start"), 20)
    assert "Sinergi" in reply.params["text"]
    return time.monotonic() - began


async def _next_user_is_served(fake_tg: FakeTelegram, user_id: int) -> None:
    reply = await asyncio.wait_for(Person(fake_tg, user_id).say("/bantuan"), 10)
    assert reply.method == "sendMessage"


@pytest.mark.parametrize("times", [1, RETRIES])
async def test_a_500_is_retried_and_the_reply_arrives_once(
    fake_tg: FakeTelegram, app, times: int
) -> None:
    for _ in range(times):
        fake_tg.inject("status", method="sendMessage", status=500)
    await _served_after_fault(fake_tg, 2101)
    assert len(_welcomes(fake_tg, 2101)) == 1  # a 500 was not processed: no duplicate
    assert not fake_tg.faults
    await _next_user_is_served(fake_tg, 2102)


async def test_a_dropped_connection_is_retried(fake_tg: FakeTelegram, app) -> None:
    fake_tg.inject("drop", method="sendMessage")
    fake_tg.inject("drop", method="sendMessage")
    await _served_after_fault(fake_tg, 2111)
    assert len(_welcomes(fake_tg, 2111)) == 1
    await _next_user_is_served(fake_tg, 2112)


async def test_a_slow_answer_times_out_and_is_retried(
    fake_tg: FakeTelegram, app, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.request")
    fake_tg.inject("delay", method="sendMessage", delay=READ_TIMEOUT * 3)
    took = await _served_after_fault(fake_tg, 2121)
    assert took >= READ_TIMEOUT  # it waited for the timeout, then retried
    assert "retry 1 of 3" in caplog.text and "ReadTimeout" in caplog.text
    await _next_user_is_served(fake_tg, 2122)
    # The slow first attempt may still land after its timeout: at least once, at most twice.
    await asyncio.sleep(READ_TIMEOUT * 3)
    assert 1 <= len(_welcomes(fake_tg, 2121)) <= 2


async def test_429_waits_as_long_as_telegram_asks(fake_tg: FakeTelegram, app) -> None:
    fake_tg.inject("retry_after", method="sendMessage", retry_after=1)
    took = await _served_after_fault(fake_tg, 2131)
    assert took >= 1.0
    assert len(_welcomes(fake_tg, 2131)) == 1
    await _next_user_is_served(fake_tg, 2132)


async def test_button_answers_and_edits_survive_faults(fake_tg: FakeTelegram, app) -> None:
    """A press whose answerCallbackQuery and editMessageReplyMarkup fail still goes on."""
    siti = Person(fake_tg, 2141, timeout=15)
    consent = await siti.say("/daftar")
    fake_tg.inject("status", method="answerCallbackQuery", status=502)
    fake_tg.inject("drop", method="editMessageReplyMarkup")
    question = await asyncio.wait_for(siti.press(consent, "reg:consent:yes"), 20)
    assert "majikan" in question.params["text"].lower() or "upah" in question.params["text"]
    assert [c.method for c in fake_tg.sent].count("answerCallbackQuery") == 1


async def test_an_outage_longer_than_the_retries_loses_one_reply_not_the_bot(
    fake_tg: FakeTelegram, app, caplog: pytest.LogCaptureFixture
) -> None:
    """More failures than retries: the error handler logs it, and the bot keeps serving."""
    caplog.set_level(logging.INFO)
    for _ in range(2 * (RETRIES + 1)):  # the reply and the apology both give up
        fake_tg.inject("status", method="sendMessage", status=500)
    start = len(fake_tg.sent)
    await fake_tg.send_message(2151, "/start")
    deadline = time.monotonic() + 15
    while fake_tg.faults and time.monotonic() < deadline:  # noqa: ASYNC110 (a counter)
        await asyncio.sleep(0.05)
    assert not fake_tg.faults
    await _next_user_is_served(fake_tg, 2152)
    assert "error while handling update" in caplog.text and "NetworkError" in caplog.text
    assert "could not send the apology" in caplog.text
    # The bot itself is still polling: the same user is answered on the next try.
    assert "Sinergi" in (await Person(fake_tg, 2151).say("/start")).params["text"]
    assert len(fake_tg.sent) > start


async def test_a_button_press_redelivered_after_a_restart_is_still_carried_out(
    fake_tg: FakeTelegram, app: Any
) -> None:
    """Telegram refuses to answer a callback query twice ("query is too old"), as after a
    crash that redelivers a press the killed process had answered. The handler must go on:
    the answer counts as done instead of ending the update with an error."""
    assert await app.bot.answer_callback_query("redelivered-1") is True
    assert await app.bot.answer_callback_query("redelivered-1") is True  # refused: still True
