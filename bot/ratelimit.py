"""Telegram's limits as they apply to this bot: bulk sends are paced, replies are not.

Telegram's ~30 messages a second is the limit for notifications to many users (broadcasts);
a bot answering people who wrote to it is held to about one message a second per chat and 20
a minute per group, and told to slow down with a 429 and `retry_after` when it must
(docs/BENCHMARKS.md, "Replies are not bulk notifications"). `AIORateLimiter` applies its
overall 30 a second to every request with a chat id, so at a union meeting 100 workers were
answered at the pace of a broadcast.

`ReplyPacedRateLimiter` keeps everything `AIORateLimiter` does (the per-group limit, waiting
out `retry_after` for all requests, the retries) and applies the overall limit only to sends
marked bulk with ``rate_limit_args=BULK``, which the broadcast does.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

JSONDict = dict[str, Any]


class Bulk:
    """Marks a send to many users: ``bot.send_message(..., rate_limit_args=BULK)``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BULK"


BULK = Bulk()


def _is_private(chat_id: object) -> bool:
    """A user's private chat has a positive id; groups are negative, channels "@name"."""
    try:
        return int(chat_id) > 0  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


class ReplyPacedRateLimiter(AIORateLimiter):
    """`AIORateLimiter` whose overall limit holds only bulk sends (see the module doc)."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | Bulk | None,  # type: ignore[override]
    ) -> bool | JSONDict | list[JSONDict]:
        if isinstance(rate_limit_args, Bulk):
            rate_limit_args = None  # the overall limit applies; retries as configured
        elif _is_private(data.get("chat_id")):
            # AIORateLimiter reads `data` only to choose its limiters (the request itself is
            # in `args`): without a chat id it skips the overall and group limits and still
            # waits out any retry_after and retries.
            data = {}
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
