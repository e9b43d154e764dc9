"""A restart on a database already at the head does not import Alembic (issue 16: start-up);
one that is behind is still migrated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from db.migrate import downgrade, head_from_files, head_revision, upgrade
from db.session import make_engine

ROOT = Path(__file__).resolve().parent.parent
CHECK = """
import asyncio, sys
from db.migrate import upgrade
from db.session import make_engine

async def main():
    engine = make_engine(sys.argv[1])
    await upgrade(engine)
    await engine.dispose()

asyncio.run(main())
print("alembic" in sys.modules)
"""


def test_the_files_head_is_alembics() -> None:
    assert head_from_files() == head_revision() is not None


def _upgrade_in_a_new_process(url: str) -> bool:
    """True when upgrading ``url`` in a fresh interpreter imported Alembic."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", CHECK, url], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=300)
    return out.stdout.strip().splitlines()[-1] == "True"


async def test_a_restart_at_the_head_skips_alembic_and_a_database_behind_is_migrated(
        tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    assert _upgrade_in_a_new_process(url)  # a new database: Alembic migrates it
    assert not _upgrade_in_a_new_process(url)  # already at the head: nothing imported
    engine = make_engine(url)
    try:
        await downgrade(engine, "-1")
        await upgrade(engine)
        async with engine.connect() as connection:
            version = (await connection.execute(
                text("SELECT version_num FROM alembic_version"))).scalar_one()
        assert version == head_from_files()
    finally:
        await engine.dispose()


def test_giving_freed_memory_back_is_harmless() -> None:
    from bot.memory import release_free_memory

    assert release_free_memory() in (True, False)  # False off glibc; never an error
