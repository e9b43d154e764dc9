"""Settings: clear one-line errors that name the setting; exit status 2 from the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"
ROOT = Path(__file__).resolve().parent.parent


def test_defaults() -> None:
    settings = load_settings(_env_file=None, telegram_bot_token=TOKEN)
    assert settings.target_pu == 29000 and settings.target_bpu == 18000
    assert settings.database_url == "sqlite+aiosqlite:///data/sinergi.db"
    assert settings.default_language == "id" and settings.timezone == "Asia/Jakarta"


def test_comma_separated_ids_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("STAFF_CHAT_IDS", "-1001, -1002")
    monkeypatch.setenv("ADMIN_USER_IDS", "42")
    settings = load_settings(_env_file=None)
    assert settings.staff_chat_ids == frozenset({-1001, -1002})
    assert settings.admin_user_ids == frozenset({42})


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"telegram_bot_token": "hello"}, "TELEGRAM_BOT_TOKEN does not look like a token"),
        ({"staff_chat_ids": "-100x"}, "STAFF_CHAT_IDS must be whole numbers"),
        ({"default_language": "fr"}, "DEFAULT_LANGUAGE must be one of id, en"),
        ({"timezone": "Mars/Olympus"}, "TIMEZONE is not a known time zone"),
        ({"target_pu": -5}, "TARGET_PU"),
        ({"database_url": "mysql://x"}, "DATABASE_URL must start with"),
        ({"nik_hash_key": "short"}, "NIK_HASH_KEY must be at least 32 characters"),
    ],
)
def test_bad_settings_name_the_setting(overrides: dict[str, object], named: str) -> None:
    if "telegram_bot_token" not in overrides and named != "TELEGRAM_BOT_TOKEN is not set":
        overrides = {"telegram_bot_token": TOKEN, **overrides}
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None, **overrides)
    assert named in str(raised.value)


def test_the_nik_hash_key_is_optional_and_stays_secret() -> None:
    assert load_settings(_env_file=None, telegram_bot_token=TOKEN, nik_hash_key=" ").nik_key \
        is None
    settings = load_settings(_env_file=None, telegram_bot_token=TOKEN, nik_hash_key="a" * 64)
    assert settings.nik_key == b"a" * 64 and "a" * 64 not in repr(settings)


def _run_bot(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM", "DATABASE"))}
    return subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=clean | env, capture_output=True,
        text=True, timeout=60, check=False,
    )


def test_missing_token_exits_2_with_one_clear_line(tmp_path: Path) -> None:
    result = _run_bot({"PYTHONPATH": str(ROOT)}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Setting problem: TELEGRAM_BOT_TOKEN is not set: put it in the environment or in .env"
    ]


def test_unwritable_database_path_names_the_setting(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = _run_bot({"PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN,
                       "DATABASE_URL": f"sqlite+aiosqlite:///{blocker}/sub/x.db"}, tmp_path)
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr
