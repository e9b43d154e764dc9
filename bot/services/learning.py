"""Learning from staff (issue 13 §5).

An administrator attaches a question from /pertanyaan to the knowledge-base entry that answers
it, or marks it out of scope. Attached phrasings live in the database and join the matcher at
once (``with_learned`` rebuilds the running index); other instances pick them up at their next
/muatulang or start. A reviewer copies them into locales/knowledge/faq.yaml from
``python -m bot kb export-phrasings``: nothing is written into faq.yaml automatically.

A staff answer to a ticket can be saved as a draft entry for review; never published by itself.
NIK and phone numbers are masked before anything is stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import yaml

from bot.errors import DomainError
from bot.services.answering import FaqIndex
from bot.services.masking import mask_personal_numbers
from bot.services.matching import MAX_CANDIDATES, Matcher
from bot.services.questions_report import TOP_QUESTIONS, WINDOW_DAYS, normalise
from db import learning as queries
from db.session import Sessions

MAX_TEXT = 500
MASK = "[…]"


class UnknownQuestion(DomainError):
    """The question is gone (or the button was forged)."""


class UnknownEntry(DomainError):
    """No knowledge-base entry has this id."""


class UnknownReply(DomainError):
    """The message is not a staff answer delivered to a worker."""


class AlreadyDrafted(DomainError):
    """This staff answer was saved as a draft already."""

    def __init__(self, draft_id: int) -> None:
        super().__init__(draft_id)
        self.draft_id = draft_id


@dataclass(frozen=True)
class Phrasing:
    text: str
    entry_id: str | None  # None: out of scope
    created_by: int
    created_at: datetime

    @property
    def out_of_scope(self) -> bool:
        return self.entry_id is None


@dataclass(frozen=True)
class Draft:
    id: int
    question: str
    answer: str
    ticket_id: int | None
    created_by: int
    created_at: datetime


@dataclass(frozen=True)
class Candidates:
    question_id: int
    text: str  # masked
    entry_ids: tuple[str, ...]  # the matcher's best entries for the text, best first


@dataclass(frozen=True)
class OpenQuestion:
    question_id: int
    text: str  # masked
    disliked: bool  # answered but got a 👎 (else: not answered confidently)


def mask(text: str) -> str:
    """NIKs and phone numbers masked however written (bot.services.masking), whitespace
    collapsed."""
    return " ".join(mask_personal_numbers(text, MASK).split())[:MAX_TEXT]


def learned_by_entry(phrasings: Iterable[Phrasing]) -> dict[str, list[str]]:
    """Attached phrasings per entry id, without repeats (for ``Matcher.build``)."""
    grouped: dict[str, list[str]] = {}
    for phrasing in phrasings:
        if phrasing.entry_id is not None and phrasing.text not in grouped.get(
                phrasing.entry_id, ()):
            grouped.setdefault(phrasing.entry_id, []).append(phrasing.text)
    return grouped


def with_learned(index: FaqIndex, phrasings: Iterable[Phrasing]) -> FaqIndex:
    """A new index: the same knowledge base, its matcher rebuilt with the attached phrasings."""
    matcher = Matcher.build(index.kb, index.matcher.lexicon, learned_by_entry(phrasings))
    return replace(index, matcher=matcher)


async def phrasings(sessions: Sessions) -> list[Phrasing]:
    """Every attached phrasing and out-of-scope example, oldest first (also for the eval)."""
    async with sessions.begin() as session:
        rows = await queries.phrasings(session)
    return [Phrasing(r.text, None if r.out_of_scope else r.entry_id, r.created_by, r.created_at)
            for r in rows]


async def load_learned(sessions: Sessions, index: FaqIndex) -> FaqIndex:
    """The index with every phrasing in the database (at start and on /muatulang); the
    rebuild (about a second) runs in a thread, so the bot keeps answering meanwhile."""
    found = await phrasings(sessions)
    if not any(p.entry_id is not None for p in found):
        return index
    return await asyncio.to_thread(with_learned, index, found)


async def candidates(sessions: Sessions, index: FaqIndex, *, question_id: int) -> Candidates:
    """The question's text and the matcher's best entries for it, to choose from."""
    async with sessions.begin() as session:
        row = await queries.question(session, question_id)
        if row is None or row.text.startswith("["):  # "[entry]": a button press, not a text
            raise UnknownQuestion(question_id)
        text = mask(row.text)
    ranked = index.matcher.rank(text, MAX_CANDIDATES)
    return Candidates(question_id, text, tuple(entry_id for entry_id, _ in ranked))


async def attach(sessions: Sessions, index: FaqIndex, *, question_id: int,
                 entry_id: str | None, telegram_user_id: int, now: datetime) -> FaqIndex:
    """Stores the question as a phrasing of ``entry_id`` (None: out of scope) and returns the
    index rebuilt with every stored phrasing, for the caller to swap in."""
    if entry_id is not None and entry_id not in index.kb:
        raise UnknownEntry(entry_id)
    async with sessions.begin() as session:
        row = await queries.question(session, question_id)
        if row is None or row.text.startswith("["):
            raise UnknownQuestion(question_id)
        text = mask(row.text)
        if not text:
            raise UnknownQuestion(question_id)
        await queries.add_phrasing(session, text=text, entry_id=entry_id,
                                   question_id=question_id, created_by=telegram_user_id, now=now)
    return await load_learned(sessions, index)


async def save_draft(sessions: Sessions, *, chat_id: int, message_id: int,
                     telegram_user_id: int, now: datetime) -> int:
    """Saves the staff answer (the group message ``message_id``) and the worker's question
    before it as a draft entry; returns the draft's number."""
    async with sessions.begin() as session:
        existing = await queries.draft_for(session, chat_id, message_id)
        if existing is not None:
            raise AlreadyDrafted(existing.id)
        reply = await queries.staff_message(session, chat_id, message_id)
        if reply is None:
            raise UnknownReply(message_id)
        asked = await queries.worker_text_before(session, reply.ticket_id, reply.id) or ""
        return await queries.add_draft(
            session, question=mask(asked), answer=mask_personal_numbers(reply.text, MASK).strip(),
            ticket_id=reply.ticket_id,
            chat_id=chat_id, message_id=message_id, created_by=telegram_user_id, now=now)


