"""Engine and session factory, with the SQLite pragmas the bot relies on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

Sessions = async_sessionmaker[AsyncSession]

SQLITE_BUSY_TIMEOUT_MS = 10_000


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def prepare_sqlite_file(database_url: str) -> None:
    """Creates the folder and an empty file readable by the owner only (0600), or makes an
    existing file (a restored backup, say) owner-only. SQLite gives its -wal and -shm files
    the database file's permissions.

    Raises OSError when the folder cannot be created or written.
    """
    path = sqlite_path(database_url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted and overwritten content (an erased NIK, say) is overwritten with zeros in the
    # file, not left in free space; builds of SQLite without SQLITE_SECURE_DELETE need this.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    if sqlite_path(database_url) is not None:
        # One connection: SQLite has one writer at a time anyway, and with several
        # connections each waiting writer sleeps in SQLite's busy handler (1, 2, 5 ... 100 ms)
        # instead of queueing. Transactions here are short, so they queue in the pool.
        # docs/BENCHMARKS.md: with 100 users at once, shorter tails and no stalls.
        kwargs = {"pool_size": 1, "max_overflow": 0} | kwargs
    engine = create_async_engine(database_url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> Sessions:
    return async_sessionmaker(engine, expire_on_commit=False)
