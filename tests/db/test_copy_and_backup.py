"""`python -m bot db copy` and `db backup`, and restoring a backup.

The copy's target is the test database: SQLite to SQLite in the plain run, SQLite to
PostgreSQL when TEST_DATABASE_URL is set. Backups are SQLite only in both runs.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import stat
import sys
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, BigInteger, Boolean, Float, Integer, String, Table, Text, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.__main__ import main
from bot.sandbox.fake_telegram import FakeTelegram
from db.migrate import upgrade
from db.models import Base, Union
from db.session import make_engine
from db.transfer import DERIVED, CopyError, copy_database
from db.types import UTCDateTime

ROOT = Path(__file__).resolve().parents[2]
ROWS = 7
START = datetime(2025, 1, 31, 23, 59, 59, 999999, tzinfo=UTC)


def sample_value(table: Table, column: Any, i: int) -> Any:
    """A deterministic value for row `i` of any column, so new tables are covered too."""
    if column.foreign_keys:
        return i  # every table's integer ids are 1..ROWS, so row i points at parent row i
    if column.nullable and not column.primary_key and i % 3 == 0:
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return START + timedelta(days=i, microseconds=i)
    if isinstance(kind, Boolean):
        return i % 2 == 0
    if isinstance(kind, BigInteger):
        return 6_000_000_000 + i  # beyond 32 bits, as Telegram ids are
    if isinstance(kind, Integer):
        return i
    if isinstance(kind, Float):
        return i / 3
    if isinstance(kind, JSON):
        return {"step": i, "answers": ["Siti", "Jember"], "ok": True}
    if isinstance(kind, String | Text):
        length = getattr(kind, "length", None) or 200
        return f"{column.name[:3]}{i}é"[:length]
    raise AssertionError(f"no sample for {table.name}.{column.name} ({kind!r})")


async def seed_every_table(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in DERIVED:  # filled by the triggers as the leads go in
                continue
            rows = [{column.name: sample_value(table, column, i) for column in table.columns}
                    for i in range(1, ROWS + 1)]
            await connection.execute(table.insert(), rows)


async def all_rows(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    async with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in await connection.execute(
                select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
async def source(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    await upgrade(engine)
    await seed_every_table(engine)
    await engine.dispose()
    return url


async def test_copy_moves_every_row_and_new_ids_follow_the_copied_ones(
    source: str, database_url: str
) -> None:
    copied = await copy_database(source, database_url, batch_size=3)
    assert [t.name for t in copied] == [t.name for t in Base.metadata.sorted_tables
                                        if t.name not in DERIVED]
    assert {t.rows for t in copied} == {ROWS}
    old, new = make_engine(source), make_engine(database_url)
    try:
        assert await all_rows(new) == await all_rows(old)
        async with new.begin() as connection:
            fresh = await connection.scalar(
                Union.__table__.insert()
                .values(name="Serikat Baru", short_name="SB", active=True, created_at=START)
                .returning(Union.__table__.c.id)
            )
        assert fresh == ROWS + 1
    finally:
        await old.dispose()
        await new.dispose()


async def test_copy_refuses_a_target_that_has_data(source: str, database_url: str) -> None:
    await copy_database(source, database_url)
    with pytest.raises(CopyError, match="already has rows"):
        await copy_database(source, database_url)


async def test_copy_refuses_a_missing_source_without_creating_it(
    tmp_path: Path, database_url: str
) -> None:
    missing = tmp_path / "nothing.db"
    with pytest.raises(CopyError, match="does not exist"):
        await copy_database(f"sqlite+aiosqlite:///{missing}", database_url)
    assert not missing.exists()


async def test_copy_refuses_unsupported_urls(source: str) -> None:
    with pytest.raises(CopyError, match="target URL must start with"):
        await copy_database(source, "mysql://localhost/sinergi")


async def test_copy_command_needs_no_token_and_prints_counts(
    source: str, database_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "db", "copy", source, database_url,
        cwd=tmp_path, env=env | {"PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    assert f"leads: {ROWS} rows" in out.decode()
    again = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "db", "copy", source, database_url,
        cwd=tmp_path, env=env | {"PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(again.communicate(), 120)
    assert again.returncode == 2
    assert "Cannot copy: the target already has rows" in err.decode()


# -- backup ------------------------------------------------------------------------------


@pytest.fixture
def bot_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The environment of `python -m bot` on a SQLite file; returns the file."""
    database = tmp_path / "live.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", FakeTelegram().token)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    assert main(["db", "upgrade"]) == 0
    return database


def counts(path: Path) -> tuple[int, int]:
    with closing(sqlite3.connect(path)) as connection:
        users = connection.execute("SELECT count(*) FROM users").fetchone()[0]
        states = connection.execute("SELECT count(*) FROM conversations").fetchone()[0]
    return users, states


