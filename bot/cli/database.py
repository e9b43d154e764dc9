"""`python -m bot db ...`: migrations and maintenance from the command line."""

from __future__ import annotations

import argparse

from bot.settings import Settings
from db.migrate import upgrade
from db.session import make_engine, prepare_sqlite_file


async def run_db_command(settings: Settings, args: argparse.Namespace) -> int:
    prepare_sqlite_file(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        if args.db_command == "upgrade":
            await upgrade(engine)
            print("database is up to date")
        return 0
    finally:
        await engine.dispose()
