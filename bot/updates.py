"""Every update on its way in: cleaned of unsafe characters, then run in order per user.

CleanInputApplication is the one place where updates enter the handlers, from long polling
and from the webhook alike: control characters and bidi overrides are removed there
(bot/services/incoming.py), so no handler, query or staff-group copy ever sees them.

PTB's default processes one update at a time; `concurrent_updates(True)` runs everything
at once, so two quick messages of one user could race over their open flow.
PerUserUpdateProcessor keeps the order per user and the concurrency across users.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application, BaseUpdateProcessor

from bot.services import incoming


class CleanInputApplication(Application):  # type: ignore[type-arg]  # for any bot and context
    """The Application, with each update cleaned before any handler sees it."""

    async def process_update(self, update: object) -> None:
        await super().process_update(clean_update(update, self.bot))


def clean_update(update: object, bot: Bot) -> object:
    """`update` without control characters and bidi overrides (the same object when it had
    none): rebuilt from its JSON as polling and the webhook built it."""
    if not isinstance(update, Update):
        return update
    data = update.to_dict()
    cleaned = incoming.clean_data(data)
    return update if cleaned is data else Update.de_json(cleaned, bot)


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """At most `running` updates run at a time, and one at a time per user.

    A user's update first waits for their turn, then for one of the `running` places: a
    user who writes on while their previous update waits for Telegram (a post into a busy
    staff group, say) queues behind it without taking the places other users' updates need.

    PTB's `process_update` (final) holds one of `max_concurrent_updates` places around
    `do_process_update`, the documented hook. Those places therefore count the updates
    accepted, running or waiting for their user's turn, and are many (`accepted`): only
    a backlog that large from users whose earlier updates are still running would make
    the next updates wait at PTB's semaphore instead of at their user's turn.
    """

    def __init__(self, running: int = 64, accepted: int = 10_000) -> None:
        super().__init__(accepted)
        self._running = asyncio.BoundedSemaphore(running)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._running:  # their turn first, then a place
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None
