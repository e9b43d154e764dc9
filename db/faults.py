"""Recognises a database that cannot be written right now, so the bot can say so plainly.

SQLite reports a read-only file or folder, a full disk, an I/O error or a lock held by
another process longer than the busy timeout (db/session.py) as OperationalError. These
are the operator's to fix (or pass by themselves), not bugs: the error handler logs one
line naming the cause and tells the user to try again later. Nothing is cached, so the
first message after the disk is writable again simply works.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

# (what SQLite says, the cause as the operator reads it)
CAUSES = (
    ("readonly database", "database not writable (read-only file, folder or file system)"),
    ("read-only file system", "database not writable (read-only file system)"),
    ("database or disk is full", "database not writable (disk full)"),
    ("disk i/o error", "database not writable (disk I/O error)"),
    ("unable to open database file", "database not writable (cannot open the file)"),
    ("database is locked", "database busy (locked by another process beyond the busy timeout)"),
    ("database table is locked", "database busy (table locked)"),
    ("no space left on device", "database not writable (disk full)"),
)


@dataclass(frozen=True)
class DatabaseFault:
    cause: str  # for the log: no SQL, no parameters
    detail: str  # the driver's own words, e.g. "attempt to write a readonly database"


def classify(error: BaseException | None) -> DatabaseFault | None:
    """The database fault behind `error`, or None when it is something else."""
    if isinstance(error, DBAPIError):
        original: BaseException | None = error.orig
    elif isinstance(error, sqlite3.Error | OSError):
        original = error
    else:
        return None
    if original is None:
        return None
    detail = str(original)
    lowered = detail.lower()
    for marker, cause in CAUSES:
        if marker in lowered:
            return DatabaseFault(cause, detail[:200])
    return None
