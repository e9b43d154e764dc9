"""Bot API requests that survive a brief outage: retried a bounded number of times.

python-telegram-bot retries nothing by itself. AIORateLimiter (bot/app.py) handles 429 by
waiting the `retry_after` Telegram asks for; this class handles the rest of the transient
failures, below the rate limiter:

- the connection could not be made, or the pool had no free connection (the request was
  certainly not sent): retried;
- the server answered 5xx, dropped the connection, or did not answer within the read
  timeout (the request may or may not have been processed): retried too. A reply delivered
  twice is better than a reply lost; when the retry finds the first attempt succeeded
  ("message is not modified", "query is too old"), that counts as success.

Each retry waits a little longer (`backoff`, doubling, at most `MAX_BACKOFF` seconds), at
most `retries` times; then the last error goes to the error handler as before. getUpdates
is left to python-telegram-bot's polling loop, which retries it with its own backoff.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput  # the type PTB's own signature uses

logger = logging.getLogger(__name__)

MAX_BACKOFF = 8.0
NOT_RETRIED = frozenset({"getUpdates", "close", "logOut"})
# After an attempt that may have been processed, these answers mean the first one worked.
ALREADY_DONE = ("message is not modified", "query is too old", "query_id_invalid")
DONE_PAYLOAD = b'{"ok":true,"result":true}'


class RetryingRequest(HTTPXRequest):
    """HTTPXRequest that retries transient failures; see the module docstring."""

    def __init__(self, *, retries: int = 3, backoff: float = 0.5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.retries, self.backoff = max(0, retries), max(0.0, backoff)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        timeouts = {"read_timeout": read_timeout, "write_timeout": write_timeout,
                    "connect_timeout": connect_timeout, "pool_timeout": pool_timeout}
        api_method = url.rsplit("/", 1)[-1]
        code, payload = await self._with_retries(api_method, url, method, request_data, timeouts)
        if code == 400 and api_method == "answerCallbackQuery" and _already_done(payload):
            # A button press redelivered after a restart (the process that answered it was
            # killed before Telegram heard the update was handled), or a second answer. The
            # toast is lost either way; the handler must go on to do what was pressed.
            logger.warning("telegram answerCallbackQuery: too old or answered already")
            return 200, DONE_PAYLOAD
        return code, payload

    async def _with_retries(self, api_method: str, url: str, method: str,
                            request_data: RequestData | None,
                            timeouts: dict[str, Any]) -> tuple[int, bytes]:
        if api_method in NOT_RETRIED or not self.retries:
            return await super().do_request(url, method, request_data, **timeouts)
        maybe_processed = False
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                code, payload = await super().do_request(url, method, request_data, **timeouts)
            except (TimedOut, NetworkError) as error:
                if last:
                    raise
                maybe_processed = maybe_processed or not _certainly_not_sent(error)
                reason = _describe(error)
            else:
                if code == 400 and maybe_processed and _already_done(payload):
                    logger.info("telegram %s: done by an earlier attempt", api_method)
                    return 200, DONE_PAYLOAD
                if code < 500 or last:
                    if attempt:
                        logger.info("telegram %s: answered %s after %s retries",
                                    api_method, code, attempt)
                    return code, payload
                maybe_processed = True
                reason = f"HTTP {code}"
            delay = min(MAX_BACKOFF, self.backoff * 2**attempt)
            logger.warning("telegram %s failed (%s); retry %s of %s in %.1f s",
                           api_method, reason, attempt + 1, self.retries, delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def _certainly_not_sent(error: Exception) -> bool:
    return isinstance(error.__cause__, httpx.ConnectError | httpx.ConnectTimeout
                      | httpx.PoolTimeout)


def _describe(error: Exception) -> str:
    cause = error.__cause__
    return type(cause).__name__ if cause is not None else type(error).__name__


def _already_done(payload: bytes) -> bool:
    text = payload.decode("utf-8", "replace").lower()
    return any(marker in text for marker in ALREADY_DONE)
