"""Typed settings from the environment and an optional `.env` file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LANGUAGES = ("id", "en")
TOKEN_PATTERN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
MIN_KEY_LENGTH = 32

IdSet = Annotated[frozenset[int], NoDecode]


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and says what to do."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", frozen=True, extra="ignore")

    telegram_bot_token: SecretStr
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str | None = None
    # For t.me links (invites, referral links); empty: asked from Telegram with getMe
    bot_username: str = ""
    database_url: str = "sqlite+aiosqlite:///data/sinergi.db"
    staff_chat_ids: IdSet = frozenset()
    admin_user_ids: IdSet = frozenset()
    default_language: str = "id"
    timezone: str = "Asia/Jakarta"
    # Until /target sets the year's targets. The defaults are the undated figures of the news
    # item (bot.services.stats.NEWS_TARGETS), which /stats labels as such.
    target_pu: int = Field(default=29000, ge=0)
    target_bpu: int = Field(default=18000, ge=0)
    branch_name: str = "BPJS Ketenagakerjaan Kantor Cabang Jember"
    branch_address: str = ""
    branch_phone: str = ""
    branch_hours: str = ""
    knowledge_path: Path = (
        Path(__file__).resolve().parent.parent / "locales" / "knowledge" / "faq.yaml"
    )
    conversation_timeout_minutes: int = Field(default=30, ge=1)
    # A short follow-up ("kalau 2,5 juta?") within this many minutes of an answer is read
    # against that answer (bot/services/dialogue.py); 0 turns follow-ups off.
    question_context_minutes: int = Field(default=5, ge=0, le=1440)
    # Personal data of a lead is erased this many days after registration (the consent
    # text promises "at the latest 2 years").
    retention_days: int = Field(default=730, ge=1)
    # Key of the fingerprint (HMAC-SHA256) of an erased worker's NIK, kept so that a worker
    # who erases their data and registers again counts once. Empty: no fingerprint is kept.
    nik_hash_key: SecretStr | None = None
    log_level: str = "INFO"
    # Bot API requests (bot/request.py): seconds to wait, and how often a transient failure
    # (5xx, dropped connection, timeout) is retried before the error handler gets it.
    telegram_connect_timeout: float = Field(default=5.0, gt=0)
    telegram_read_timeout: float = Field(default=5.0, gt=0)
    telegram_write_timeout: float = Field(default=5.0, gt=0)
    telegram_retries: int = Field(default=3, ge=0, le=10)
    telegram_retry_backoff: float = Field(default=0.5, ge=0, le=10)
    # Webhook mode (python -m bot webhook)
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not TOKEN_PATTERN.match(value.get_secret_value().strip()):
            raise ValueError("does not look like a token from @BotFather (123456:ABC...)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("nik_hash_key")
    @classmethod
    def _long_enough_key(cls, value: SecretStr | None) -> SecretStr | None:
        key = value.get_secret_value().strip() if value is not None else ""
        if not key:
            return None
        if len(key) < MIN_KEY_LENGTH:
            raise ValueError(f"must be at least {MIN_KEY_LENGTH} characters; make one with "
                             "python -c 'import secrets; print(secrets.token_hex(32))'")
        return SecretStr(key)

    @field_validator("bot_username")
    @classmethod
    def _bare_username(cls, value: str) -> str:
        value = value.strip().removeprefix("@")
        if value and not re.fullmatch(r"[A-Za-z0-9_]{5,32}", value):
            raise ValueError("must be the bot's username as in t.me/<username>, without @")
        return value

    @field_validator("staff_chat_ids", "admin_user_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            try:
                return frozenset(int(part) for part in parts)
            except ValueError:
                raise ValueError(
                    f"must be whole numbers separated by commas, got {value!r}"
                ) from None
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a known time zone such as Asia/Jakarta") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def nik_key(self) -> bytes | None:
        """The NIK fingerprint key (bot/services/erasure.py), None when not set."""
        return None if self.nik_hash_key is None else \
            self.nik_hash_key.get_secret_value().encode()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: Any) -> Settings:
    """Builds Settings, turning pydantic's report into one line per bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            name = str(problem["loc"][0]).upper() if problem["loc"] else "SETTINGS"
            if problem["type"] == "missing":
                lines.append(f"{name} is not set: put it in the environment or in .env")
            else:
                message = str(problem["msg"]).removeprefix("Value error, ")
                lines.append(f"{name} {message}")
        raise SettingsError("; ".join(lines)) from None
