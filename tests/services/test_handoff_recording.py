"""A worker's message is recorded with the ticket, before any copy of it is posted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services import handoff
from db import handoff as queries
from db.session import Sessions

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STAFF = (-100, -200)


async def test_a_message_counts_toward_the_limit_before_its_copies_are_posted(
        sessions: Sessions) -> None:
    first = await handoff.post(sessions, telegram_user_id=7, first_name="Siti", text="a",
                               now=NOW, staff_chats=STAFF)
    assert set(first.rows) == set(STAFF)
    for number in range(1, handoff.FOLLOW_UP_LIMIT):
        await handoff.post(sessions, telegram_user_id=7, first_name="Siti",
                           text=f"m{number}", now=NOW + timedelta(seconds=number),
                           staff_chats=STAFF)
    with pytest.raises(handoff.TooManyFollowUps):
        await handoff.post(sessions, telegram_user_id=7, first_name="Siti", text="more",
                           now=NOW + timedelta(minutes=1), staff_chats=STAFF)


async def test_copies_are_noted_and_unreached_groups_dropped(sessions: Sessions) -> None:
    posted = await handoff.post(sessions, telegram_user_id=7, first_name="Siti", text="a",
                                now=NOW, staff_chats=STAFF)
    await handoff.record_copies(sessions, rows=posted.rows, copies=[(-200, 55)])
    found = await handoff.by_copy(sessions, chat_id=-200, message_id=55)
    assert found is not None and found.id == posted.ticket.id
    async with sessions.begin() as session:
        assert await queries.first_copies(session, posted.ticket.id) == {-200: 55}
        assert await queries.worker_messages_since(session, posted.ticket.id,
                                                   NOW - timedelta(minutes=1)) == 1


async def test_a_copy_never_noted_is_found_by_the_number_it_shows(sessions: Sessions) -> None:
    posted = await handoff.post(sessions, telegram_user_id=7, first_name="Siti", text="a",
                                now=NOW, staff_chats=STAFF)
    assert await handoff.by_copy(sessions, chat_id=-100, message_id=99) is None
    found = await handoff.by_copy(sessions, chat_id=-100, message_id=99,
                                  number_shown=posted.ticket.id)
    assert found is not None and found.id == posted.ticket.id


async def test_a_message_no_group_received_is_dropped(sessions: Sessions) -> None:
    first = await handoff.post(sessions, telegram_user_id=7, first_name="Siti", text="a",
                               now=NOW, staff_chats=STAFF)
    await handoff.record_copies(sessions, rows=first.rows, copies=[(-100, 1), (-200, 2)])
    second = await handoff.post(sessions, telegram_user_id=7, first_name="Siti", text="b",
                                now=NOW + timedelta(seconds=1), staff_chats=STAFF)
    await handoff.abandon(sessions, ticket_id=second.ticket.id, telegram_user_id=7,
                          now=NOW, rows=second.rows.values(), close=second.new)
    async with sessions.begin() as session:
        assert await queries.last_worker_text(session, first.ticket.id) == "a"
    ticket = await handoff.get(sessions, ticket_id=first.ticket.id)
    assert ticket.open  # a follow-up that reached no group leaves the ticket open


async def test_submit_posts_records_or_drops_in_one_sequence(sessions: Sessions) -> None:
    async def nowhere(posted: handoff.Posted) -> list[tuple[int, int]]:
        return []

    async def one_group(posted: handoff.Posted) -> list[tuple[int, int]]:
        assert set(posted.rows) == set(STAFF)  # recorded before it is posted
        return [(-100, 10 + posted.ticket.id)]

    lost = await handoff.submit(sessions, telegram_user_id=7, first_name="Siti", text="a",
                                now=NOW, staff_chats=STAFF, post_copies=nowhere)
    assert not lost.reached_staff and lost.posted.new
    assert not (await handoff.get(sessions, ticket_id=lost.posted.ticket.id)).open
    sent = await handoff.submit(sessions, telegram_user_id=7, first_name="Siti", text="b",
                                now=NOW, staff_chats=STAFF, post_copies=one_group)
    assert sent.reached_staff and sent.copies == [(-100, 10 + sent.posted.ticket.id)]
    found = await handoff.by_copy(sessions, chat_id=-100, message_id=10 + sent.posted.ticket.id)
    assert found is not None and found.id == sent.posted.ticket.id
    again = await handoff.submit(sessions, telegram_user_id=7, first_name="Siti", text="b",
                                 now=NOW, staff_chats=STAFF, post_copies=nowhere)
    assert again.posted.duplicate and again.reached_staff and again.copies == []
