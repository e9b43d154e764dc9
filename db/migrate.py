"""Runs the Alembic migrations against an engine, from inside a running event loop.

Alembic is imported only when there is something to migrate: every start of the bot calls
``upgrade``, and on a database already at the head (the usual restart) a look at the
migration files and at ``alembic_version`` is enough. Importing Alembic (and Mako) cost
about 0,15 s and 10 MB of every start (docs/BENCHMARKS.md, section 3).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# "revision: str = '0006'" and "down_revision: str | None = '0005'" in a migration file
_REVISION_LINE = re.compile(
    r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(?:'([^'\n]*)'|\"([^\"\n]*)\"|None)\s*$",
    re.MULTILINE)
# Any fixed number: the key of the PostgreSQL advisory lock taken while migrating.
MIGRATION_LOCK_KEY = 5_140_007


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _downgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def head_from_files() -> str | None:
    """The head revision read from the migration files' ``revision`` and ``down_revision``
    lines, without Alembic; None when that is not one clear head (Alembic then decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = {name: quoted or double for name, quoted, double
                 in _REVISION_LINE.findall(path.read_text(encoding="utf-8"))}
        if not found.get("revision") or "down_revision" not in found:
            return None
        revisions.add(found["revision"])
        if found["down_revision"]:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _stamped(connection: Connection) -> str | None:
    """The one revision in ``alembic_version``, without Alembic; None if not exactly one."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


async def at_head(engine: AsyncEngine) -> bool:
    """True when the database is already at the migration files' head (nothing to do)."""
    head = head_from_files()
    if head is None:
        return False
    async with engine.connect() as connection:
        return await connection.run_sync(_stamped) == head


async def current_revision(connection: AsyncConnection) -> str | None:
    """The revision the database is at, or None for a database without our schema."""
    return await connection.run_sync(_current)


async def _lock(connection: AsyncConnection) -> None:
    # Instances started together on one PostgreSQL database would all create the tables;
    # the others wait here and then find the schema up to date. The lock ends with the
    # transaction. (SQLite is one instance by design.)
    if connection.dialect.name == "postgresql":
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
        )


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    # Read without the lock: a database at the head stays there; one that is not (or is
    # being migrated by another instance) takes the lock and lets Alembic decide.
    if revision == "head" and await at_head(engine):
        return
    async with engine.begin() as connection:
        await _lock(connection)
        await connection.run_sync(_upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as connection:
        await _lock(connection)
        await connection.run_sync(_downgrade, revision)
