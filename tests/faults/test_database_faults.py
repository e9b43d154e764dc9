"""The database is locked, read-only or full: the bot waits or says so, and recovers.

Locks are real (a second SQLite connection holding the write lock). A full disk is real
when the tests may mount a small tmpfs (root on Linux), else skipped; read-only and I/O
errors are injected at the SQLAlchemy level, where SQLite's own error would surface.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.sandbox.fake_telegram import FakeTelegram
from bot.settings import Settings
from db import session as db_session
from db.models import Conversation
from tests.conftest import make_settings
from tests.harness import Person, running_app, sqlite_only
from tests.registration_helpers import NIK_SUMBERSARI, keyboard_label

FAULT_MSGID = (
    "⚠️ Sorry, there is a technical disruption on our side and I could not save your "
    "last message. Please send it again in a few minutes; what you entered before is "
    "kept. If it is urgent, call 175.")


def fault_text(app: Any) -> str:
    """The apology as the user reads it (Indonesian once the catalog has it)."""
    return app.bot_data.catalogs.gettext("id")(FAULT_MSGID)


async def open_form_at_nik(person: Person) -> None:
    consent = await person.say("/daftar")
    segment = await person.press(consent, "reg:consent:yes")
    await person.say(keyboard_label(segment, "🧑‍🌾"))
    nik_q = await person.say("Siti Aminah")
    assert "NIK" in nik_q.params["text"]


async def form_step(app: Any, user_id: int) -> str | None:
    async with app.bot_data.sessions() as session:
        row = await session.scalar(
            select(Conversation).where(Conversation.telegram_user_id == user_id))
        return row.step if row is not None else None


def error_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "handlers.errors"
            and r.levelno >= logging.ERROR]


class WriteFailure:
    """While `error` is set, every INSERT/UPDATE/DELETE fails as SQLite would fail it."""

    def __init__(self, engine: Any) -> None:
        self.error: str | None = None
        event.listen(engine.sync_engine, "before_cursor_execute", self._check)

    def _check(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.error and statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError(self.error)


@pytest.mark.parametrize(("error", "cause"), [
    ("attempt to write a readonly database", "database not writable (read-only"),
    ("disk I/O error", "database not writable (disk I/O error)"),
    ("database or disk is full", "database not writable (disk full)"),
])
async def test_an_unwritable_database_is_reported_once_and_recovers(
    fake_tg: FakeTelegram, settings: Settings, caplog: pytest.LogCaptureFixture,
    error: str, cause: str,
) -> None:
    caplog.set_level(logging.INFO)
    async with running_app(settings, fake_tg) as app:
        siti = Person(fake_tg, 3101)
        await open_form_at_nik(siti)
        failure = WriteFailure(app.bot_data.engine)
        failure.error = error
        for _attempt in range(3):
            start = len(fake_tg.sent)
            reply = await siti.say(NIK_SUMBERSARI)
            assert reply.params["text"] == fault_text(app)
            await asyncio.sleep(0.2)  # a second apology would have arrived by now
            assert len([c for c in fake_tg.sent[start:] if c.method == "sendMessage"]) == 1
        # Other users are told the same, and nothing crashes.
        other = await Person(fake_tg, 3102).say("/start")
        assert other.params["text"] == fault_text(app)
        [logged] = error_records(caplog)
        assert logged.getMessage().startswith(cause)
        assert error in logged.getMessage() and logged.exc_info is None
        assert "INSERT" not in logged.getMessage() and "UPDATE" not in logged.getMessage()
        assert "still database not writable" in caplog.text
        assert await form_step(app, 3101) == "nik"  # what was entered before is kept

        failure.error = None  # the operator freed the disk: no restart needed
        phone_q = await siti.say(NIK_SUMBERSARI)
        assert "nomor" in phone_q.params["text"].lower()
        assert await form_step(app, 3101) == "phone"
        assert len(error_records(caplog)) == 1


@sqlite_only
async def test_a_write_lock_held_by_another_process_is_waited_for(
    fake_tg: FakeTelegram, settings: Settings, database_url: str,
) -> None:
    """A backup or a second instance holds the write lock for 1.5 s: the bot waits."""
    async with running_app(settings, fake_tg) as app:
        siti = Person(fake_tg, 3201, timeout=15)
        await open_form_at_nik(siti)
        path = db_session.sqlite_path(database_url)
        assert path is not None
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE users SET last_seen = last_seen")
            start = len(fake_tg.sent)
            await fake_tg.send_message(3201, NIK_SUMBERSARI)
            await asyncio.sleep(1.5)
            assert not [c for c in fake_tg.sent[start:] if c.method == "sendMessage"]
            other.execute("COMMIT")
            phone_q = await siti.reply_after(start, timeout=10)
        finally:
            other.close()
        assert "nomor" in phone_q.params["text"].lower()
        assert await form_step(app, 3201) == "phone"


@sqlite_only
async def test_a_lock_longer_than_the_busy_timeout_is_reported_and_passes(
    fake_tg: FakeTelegram, settings: Settings, database_url: str,
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db_session, "SQLITE_BUSY_TIMEOUT_MS", 300)
    caplog.set_level(logging.INFO)
    async with running_app(settings, fake_tg) as app:
        siti = Person(fake_tg, 3301, timeout=10)
        await open_form_at_nik(siti)
        path = db_session.sqlite_path(database_url)
        assert path is not None
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            other.execute("BEGIN IMMEDIATE")
            reply = await siti.say(NIK_SUMBERSARI)
            assert reply.params["text"] == fault_text(app)
        finally:
            other.execute("ROLLBACK")
            other.close()
        [logged] = error_records(caplog)
        assert logged.getMessage().startswith("database busy")
        phone_q = await siti.say(NIK_SUMBERSARI)
        assert "nomor" in phone_q.params["text"].lower()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs, so the disk can really fill up; skipped where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    name = f"tmpfs-{uuid.uuid4().hex[:6]}"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", name, str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass
    return filler


async def test_a_really_full_disk_is_reported_and_recovers_when_freed(
    fake_tg: FakeTelegram, small_disk: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    settings = make_settings(fake_tg, f"sqlite+aiosqlite:///{small_disk / 'sinergi.db'}")
    async with running_app(settings, fake_tg) as app:
        siti = Person(fake_tg, 3401)
        await open_form_at_nik(siti)
        filler = fill(small_disk)
        reply = await siti.say(NIK_SUMBERSARI)
        for _ in range(20):  # SQLite may still fit a page or two into the WAL
            if reply.params["text"] == fault_text(app):
                break
            reply = await siti.say("Petani")
        assert reply.params["text"] == fault_text(app)
        assert "database not writable (disk full)" in error_records(caplog)[0].getMessage()
        filler.unlink()
        assert "Halo" in (await siti.say("/start")).params["text"]
