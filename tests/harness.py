"""Helpers for end-to-end tests: run the app against the fake API, talk as a user."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app import build_application
from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram, Sent
from bot.settings import Settings
from db.session import make_engine

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
# For tests about the SQLite file itself (permissions, locks, reading it directly).
sqlite_only = pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="about the SQLite file; the PostgreSQL run has no file"
)


@asynccontextmanager
async def test_database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh SQLite file, or a fresh database on TEST_DATABASE_URL's PostgreSQL server."""
    if not TEST_DATABASE_URL:
        yield f"sqlite+aiosqlite:///{tmp_path / 'sinergi.db'}"
        return
    server = make_url(TEST_DATABASE_URL)
    name = f"sinergi_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server.render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@asynccontextmanager
async def running_app(
    settings: Settings, fake_tg: FakeTelegram | None = None, **build: Any
) -> AsyncIterator[App]:
    """The real Application, initialised and polling, as `python -m bot` runs it."""
    if fake_tg is not None:
        await fake_tg.release_polls(False)
    app = build_application(settings, **build)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        if fake_tg is not None:
            await fake_tg.release_polls()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)


@dataclass
class Person:
    """Someone chatting with the bot, in private or in a group."""

    tg: FakeTelegram
    user_id: int
    first_name: str = "Siti"
    chat_id: int | None = None
    language_code: str = "id"
    timeout: float = 5.0
    last: list[Sent] = field(default_factory=list)

    @property
    def chat(self) -> int:
        return self.chat_id if self.chat_id is not None else self.user_id

    def in_chat(self, chat_id: int) -> Person:
        return Person(self.tg, self.user_id, self.first_name, chat_id, self.language_code,
                      self.timeout)

    async def say(
        self, text: str | None = None, timeout: float | None = None, **content: Any
    ) -> Sent:
        """Sends a message and returns the bot's first reply in this chat."""
        start = len(self.tg.sent)
        await self.tg.send_message(
            self.user_id, text, chat_id=self.chat_id, first_name=self.first_name,
            language_code=self.language_code, **content,
        )
        return await self.reply_after(start, timeout)

    async def press(self, reply: Sent, label_or_data: str, timeout: float | None = None) -> Sent:
        """Presses the inline button (by label or callback data); returns the next reply."""
        data = button_data(reply, label_or_data)
        message = self.tg.messages[(self.chat, reply.result["message_id"])]
        start = len(self.tg.sent)
        await self.tg.press(self.user_id, message, data, self.first_name)
        return await self.tg.wait_for(lambda c: _shows(c) and _to(c, self.chat),
                                      timeout or self.timeout, start)

    async def reply_after(self, start: int, timeout: float | None = None) -> Sent:
        return await self.tg.wait_for(
            lambda c: c.method in REPLY_METHODS and _to(c, self.chat), timeout or self.timeout,
            start,
        )


REPLY_METHODS = {"sendMessage", "editMessageText", "sendPhoto", "sendDocument"}


def _shows(call: Sent) -> bool:
    """A call that shows the user something new (removing buttons does not count)."""
    if call.method == "editMessageReplyMarkup":
        return bool(call.params.get("reply_markup"))
    return call.method in REPLY_METHODS


def _to(call: Sent, chat_id: int) -> bool:
    return str(call.params.get("chat_id")) == str(chat_id)


def buttons(sent: Sent) -> list[tuple[str, str]]:
    """(label, callback_data) of every inline button of a sent message."""
    markup = sent.params.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


def reply_keyboard(sent: Sent) -> list[str]:
    markup = sent.params.get("reply_markup") or {}
    return [b if isinstance(b, str) else b["text"] for row in markup.get("keyboard", [])
            for b in row]


def button_data(sent: Sent, label_or_data: str) -> str:
    for label, data in buttons(sent):
        if label_or_data in (label, data):
            return data
    raise AssertionError(f"no button {label_or_data!r} in {buttons(sent)}")
