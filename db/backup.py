"""Online backup of the SQLite database with SQLite's own backup API."""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
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

    Backups often go to a folder others can write to. The copy in progress is a new file
    with a random name, created exclusively, owner-only, never through a symbolic link
    (`tempfile.mkstemp`): nobody can plant a link where it will be, to read the copy or to
    make the backup (perhaps run as root) overwrite another file. A link planted at
    `target` is replaced by the backup, never followed.

    Raises:
        BackupError: the source does not exist, the copy failed its integrity check, or its
            file was swapped while it was written.
    """
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    # The folder resolved, the name not: a symbolic link at `target` is replaced, not followed.
    target = target.parent.resolve() / target.name
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial",
                                    dir=target.parent)
    partial = Path(name)
    try:
        _still_ours(handle, partial)
        with closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)) as reader, \
                closing(sqlite3.connect(partial)) as writer:
            reader.backup(writer)  # pages=-1: in one step, so no restart on concurrent writes
            writer.execute("PRAGMA journal_mode=DELETE")
            verdict = writer.execute("PRAGMA integrity_check").fetchone()[0]
            pages = int(writer.execute("PRAGMA page_count").fetchone()[0])
        if verdict != "ok":
            raise BackupError(f"the copy failed its integrity check: {verdict}")
        _still_ours(handle, partial)
        os.fchmod(handle, 0o600)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        os.close(handle)
    return pages


def _still_ours(handle: int, path: Path) -> None:
    """SQLite opens the copy by its name: it must still be the file mkstemp made."""
    ours, there = os.fstat(handle), os.lstat(path)
    if not stat.S_ISREG(there.st_mode) or (ours.st_dev, ours.st_ino) != (
            there.st_dev, there.st_ino):
        raise BackupError(f"the backup's file {path} was replaced while it was written")
