"""Telegram's limits as they apply to this bot: bulk sends are paced, replies are not.

Telegram's ~30 messages a second is the limit for notifications to many users (broadcasts);
a bot answering people who wrote to it is held to about one message a second per chat and 20
a minute per group, and told to slow down with a 429 and `retry_after` when it must
(docs/BENCHMARKS.md, "Replies are not bulk notifications"). `AIORateLimiter` applies its
overall 30 a second to every request with a chat id, so at a union meeting 100 workers were
answered at the pace of a broadcast.

`ReplyPacedRateLimiter` keeps everything `AIORateLimiter` does (the per-group limit, waiting
out `retry_after` for all requests, the retries) and applies the overall limit only to sends
marked bulk with ``rate_limit_args=BULK``, which the broadcast does. It wraps an
`AIORateLimiter` rather than subclassing it: a subclass is a `BaseRateLimiter[int]`, so the
bot's sends could not be typed to take BULK.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import constants
from telegram.ext import AIORateLimiter, BaseRateLimiter

JSONDict = dict[str, Any]


class Bulk:
    """Marks a send to many users: ``bot.send_message(..., rate_limit_args=BULK)``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BULK"


BULK = Bulk()

# What a send's ``rate_limit_args`` may be: AIORateLimiter's retry count for that send, or BULK.
RateLimitArgs = int | Bulk


def _is_private(chat_id: object) -> bool:
    """A user's private chat has a positive id; groups are negative, channels "@name"."""
    if not isinstance(chat_id, int | str):
        return False
    try:
        return int(chat_id) > 0
    except ValueError:
        return False


class ReplyPacedRateLimiter(BaseRateLimiter[RateLimitArgs]):
    """`AIORateLimiter` whose overall limit holds only bulk sends (see the module doc)."""

    __slots__ = ("_limiter",)

    def __init__(
        self,
        overall_max_rate: float = constants.FloodLimit.MESSAGES_PER_SECOND,
        overall_time_period: float = 1,
        group_max_rate: float = constants.FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
        group_time_period: float = 60,
        max_retries: int = 0,
    ) -> None:
        self._limiter = AIORateLimiter(
            overall_max_rate=overall_max_rate, overall_time_period=overall_time_period,
            group_max_rate=group_max_rate, group_time_period=group_time_period,
            max_retries=max_retries,
        )

    async def initialize(self) -> None:
        await self._limiter.initialize()

    async def shutdown(self) -> None:
        await self._limiter.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: RateLimitArgs | None,
    ) -> bool | JSONDict | list[JSONDict]:
        retries = None if isinstance(rate_limit_args, Bulk) else rate_limit_args
        if not isinstance(rate_limit_args, Bulk) and _is_private(data.get("chat_id")):
            # AIORateLimiter reads `data` only to choose its limiters (the request itself is
            # in `args`): without a chat id it skips the overall and group limits and still
            # waits out any retry_after and retries. A bulk send keeps its chat id, so the
            # overall limit applies, with retries as configured.
            data = {}
        return await self._limiter.process_request(
            callback, args, kwargs, endpoint, data, retries
        )
