"""Writes a new Alembic revision by comparing db/models.py with the migrated schema.

Usage: python scripts/new_migration.py 0002 "registration tables"
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy.engine import Connection

from db.migrate import alembic_config, upgrade
from db.session import make_engine


def _revise(connection: Connection, rev_id: str, message: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.revision(config, message=message, autogenerate=True, rev_id=rev_id)


async def main(rev_id: str, message: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(folder) / 'schema.db'}")
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.run_sync(_revise, rev_id, message)
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
