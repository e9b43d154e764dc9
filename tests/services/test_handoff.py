"""Handoff rules on a real SQLite file: whose question, which ticket a message joins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services import conversations, handoff
from db.models import QuestionLog
from db.session import Sessions

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_handoff_button_only_for_ones_own_question(sessions: Sessions) -> None:
    async with sessions.begin() as session:
        row = QuestionLog(telegram_user_id=7, text="saldo jht", outcome="none", entry_id=None,
                          confidence=0.1, created_at=NOW)
        session.add(row)
    assert await handoff.question_of(sessions, question_id=row.id, telegram_user_id=7) \
        == "saldo jht"
    with pytest.raises(handoff.NotYourQuestion):
        await handoff.question_of(sessions, question_id=row.id, telegram_user_id=8)


async def test_follow_ups_join_the_open_ticket_until_the_window_ends(sessions: Sessions) -> None:
    first = await handoff.post(sessions, telegram_user_id=7, first_name="Siti", text="a", now=NOW)
    again = await handoff.post(sessions, telegram_user_id=7, first_name="Siti", text="b",
                               now=NOW + timedelta(hours=23))
    assert first.new and not again.new and again.ticket.id == first.ticket.id
    later = await handoff.post(sessions, telegram_user_id=7, first_name="Siti", text="c",
                               now=NOW + timedelta(hours=48))
    assert later.new and later.ticket.id != first.ticket.id


async def test_the_thread_outlives_the_form_timeout_but_not_the_window(
        sessions: Sessions) -> None:
    await handoff.post(sessions, telegram_user_id=7, first_name="Siti", text="a", now=NOW)
    half_hour = timedelta(minutes=30)
    state = await conversations.current(sessions, chat_id=7, user_id=7,
                                        now=NOW + timedelta(hours=5), idle=half_hour)
    assert state is not None and state.flow == "handoff" and not state.expired
    assert await conversations.expire_idle(sessions, now=NOW + timedelta(hours=5),
                                           idle=half_hour) == []
    assert await conversations.expire_idle(sessions, now=NOW + timedelta(hours=25),
                                           idle=half_hour) == [(7, 7, "handoff")]


async def test_a_staff_answer_does_not_replace_an_open_form(sessions: Sessions) -> None:
    posted = await handoff.post(sessions, telegram_user_id=7, first_name="Siti", text="a",
                                now=NOW)
    await conversations.save(sessions, chat_id=7, user_id=7, now=NOW,
                             state=conversations.FlowState("register", "nik", {}))
    await handoff.record_staff_reply(sessions, ticket_id=posted.ticket.id, text="b",
                                     chat_id=-5, message_id=9, author_id=3, now=NOW)
    state = await conversations.current(sessions, chat_id=7, user_id=7, now=NOW,
                                        idle=timedelta(minutes=30))
    assert state is not None and state.flow == "register"
