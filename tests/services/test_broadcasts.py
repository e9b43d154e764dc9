"""Broadcast sending rules on a real SQLite file: once per worker, leases, resumption."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.services import broadcasts
from db.models import Broadcast, BroadcastDelivery, Lead
from db.session import Sessions

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WORKERS = list(range(1, 41))


async def confirmed(sessions: Sessions, owner: str = "a") -> int:
    async with sessions.begin() as session:
        for user_id in WORKERS:
            session.add(Lead(segment="PU", programmes="JKK", consent_at=NOW,
                             consent_version="1", broadcast_opt_in=True, source="self",
                             telegram_user_id=user_id, status="minat", created_at=NOW,
                             updated_at=NOW))
    draft = await broadcasts.prepare(sessions, text="Halo", created_by=1, chat_id=-5, now=NOW)
    assert draft.recipients == len(WORKERS)
    await broadcasts.confirm(sessions, broadcast_id=draft.id, owner=owner, now=NOW)
    return draft.id


def sender(log: Counter[int]) -> broadcasts.Send:
    async def send(user_id: int) -> str:
        log[user_id] += 1
        await asyncio.sleep(0)
        return "sent"
    return send


async def no_report(progress: broadcasts.Progress) -> None:
    return None


async def run(sessions: Sessions, broadcast_id: int, owner: str, log: Counter[int],
              now: datetime = NOW) -> broadcasts.Progress | None:
    return await broadcasts.run(sessions, broadcast_id, owner=owner, send=sender(log),
                                report=no_report, clock=lambda: now, keep_going=lambda: True,
                                pace=0)


async def test_a_live_lease_keeps_other_instances_out(sessions: Sessions) -> None:
    broadcast_id = await confirmed(sessions, owner="a")
    log: Counter[int] = Counter()
    assert await run(sessions, broadcast_id, "b", log) is None
    assert not log
    done = await run(sessions, broadcast_id, "a", log)
    assert done is not None and done.sent == len(WORKERS)
    assert log == Counter(dict.fromkeys(WORKERS, 1))


async def test_racing_instances_after_an_expired_lease_send_once(sessions: Sessions) -> None:
    broadcast_id = await confirmed(sessions, owner="crashed")
    later = NOW + broadcasts.LEASE + timedelta(seconds=1)
    log: Counter[int] = Counter()
    results = await asyncio.gather(*(run(sessions, broadcast_id, owner, log, later)
                                     for owner in ("b", "c")))
    assert log == Counter(dict.fromkeys(WORKERS, 1))
    assert sum(result is not None for result in results) == 1


async def test_a_delivery_caught_mid_send_is_not_sent_again(sessions: Sessions) -> None:
    broadcast_id = await confirmed(sessions, owner="a")
    async with sessions.begin() as session:
        row = await session.get(BroadcastDelivery, (broadcast_id, WORKERS[0]))
        assert row is not None
        row.status = "sending"
    log: Counter[int] = Counter()
    done = await run(sessions, broadcast_id, "a", log)
    assert done is not None and done.unknown == 1 and done.sent == len(WORKERS) - 1
    assert WORKERS[0] not in log
    async with sessions.begin() as session:
        broadcast = await session.get(Broadcast, broadcast_id)
        assert broadcast is not None and broadcast.status == "done"
