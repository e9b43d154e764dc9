"""`python -m bot db ...`: migrations and maintenance from the command line."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from pathlib import Path

from bot.settings import Settings
from db.backup import BackupError, backup_sqlite
from db.migrate import upgrade
from db.session import make_engine, prepare_sqlite_file, sqlite_path
from db.transfer import CopyError, copy_database


async def run_db_command(settings: Settings, args: argparse.Namespace) -> int:
    if args.db_command == "backup":
        return await run_backup(settings, Path(args.file))
    prepare_sqlite_file(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        if args.db_command == "upgrade":
            await upgrade(engine)
            print("database is up to date")
        return 0
    finally:
        await engine.dispose()


async def run_copy(source_url: str, target_url: str) -> int:
    """`db copy SOURCE TARGET`: needs no other setting, so no token either."""
    try:
        copied = await copy_database(source_url, target_url)
    except CopyError as error:
        print(f"Cannot copy: {error}", file=sys.stderr)
        return 2
    for table in copied:
        print(f"{table.name}: {table.rows} rows")
    print(f"copied {sum(t.rows for t in copied)} rows in {len(copied)} tables")
    return 0


async def run_backup(settings: Settings, target: Path) -> int:
    source = sqlite_path(settings.database_url)
    if not settings.is_sqlite or source is None:
        print(
            "DATABASE_URL is not a SQLite file. Back up PostgreSQL with its own tools, "
            "for example: pg_dump --format=custom --file=sinergi.dump <database>",
            file=sys.stderr,
        )
        return 2
    try:
        pages = await asyncio.to_thread(backup_sqlite, source, target)
    except (BackupError, OSError, sqlite3.Error) as error:
        print(f"Backup failed: {error}", file=sys.stderr)
        return 2
    print(f"backup written to {target} ({pages} pages, integrity ok, mode 0600)")
    return 0
