"""A question typed in the middle of the registration form (bot.services.answering.ask_in_form)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.services import answering
from bot.settings import Settings
from db.models import QuestionLog
from db.session import Sessions

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def index() -> answering.FaqIndex:
    return answering.build_index(Settings.model_fields["knowledge_path"].default)


async def logged(sessions: Sessions) -> list[tuple[str, str | None]]:
    async with sessions() as session:
        rows = await session.scalars(select(QuestionLog).order_by(QuestionLog.id))
        return [(row.text, row.entry_id) for row in rows]


async def test_a_cost_question_gets_the_forms_group_and_is_logged(
        sessions: Sessions, index: answering.FaqIndex) -> None:
    answer = await answering.ask_in_form(sessions, index, telegram_user_id=5,
                                   text="bentar, ini nanti bayarnya brp?", valid=False,
                                   segment="PU", now=NOW)
    assert answer is not None and answer.decision.entry_id == "iuran_pu"
    assert answer.question_id is not None
    assert await logged(sessions) == [("bentar, ini nanti bayarnya brp?", "iuran_pu")]


async def test_an_income_question_goes_to_the_calculator_unlogged(
        sessions: Sessions, index: answering.FaqIndex) -> None:
    answer = await answering.ask_in_form(sessions, index, telegram_user_id=5,
                                   text="penghasilan 2 juta iurannya berapa?", valid=False,
                                   segment="BPU", now=NOW)
    assert answer is not None and answer.decision.action == "calculator"
    assert answer.question_id is None and await logged(sessions) == []


async def test_an_answer_is_taken_as_the_answer(sessions: Sessions,
                                                index: answering.FaqIndex) -> None:
    for text, valid in (("Siti Aminah", True), ("0812", False)):
        assert await answering.ask_in_form(sessions, index, telegram_user_id=5, text=text,
                                     valid=valid, segment="BPU", now=NOW) is None
    assert await logged(sessions) == []
