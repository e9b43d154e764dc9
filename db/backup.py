"""Online backup of the SQLite database with SQLite's own backup API."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

BUSY_TIMEOUT_SECONDS = 10.0


class BackupError(Exception):
    """The backup could not be made; the message says why."""


def backup_sqlite(source: Path, target: Path) -> int:
    """Copies `source` to `target` (mode 0600) while the bot may be running; returns pages.

    The copy is one consistent snapshot: in WAL mode the backup reads like any reader and
    writers carry on. It is written next to `target` and renamed into place only after
    `PRAGMA integrity_check` passed, so `target` is never a half-written file. The copy is
    switched to the rollback journal, so it is one self-contained file.

    Raises:
        BackupError: the source does not exist or the copy failed its integrity check.
    """
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    target = target.resolve()
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        with closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)) as reader, \
                closing(sqlite3.connect(partial)) as writer:
            reader.backup(writer)  # pages=-1: in one step, so no restart on concurrent writes
            writer.execute("PRAGMA journal_mode=DELETE")
            verdict = writer.execute("PRAGMA integrity_check").fetchone()[0]
            pages = int(writer.execute("PRAGMA page_count").fetchone()[0])
        if verdict != "ok":
            raise BackupError(f"the copy failed its integrity check: {verdict}")
        os.chmod(partial, 0o600)
        os.replace(partial, target)
        return pages
    finally:
        partial.unlink(missing_ok=True)
