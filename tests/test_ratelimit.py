"""Replies go at the bot's pace; bulk sends and groups keep Telegram's limits; 429s are waited.

The limiters here allow one send an hour, so a send that the limiter holds never completes
within the test and one it lets through completes at once: nothing depends on how fast the
machine is.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.ratelimit import BULK, ReplyPacedRateLimiter
from bot.sandbox.fake_telegram import FakeTelegram
from bot.settings import Settings
from tests.harness import Person, running_app

HOUR = 3600


def strict_limiter(**overrides: Any) -> ReplyPacedRateLimiter:
    """One message an hour overall and per group: whatever these limits hold, waits."""
    values: dict[str, Any] = {"overall_max_rate": 1, "overall_time_period": HOUR,
                              "group_max_rate": 1, "group_time_period": HOUR,
                              "max_retries": 3}
    return ReplyPacedRateLimiter(**(values | overrides))


async def send(limiter: ReplyPacedRateLimiter, chat_id: int, **kwargs: Any) -> bool:
    """True when the limiter let the call through within a second."""

    async def call() -> dict[str, Any]:
        return {"ok": True}

    request = limiter.process_request(call, (), {}, "sendMessage", {"chat_id": chat_id},
                                      kwargs.get("rate_limit_args"))
    try:
        await asyncio.wait_for(request, 1)
    except TimeoutError:
        return False
    return True


async def test_replies_to_private_chats_are_not_held_at_the_overall_rate() -> None:
    limiter = strict_limiter()
    assert all([await send(limiter, 70000 + n) for n in range(40)])


async def test_bulk_sends_keep_the_overall_rate() -> None:
    limiter = strict_limiter()
    assert await send(limiter, 71001, rate_limit_args=BULK)
    assert not await send(limiter, 71002, rate_limit_args=BULK)
    # Replies still go while the bulk send waits for its turn.
    assert await send(limiter, 71003)


async def test_group_sends_keep_the_per_group_rate() -> None:
    limiter = strict_limiter(overall_max_rate=0)
    assert await send(limiter, -100111)
    assert not await send(limiter, -100111)
    assert await send(limiter, -100222)


async def test_retry_after_on_a_reply_is_waited_out_and_retried() -> None:
    limiter = strict_limiter()
    calls = 0

    async def call() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RetryAfter(0)
        return {"ok": True}

    result = await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert result == {"ok": True} and calls == 2


@pytest.fixture
async def paced_app(settings: Settings, fake_tg: FakeTelegram) -> AsyncIterator[Any]:
    async with running_app(settings, fake_tg, rate_limiter=strict_limiter()) as application:
        yield application


async def test_a_burst_of_workers_is_answered_without_waiting_for_bulk_pace(
    fake_tg: FakeTelegram, paced_app: Any
) -> None:
    people = [Person(fake_tg, 72000 + n, timeout=10) for n in range(12)]
    replies = await asyncio.gather(*(person.say("/kontak") for person in people))
    assert all("175" in reply.params["text"] for reply in replies)


async def test_a_reply_that_meets_a_429_arrives_after_the_wait(
    fake_tg: FakeTelegram, app: Any
) -> None:
    fake_tg.inject("retry_after", method="sendMessage", retry_after=1)
    reply = await Person(fake_tg, 72101, timeout=10).say("/kontak")
    assert "175" in reply.params["text"]
    assert not fake_tg.faults  # the 429 was met, waited out, and the reply sent once
    await asyncio.sleep(0)
    to_worker = [c for c in fake_tg.sent
                 if c.method == "sendMessage" and c.params.get("chat_id") == "72101"]
    assert len(to_worker) == 1
