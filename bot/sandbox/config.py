"""The sandbox's fixed world: its staff group, its administrator, its database and files.

Kept apart from the console so that `python -m bot admin --sandbox` can use the sandbox's
settings without loading the bot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.sandbox.fake_telegram import BOT_USER, FakeTelegram
from bot.settings import Settings, load_settings

SANDBOX_STAFF_CHAT = -100777
SANDBOX_ADMIN = 1001
SANDBOX_DATABASE = "sqlite+aiosqlite:///data/sandbox.db"
SANDBOX_FILES = Path("data/sandbox-files")


def sandbox_settings(database_url: str = SANDBOX_DATABASE, tg: FakeTelegram | None = None,
                     **overrides: Any) -> Settings:
    """Settings for the sandbox's bot, or (without `tg`) for tools that only need its
    database and its username: no token from @BotFather, no .env file."""
    values: dict[str, Any] = {
        "_env_file": None,
        "telegram_bot_token": tg.token if tg is not None else FakeTelegram.token,
        "database_url": database_url,
        "bot_username": BOT_USER["username"],
        "staff_chat_ids": frozenset({SANDBOX_STAFF_CHAT}),
        "admin_user_ids": frozenset({SANDBOX_ADMIN}),
        "log_level": "WARNING",
    }
    if tg is not None:
        values |= {"telegram_api_base_url": tg.base_url, "telegram_api_file_url": tg.file_url}
    return load_settings(**(values | overrides))
