"""Personal data stays out of the logs, the database file is private, /hapusdata erases.

A whole session (registration with NIK, phone and full name, the staff card, a status
change, an export, a question to staff, a Bot API outage and a database fault) runs with
our loggers at DEBUG; no log line may carry the NIK, the phone number in any format or
the name, neither in the raw records nor in what the log handler writes (tracebacks too).
"""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.logs import NOISY, setup_logging
from bot.sandbox.fake_telegram import FakeTelegram
from bot.settings import Settings
from db.session import prepare_sqlite_file, sqlite_path
from tests.conftest import ADMIN, STAFF_CHAT
from tests.faults.test_database_faults import WriteFailure
from tests.harness import Person, running_app, sqlite_only
from tests.registration_helpers import NIK_SUMBERSARI, keyboard_label, register_bpu

NAME = "Wulandari Kusumawardhani"
PHONE_TYPED = "0812-3456-7890"
SECRETS = [
    NIK_SUMBERSARI, "081234567890", "+6281234567890", "6281234567890", "81234567890",
    "0812-3456-7890", "0812 3456 7890", "+62 812", NAME, "Wulandari", "Kusumawardhani",
]


@pytest.fixture
def debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """setup_logging("DEBUG") as `python -m bot` does, plus caplog; restored afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, {n: logging.getLogger(n).level for n in NOISY})
    setup_logging("DEBUG")
    stream = io.StringIO()
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]  # the real handler
    root.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    try:
        yield stream
    finally:
        root.handlers[:], _level, levels = saved
        root.setLevel(saved[1])
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


async def test_a_whole_session_logs_no_personal_data(
    fake_tg: FakeTelegram, settings: Settings, caplog: pytest.LogCaptureFixture,
    debug_logging: io.StringIO,
) -> None:
    async with running_app(settings, fake_tg) as app:
        worker = Person(fake_tg, 7101, first_name="Wulandari", timeout=15)
        await worker.say("/start")
        summary = await register_bpu(worker, name=NAME, phone=PHONE_TYPED)
        start = len(fake_tg.sent)
        await worker.press(summary, "reg:confirm")
        card = await fake_tg.wait_for(
            lambda c: str(c.params.get("chat_id")) == str(STAFF_CHAT), start=start)
        assert NAME in card.params["text"]  # the staff see it; the logs must not
        staff = Person(fake_tg, ADMIN, chat_id=STAFF_CHAT)
        await staff.say("/status 1 dihubungi")
        start = len(fake_tg.sent)
        await fake_tg.send_message(ADMIN, "/ekspor csv", chat_id=STAFF_CHAT)
        await fake_tg.wait_for(lambda c: c.method == "sendDocument", start=start)
        await worker.say(f"/petugas Nomor saya {PHONE_TYPED}, NIK {NIK_SUMBERSARI}")
        await worker.say("/datasaya")
        await worker.say(f"Saya {NAME}, iuran berapa? hubungi +6281234567890")
        # A Bot API outage longer than the retries: the error handler logs it.
        for _ in range(10):
            fake_tg.inject("status", method="sendMessage", status=500)
        await fake_tg.send_message(7101, f"berapa iuran JHT? {NAME} {PHONE_TYPED}",
                                   first_name="Wulandari")
        await worker.say("/daftar")  # while the rest of the outage lasts
        fake_tg.faults.clear()
        # A database fault while a form holds a worker's answers: the failing write carries
        # the NIK and the name in its parameters.
        failure = WriteFailure(app.bot_data.engine)
        other = Person(fake_tg, 7102, first_name="Wulandari", timeout=15)
        segment = await other.press(await other.say("/daftar"), "reg:consent:yes")
        await other.say(keyboard_label(segment, "🧑‍🌾"))
        assert "NIK" in (await other.say(NAME)).params["text"]
        failure.error = "attempt to write a readonly database"
        await other.say(NIK_SUMBERSARI)
        failure.error = None
        await worker.say("/hapusdata")
    records = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "error while handling update" in caplog.text  # the outage was logged
    assert "database not writable" in caplog.text
    assert logging.getLogger("handlers.registration").getEffectiveLevel() == logging.DEBUG
    assert not leaks(records), leaks(records)
    assert not leaks(caplog.text), leaks(caplog.text)
    written = debug_logging.getvalue()
    assert "database not writable" in written
    assert not leaks(written), leaks(written)


def test_prepare_sqlite_file_makes_a_private_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'new' / 'sinergi.db'}"
    old_umask = os.umask(0)  # even with a permissive umask
    try:
        prepare_sqlite_file(url)
    finally:
        os.umask(old_umask)
    path = sqlite_path(url)
    assert path is not None and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_prepare_sqlite_file_makes_a_restored_file_private(tmp_path: Path) -> None:
    restored = tmp_path / "sinergi.db"
    restored.write_bytes(b"")
    restored.chmod(0o644)  # as `cp` leaves a backup under the usual umask
    prepare_sqlite_file(f"sqlite+aiosqlite:///{restored}")
    assert stat.S_IMODE(restored.stat().st_mode) == 0o600


@sqlite_only
async def test_a_started_app_keeps_the_database_private(
    fake_tg: FakeTelegram, settings: Settings
) -> None:
    async with running_app(settings, fake_tg):
        await Person(fake_tg, 7201).say("/start")
        path = sqlite_path(settings.database_url)
        assert path is not None
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        assert {p.name for p in files} >= {path.name}
        for file in files:  # the database, and SQLite's -wal and -shm next to it
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name


def _every_text(database: Path) -> dict[str, list[str]]:
    """table.column -> every text value stored there, from every table."""
    found: dict[str, list[str]] = {}
    with sqlite3.connect(database) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
            for row in db.execute(f'SELECT * FROM "{table}"'):
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        found.setdefault(f"{table}.{column}", []).append(str(value))
    return found


def _personal_left(database: Path) -> dict[str, list[str]]:
    return {where: leaks(" | ".join(values)) for where, values in _every_text(database).items()
            if leaks(" | ".join(values))}


async def _register_note_and_erase(fake_tg: FakeTelegram, app: Any, *, ask_staff: bool) -> Path:
    worker = Person(fake_tg, 7301, first_name="Wulandari")
    summary = await register_bpu(worker, name=NAME, phone=PHONE_TYPED)
    await worker.press(summary, "reg:confirm")
    staff = Person(fake_tg, ADMIN, chat_id=STAFF_CHAT)
    await staff.say("/status 1 terdaftar 12345678901")
    if ask_staff:
        await worker.say(f"/petugas Saya {NAME}, nomor {PHONE_TYPED}")
    ask = await worker.say("/hapusdata")
    assert "dihapus" in (await worker.press(ask, "erase:yes")).params["text"]
    path = sqlite_path(app.bot_data.settings.database_url)
    assert path is not None
    return path


@sqlite_only
async def test_erasure_leaves_no_personal_field_in_any_table(
    fake_tg: FakeTelegram, app: Any
) -> None:
    """Lead, status history (notes, KPJ), referrals, forms: nothing personal remains."""
    path = await _register_note_and_erase(fake_tg, app, ask_staff=False)
    left = _personal_left(path)
    assert not left, left
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM lead_status_changes WHERE note IS NOT NULL"
                          ).fetchone() == (0,)
        assert db.execute("SELECT kpj_number FROM leads").fetchall() == [(None,)]


@sqlite_only
async def test_erasure_also_covers_questions_to_staff(fake_tg: FakeTelegram, app: Any) -> None:
    path = await _register_note_and_erase(fake_tg, app, ask_staff=True)
    left = _personal_left(path)
    assert not left, left


def test_the_log_filter_masks_numbers_however_written(debug_logging: io.StringIO) -> None:
    """A last line of defence: a NIK or phone number with separators, in a log message or in
    the message of a logged exception, is written masked."""
    numbers = ["3509 2145 0890 0001", "35.09.21-450890-0001", "0812-3456-7890",
               "0812 3456 7890", "+62 812 3456 7890", "62 812-3456-7890", "(0331) 123456"]
    logger = logging.getLogger("tests.personal_data")
    for number in numbers:
        logger.info("worker wrote %s user=%s", number, 6212345678)
        try:
            raise ValueError(f"cannot parse {number!r}")
        except ValueError:
            logger.exception("parse failed")
    written = debug_logging.getvalue()
    for number in numbers:
        assert number not in written
    assert written.count("[disamarkan]") == 2 * len(numbers)
    assert "user=6212345678" in written  # Telegram ids stay readable