def write_pairs(path: Path, stop: threading.Event, written: list[int]) -> None:
    """Another connection, as the running bot: a user and their form in each transaction."""
    with closing(sqlite3.connect(path, timeout=10)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        i = 0
        while not stop.is_set() or i < 200:
            i += 1
            with connection:
                connection.execute(
                    "INSERT INTO users (telegram_user_id, first_seen, last_seen) "
                    "VALUES (?, '2025-01-01 00:00:00', '2025-01-01 00:00:00')", (i,))
                connection.execute(
                    "INSERT INTO conversations (chat_id, telegram_user_id, flow, step, data, "
                    "updated_at) VALUES (?, ?, 'register', 'name', '{}', "
                    "'2025-01-01 00:00:00')", (i, i))
            written.append(i)


def test_backup_while_another_connection_writes(
    bot_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stop, written = threading.Event(), []
    writer = threading.Thread(target=write_pairs, args=(bot_env, stop, written))
    writer.start()
    try:
        while len(written) < 100:
            stop.wait(0.01)
        before = len(written)
        backup = tmp_path / "backups" / "sinergi.db"
        backup.parent.mkdir()
        assert main(["db", "backup", str(backup)]) == 0
        during = len(written)
    finally:
        stop.set()
        writer.join()
    assert "integrity ok" in capsys.readouterr().out
    assert backup.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in backup.parent.iterdir()] == ["sinergi.db"]
    with closing(sqlite3.connect(backup)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    users, states = counts(backup)
    assert users == states  # one snapshot: never a user without the form written with it
    assert before <= users <= during
    assert during > before  # the writer kept writing while the backup ran


def test_restore_by_copying_the_backup_back(bot_env: Path, tmp_path: Path) -> None:
    stop, written = threading.Event(), []
    stop.set()
    write_pairs(bot_env, stop, written)
    backup = tmp_path / "sinergi-backup.db"
    assert main(["db", "backup", str(backup)]) == 0
    with closing(sqlite3.connect(bot_env)) as connection, connection:
        connection.execute("DELETE FROM conversations")
        connection.execute("DELETE FROM users")
    assert counts(bot_env) == (0, 0)
    # The documented restore: bot stopped, drop the old WAL files, copy the backup back.
    for suffix in ("-wal", "-shm"):
        Path(f"{bot_env}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, bot_env)
    assert counts(bot_env) == (200, 200)
    assert main(["db", "upgrade"]) == 0


def _is_backup(path: Path) -> bool:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok" and \
            connection.execute("SELECT count(*) FROM users").fetchone()[0] == 200


def test_backup_ignores_a_link_planted_at_the_old_partial_name(
    bot_env: Path, tmp_path: Path
) -> None:
    """In a shared folder another user plants a link where the copy used to be written
    (<target>.<pid>.partial): it must neither receive the copy nor be truncated."""
    stop, written = threading.Event(), []
    stop.set()
    write_pairs(bot_env, stop, written)
    shared = tmp_path / "shared"
    shared.mkdir()
    victim = tmp_path / "victim.txt"  # stands for a file of theirs, or one root must not touch
    victim.write_bytes(b"do not touch")
    planted = shared / f".sinergi.db.{os.getpid()}.partial"
    planted.symlink_to(victim)
    assert main(["db", "backup", str(shared / "sinergi.db")]) == 0
    assert victim.read_bytes() == b"do not touch"
    assert planted.is_symlink() and planted.readlink() == victim
    backup = shared / "sinergi.db"
    assert not backup.is_symlink() and _is_backup(backup)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert sorted(p.name for p in shared.iterdir()) == [planted.name, "sinergi.db"]


def test_backup_replaces_a_link_planted_at_the_target(bot_env: Path, tmp_path: Path) -> None:
    """A link at the target is replaced by the backup, never followed to overwrite what it
    points at."""
    stop, written = threading.Event(), []
    stop.set()
    write_pairs(bot_env, stop, written)
    shared = tmp_path / "shared"
    shared.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"do not touch")
    backup = shared / "sinergi.db"
    backup.symlink_to(victim)
    assert main(["db", "backup", str(backup)]) == 0
    assert victim.read_bytes() == b"do not touch"
    assert not backup.is_symlink() and _is_backup(backup)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert [p.name for p in shared.iterdir()] == ["sinergi.db"]


def test_the_copy_in_progress_is_private_and_unpredictable(
    bot_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While SQLite writes it, the copy has a random name and mode 0600."""
    seen: list[tuple[str, int]] = []
    real_connect = sqlite3.connect

    def spying_connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        path = Path(database)
        if path.name.endswith(".partial"):
            seen.append((path.name, stat.S_IMODE(os.lstat(path).st_mode)))
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", spying_connect)
    for _ in range(2):
        assert main(["db", "backup", str(tmp_path / "sinergi.db")]) == 0
    assert [mode for _name, mode in seen] == [0o600, 0o600]
    first, second = (name for name, _mode in seen)
    assert first != second and str(os.getpid()) not in first + second
    assert sorted(p.name for p in tmp_path.iterdir() if "sinergi" in p.name) == ["sinergi.db"]


def test_backup_of_postgresql_points_to_pg_dump(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", FakeTelegram().token)
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://sinergi@db.example.test/sinergi")
    assert main(["db", "backup", str(tmp_path / "x.db")]) == 2
    assert "pg_dump" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_backup_of_a_missing_database_fails_clearly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", FakeTelegram().token)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    assert main(["db", "backup", str(tmp_path / "x.db")]) == 2
    assert "there is no database" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == []
