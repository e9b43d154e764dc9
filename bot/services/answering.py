"""Answering workers' questions: match against the knowledge base, log, take feedback."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.errors import DomainError
from bot.knowledge.loader import KnowledgeBase, load_knowledge
from bot.services import dialogue
from bot.services.decision import Decision, decide
from bot.services.matching import Matcher, MatchResult, is_contribution_question
from db import question_log as queries
from db.session import Sessions

logger = logging.getLogger(__name__)

MAX_LOGGED_TEXT = 500


class UnknownQuestion(DomainError):
    """Feedback for a question that does not exist or is someone else's."""


@dataclass(frozen=True)
class FaqIndex:
    """A knowledge base and its matcher; replaced whole when staff reload the file."""

    kb: KnowledgeBase
    matcher: Matcher


@dataclass(frozen=True)
class Answer:
    decision: Decision
    question_id: int | None  # None for small talk and the calculator: nothing to log

    @property
    def result(self) -> MatchResult:
        return self.decision.as_match()


def build_index(path: Path) -> FaqIndex:
    """Loads, validates and indexes the knowledge base; raises KnowledgeError when broken."""
    kb = load_knowledge(path)
    return FaqIndex(kb, Matcher.build(kb))


async def ask(
    sessions: Sessions, index: FaqIndex, *, telegram_user_id: int, text: str, now: datetime
) -> Answer:
    """Decides what to do with a message (``bot.services.decision.decide``) and logs the
    questions with the outcome, for feedback and staff reports. Greetings, thanks and
    contribution sums are not logged: there is nothing for staff to improve in them."""
    decision = decide(index.matcher, text)
    if decision.action in ("small_talk", "calculator"):
        logger.info("message action=%s", decision.action)
        return Answer(decision, None)
    result = decision.as_match()
    question_id = await log(sessions, telegram_user_id=telegram_user_id, text=text,
                            result=result, now=now)
    logger.info("question=%s outcome=%s entry=%s extra=%s confidence=%.2f reason=%s",
                question_id, result.outcome, result.entry_id, decision.extra,
                result.confidence, decision.reason)
    return Answer(decision, question_id)


async def ask_in_form(
    sessions: Sessions, index: FaqIndex, *, telegram_user_id: int, text: str, valid: bool,
    segment: str | None, now: datetime,
) -> Answer | None:
    """A question typed at a form's step instead of its answer ("bentar, ini bayarnya brp?"):
    what to reply, or None when the text is to be taken as the answer.

    ``valid``: the step would accept the text (see ``dialogue.question_in_form``). A
    "calculator" decision is not logged: the calculator replies to the text itself.
    """
    if not dialogue.could_be_form_question(text, valid=valid):
        return None
    decision = decide(index.matcher, text)
    asked = dialogue.question_in_form(
        text, decision.as_match(), valid=valid, contribution=is_contribution_question(text),
        segment=segment)
    if asked is None:
        return None
    if asked.calculator:
        return Answer(Decision("calculator", reason="form_question"), None)
    if asked.entry_id is not None and asked.entry_id in index.kb:
        decision = Decision("answer", entry_id=asked.entry_id, confidence=1.0,
                            reason="form_question")
    question_id = await log(sessions, telegram_user_id=telegram_user_id, text=text,
                            result=decision.as_match(), now=now)
    return Answer(decision, question_id)


async def log(
    sessions: Sessions, *, telegram_user_id: int, text: str, result: MatchResult, now: datetime
) -> int:
    async with sessions.begin() as session:
        return await queries.add_question(
            session, telegram_user_id, text[:MAX_LOGGED_TEXT], result.outcome, result.entry_id,
            result.confidence, now,
        )


async def log_shown(
    sessions: Sessions, *, telegram_user_id: int, entry_id: str, reason: str, now: datetime,
    text: str | None = None,
) -> int:
    """An entry given without matching a question, logged as a sure answer for feedback and
    reports: a button pressed (reason "button", text "[entry_id]"), or the calculator's sum
    for an income in the user's words (reason "contribution", their text)."""
    result = MatchResult("answer", entry_id, (entry_id,), 1.0, reason)
    return await log(sessions, telegram_user_id=telegram_user_id,
                     text=f"[{entry_id}]" if text is None else text, result=result, now=now)


async def give_feedback(
    sessions: Sessions, *, question_id: int, telegram_user_id: int, helpful: bool,
    now: datetime,
) -> None:
    async with sessions.begin() as session:
        row = await queries.question(session, question_id)
        if row is None or row.telegram_user_id != telegram_user_id:
            raise UnknownQuestion(question_id)
        await queries.set_feedback(session, question_id, helpful, now)
