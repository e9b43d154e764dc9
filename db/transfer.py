"""Copies a whole Sinergi database into an empty one: SQLite to PostgreSQL, mostly.

The target gets the migrations first, then every table in foreign-key order, in batches,
in one transaction (all or nothing). Rows go through the models' column types, so
SQLite's naive UTC datetimes arrive in PostgreSQL as `timestamp with time zone`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, Table, func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from db.migrate import current_revision, head_revision, upgrade
from db.models import Base
from db.session import make_engine, prepare_sqlite_file, sqlite_path

BATCH_SIZE = 1000
# Kept by triggers as the leads arrive (migration 0007): copying it too would count twice.
DERIVED = frozenset({"lead_counts"})
SUPPORTED = ("sqlite+aiosqlite://", "postgresql+asyncpg://")


class CopyError(Exception):
    """The copy cannot start or would lose data; the message says what to do."""


@dataclass(frozen=True)
class CopiedTable:
    name: str
    rows: int


async def copy_database(
    source_url: str, target_url: str, *, batch_size: int = BATCH_SIZE
) -> list[CopiedTable]:
    """Copies every table of `source_url` into the empty database at `target_url`.

    Raises:
        CopyError: a URL is not supported, the source is missing, not at the latest
            migration or holds tables the models do not know, or the target has data.
    """
    for role, url in (("source", source_url), ("target", target_url)):
        if not url.startswith(SUPPORTED):
            raise CopyError(f"the {role} URL must start with {' or '.join(SUPPORTED)}")
    if source_url == target_url:
        raise CopyError("source and target are the same database")
    source_file = sqlite_path(source_url)
    if source_file is not None and not source_file.is_file():
        raise CopyError(f"the source database {source_file} does not exist")
    prepare_sqlite_file(target_url)
    source, target = make_engine(source_url), make_engine(target_url, hide_parameters=True)
    try:
        async with source.connect() as reader:
            await _check_source(reader)
        await upgrade(target)
        async with source.connect() as reader, target.begin() as writer:
            await _check_empty(writer)
            copied = [
                CopiedTable(table.name, await _copy_table(reader, writer, table, batch_size))
                for table in Base.metadata.sorted_tables if table.name not in DERIVED
            ]
            if writer.dialect.name == "postgresql":
                await _reset_sequences(writer)
        return copied
    finally:
        await source.dispose()
        await target.dispose()


async def _check_source(reader: AsyncConnection) -> None:
    revision, head = await current_revision(reader), head_revision()
    if revision is None:
        raise CopyError("the source has no Sinergi schema (no alembic_version)")
    if revision != head:
        raise CopyError(
            f"the source is at migration {revision}, the code at {head}: run "
            "`python -m bot db upgrade` with DATABASE_URL set to the source first"
        )
    names = await reader.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    unknown = names - set(Base.metadata.tables) - {"alembic_version"}
    if unknown:
        raise CopyError(f"the source has tables the models do not know: {sorted(unknown)}")


async def _check_empty(writer: AsyncConnection) -> None:
    filled = [
        table.name
        for table in Base.metadata.sorted_tables
        if await writer.scalar(select(1).select_from(table).limit(1)) is not None
    ]
    if filled:
        raise CopyError(f"the target already has rows in {', '.join(filled)}; "
                        "copy into an empty database")


async def _copy_table(
    reader: AsyncConnection, writer: AsyncConnection, table: Table, batch_size: int
) -> int:
    copied = 0
    result = await reader.stream(select(table).order_by(*table.primary_key.columns))
    async for rows in result.partitions(batch_size):
        await writer.execute(table.insert(), [dict(row._mapping) for row in rows])
        copied += len(rows)
    return copied


async def _reset_sequences(writer: AsyncConnection) -> None:
    """Moves each serial column's sequence past the copied ids, so new rows get fresh ones."""
    for table in Base.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = await writer.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            )
            if sequence is None:
                continue
            top = await writer.scalar(select(func.max(column)))
            await writer.execute(
                text("SELECT setval(CAST(:sequence AS regclass), :value, :called)"),
                {"sequence": sequence, "value": top or 1, "called": top is not None},
            )
