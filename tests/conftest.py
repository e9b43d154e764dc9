"""Fixtures: a fake Telegram Bot API on 127.0.0.1 and the real application polling it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.fake_telegram import FakeTelegram
from bot.settings import Settings, load_settings
from db.migrate import upgrade
from db.session import Sessions, make_engine, make_sessionmaker
from tests.harness import running_app, test_database_url

STAFF_CHAT = -1001234567890
ADMIN = 9001
STAFF_MEMBER = 9002


@pytest.fixture(autouse=True)
def _no_env_leaks(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "STAFF_CHAT_IDS", "ADMIN_USER_IDS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def fake_tg() -> AsyncIterator[FakeTelegram]:
    tg = FakeTelegram()
    await tg.start()
    tg.group_chat(STAFF_CHAT)
    yield tg
    await tg.stop()


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    async with test_database_url(tmp_path) as url:
        yield url


def make_settings(fake_tg: FakeTelegram, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,
        "telegram_bot_token": fake_tg.token,
        "telegram_api_base_url": fake_tg.base_url,
        "telegram_api_file_url": fake_tg.file_url,
        "database_url": database_url,
        "staff_chat_ids": frozenset({STAFF_CHAT}),
        "admin_user_ids": frozenset({ADMIN}),
    }
    return load_settings(**(values | overrides))


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    """A migrated database without the bot, for service tests."""
    engine = make_engine(database_url)
    await upgrade(engine)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def settings(fake_tg: FakeTelegram, database_url: str) -> Settings:
    return make_settings(fake_tg, database_url)


@pytest.fixture
async def app(settings: Settings, fake_tg: FakeTelegram) -> AsyncIterator[Any]:
    async with running_app(settings, fake_tg) as application:
        yield application
