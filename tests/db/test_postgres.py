"""PostgreSQL specifics: migrations both ways, concurrent start, upserts, time zones.

These need a server: `.ci/run` runs the whole suite a second time with TEST_DATABASE_URL
set, and every other test then runs on PostgreSQL too. Without it they are skipped.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.sandbox.fake_telegram import FakeTelegram
from bot.services import conversations
from bot.services.conversations import FlowState
from db import users
from db.migrate import current_revision, downgrade, head_revision, upgrade
from db.models import Base
from db.session import make_engine, make_sessionmaker
from tests.harness import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL,
    reason="TEST_DATABASE_URL is not set (postgresql+asyncpg://...); .ci/run sets it",
)

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2025, 3, 17, 9, 30, 15, 123456, tzinfo=UTC)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_upgrade_downgrade_and_upgrade_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == {*Base.metadata.tables,
                                                          "alembic_version"}
            assert await current_revision(connection) == head_revision()
            assert await connection.run_sync(_drift) == []
            kind = await connection.scalar(text(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = 'conversations' AND column_name = 'updated_at'"))
        assert kind == "timestamp with time zone"
        await downgrade(engine, "base")
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) <= {"alembic_version"}
        await upgrade(engine)
        async with engine.connect() as connection:
            assert await current_revision(connection) == head_revision()
    finally:
        await engine.dispose()


async def test_instances_starting_together_migrate_once(
    database_url: str, tmp_path: Path
) -> None:
    """Three `python -m bot db upgrade` at once: the advisory lock lets one create tables."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": database_url,
           "TELEGRAM_BOT_TOKEN": FakeTelegram().token}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "db", "upgrade", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    try:
        outputs = await asyncio.wait_for(
            asyncio.gather(*(process.communicate() for process in processes)), 120
        )
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await current_revision(connection) == head_revision()
    finally:
        await engine.dispose()


async def test_conversation_state_upserts_and_expires_in_any_session_time_zone(
    database_url: str,
) -> None:
    # A server or role configured for Jakarta must not shift stored times.
    jakarta = {"server_settings": {"timezone": "Asia/Jakarta"}}
    engine = make_engine(database_url, connect_args=jakarta)
    sessions = make_sessionmaker(engine)
    idle = timedelta(minutes=30)
    try:
        await upgrade(engine)
        first = FlowState("register", "name", {"segment": "BPU"})
        await conversations.save(sessions, chat_id=5, user_id=5, state=first, now=NOW)
        second = FlowState("register", "nik", {"segment": "BPU", "name": "Siti Aminah"})
        later = NOW + timedelta(minutes=1)
        await conversations.save(sessions, chat_id=5, user_id=5, state=second, now=later)
        state = await conversations.current(sessions, chat_id=5, user_id=5, now=later, idle=idle)
        assert state == FlowState("register", "nik", second.data, later)
        assert state.updated_at is not None and state.updated_at.tzinfo is not None
        assert await conversations.expire_idle(sessions, now=later + idle / 2, idle=idle) == []
        closed = await conversations.expire_idle(sessions, now=later + idle * 2, idle=idle)
        assert closed == [(5, 5, "register")]
    finally:
        await engine.dispose()


async def test_user_upsert_keeps_the_language_and_moves_last_seen(database_url: str) -> None:
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    try:
        await upgrade(engine)
        async with sessions.begin() as session:
            assert await users.touch_user(session, 42, NOW) is None
            await users.set_language(session, 42, "en")
        async with sessions.begin() as session:
            assert await users.touch_user(session, 42, NOW + timedelta(days=1)) == "en"
        async with engine.connect() as connection:
            row = (await connection.execute(
                text("SELECT first_seen, last_seen FROM users WHERE telegram_user_id = 42")
            )).one()
        assert (row.first_seen, row.last_seen) == (NOW, NOW + timedelta(days=1))
    finally:
        await engine.dispose()