async def drafts(sessions: Sessions) -> list[Draft]:
    async with sessions.begin() as session:
        rows = await queries.drafts(session)
    return [Draft(r.id, r.question, r.answer, r.ticket_id, r.created_by, r.created_at)
            for r in rows]


def export_yaml(phrasings: Iterable[Phrasing], drafts: Iterable[Draft] = ()) -> str:
    """YAML for a reviewer: phrasings grouped by entry id (to copy into the entry's
    ``questions`` in faq.yaml), the out-of-scope examples, and the drafts of new entries."""
    grouped = learned_by_entry(phrasings := list(phrasings))
    out_of_scope = list(dict.fromkeys(p.text for p in phrasings if p.out_of_scope))
    document: dict[str, Any] = {
        "phrasings": {entry_id: grouped[entry_id] for entry_id in sorted(grouped)},
        "out_of_scope": out_of_scope,
        "drafts": [{"id": d.id, "question": d.question, "answer": d.answer,
                    "ticket": d.ticket_id, "saved": d.created_at.date().isoformat()}
                   for d in drafts],
    }
    header = ("# Attached by staff from /pertanyaan and saved from ticket answers: REVIEW\n"
              "# before copying into locales/knowledge/faq.yaml (nothing is published by "
              "itself).\n")
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


async def open_questions(sessions: Sessions, *, now: datetime, days: int = WINDOW_DAYS,
                         limit: int = TOP_QUESTIONS) -> list[OpenQuestion]:
    """The questions /pertanyaan offers to attach: the most asked without a confident answer,
    then the newest with a 👎; those already attached or marked out of scope are left out."""
    since = now - timedelta(days=days)
    async with sessions.begin() as session:
        weak = await queries.weak_questions(session, since)
        disliked = await queries.disliked_questions(session, since, limit * 3)
        done = {normalise(text) for text in await queries.learned_texts(session)}
    totals: dict[str, int] = {}
    latest: dict[str, int] = {}
    for question_id, text, count in weak:
        key = normalise(mask(text))
        if key and key not in done:
            totals[key] = totals.get(key, 0) + count
            latest[key] = max(latest.get(key, 0), question_id)
    ranked = sorted(totals, key=lambda key: (-totals[key], key))[:limit]
    found = [OpenQuestion(latest[key], key, False) for key in ranked]
    seen = set(ranked) | done
    for question_id, text in disliked:
        key = normalise(mask(text))
        if key and key not in seen and len(found) < 2 * limit:
            seen.add(key)
            found.append(OpenQuestion(question_id, key, True))
    return found
