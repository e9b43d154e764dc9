"""End to end: a worker's message to staff is recorded before its copy is posted.

Whatever fails after the copy is in the staff group (here: the database, for the write that
notes the copy's message id), the message counts toward the follow-up limit and a staff
reply to the copy still finds its ticket. Run with TEST_DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event, select

from bot.context import App
from bot.sandbox.fake_telegram import FakeTelegram
from db.models import TicketMessage
from tests.conftest import STAFF_CHAT, STAFF_MEMBER
from tests.harness import Person

WORKER = 541


def _to(chat_id: int):  # type: ignore[no-untyped-def]
    return lambda c: c.method == "sendMessage" and str(c.params["chat_id"]) == str(chat_id)


class FailAfterCopy:
    """The first write to ticket_messages after a copy with `marker` is in the staff group
    fails."""

    def __init__(self, app: App, fake_tg: FakeTelegram, marker: str) -> None:
        self.fake_tg, self.marker, self.failed = fake_tg, marker, False
        assert app.bot_data.engine is not None
        event.listen(app.bot_data.engine.sync_engine, "before_cursor_execute", self._check)

    def _check(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        write = statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        posted = any(_to(STAFF_CHAT)(c) and self.marker in c.params["text"]
                     for c in self.fake_tg.sent)
        if write and "ticket_messages" in statement and posted and not self.failed:
            self.failed = True
            raise sqlite3.OperationalError("disk I/O error")


async def test_a_copy_whose_recording_failed_still_counts_and_finds_its_ticket(
    fake_tg: FakeTelegram, app: App
) -> None:
    worker = Person(fake_tg, WORKER, "Siti")
    await worker.say("/petugas saldo jht saya berapa?")
    await fake_tg.wait_for(_to(STAFF_CHAT))  # posted after the worker's answer
    FailAfterCopy(app, fake_tg, "pesan kedua")
    start = len(fake_tg.sent)
    await worker.say("pesan kedua")
    copy = await fake_tg.wait_for(_to(STAFF_CHAT), start=start)
    assert "pesan kedua" in copy.params["text"]
    async with app.bot_data.sessions() as session:  # type: ignore[misc]
        texts = list(await session.scalars(
            select(TicketMessage.text).where(TicketMessage.direction == "worker")))
    assert "pesan kedua" in texts  # counted toward the follow-up limit
    start = len(fake_tg.sent)
    staff = Person(fake_tg, STAFF_MEMBER, "Budi").in_chat(STAFF_CHAT)
    message = fake_tg.messages[(STAFF_CHAT, copy.result["message_id"])]
    confirmation = await staff.say("Saldo bisa dicek di JMO.", reply_to=message)
    assert "✅" in confirmation.params["text"], confirmation.params["text"]
    delivered = await fake_tg.wait_for(_to(WORKER), start=start)
    assert "Saldo bisa dicek di JMO." in delivered.params["text"]
