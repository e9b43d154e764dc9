"""What to add to the knowledge base: the questions the bot could not answer well, and the
answers that workers found unhelpful (👎)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.masking import mask_personal_numbers
from db import questions_report as queries
from db.session import Sessions

WINDOW_DAYS = 30
TOP_QUESTIONS = 10
TOP_ANSWERS = 5
MAX_SHOWN = 200


@dataclass(frozen=True)
class AskedQuestion:
    # The most frequent spelling. Staff need the question, not the NIK or phone number a
    # worker typed into it: those are masked, however they were written.
    text: str
    count: int


@dataclass(frozen=True)
class DislikedAnswer:
    entry_id: str
    down: int
    total: int

    @property
    def share(self) -> float:
        return self.down / self.total if self.total else 0.0


@dataclass(frozen=True)
class QuestionsReport:
    days: int
    questions: tuple[AskedQuestion, ...]
    answers: tuple[DislikedAnswer, ...]

    @property
    def empty(self) -> bool:
        return not self.questions and not self.answers


def normalise(text: str) -> str:
    """The grouping key: case folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


def top_questions(rows: list[tuple[str, int]], limit: int) -> tuple[AskedQuestion, ...]:
    """Merges spellings of one question; the most asked first (ties by text)."""
    totals: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for typed, count in rows:
        # Masked before grouping: one question asked with different NIKs is one question.
        text = mask_personal_numbers(" ".join(typed.split()))
        key = normalise(text)
        if not key:
            continue
        totals[key] += count
        spellings.setdefault(key, Counter())[text] += count
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return tuple(AskedQuestion(_shown(_usual(spellings[key])), count) for key, count in ranked)


def _usual(spellings: Counter[str]) -> str:
    return min(spellings.items(), key=lambda item: (-item[1], item[0]))[0]


def _shown(masked: str) -> str:
    return masked if len(masked) <= MAX_SHOWN else masked[: MAX_SHOWN - 1] + "…"


async def report(sessions: Sessions, *, now: datetime, days: int = WINDOW_DAYS,
                 top: int = TOP_QUESTIONS, top_answers: int = TOP_ANSWERS) -> QuestionsReport:
    since = now - timedelta(days=days)
    async with sessions.begin() as session:
        texts = await queries.weak_question_texts(session, since)
        disliked = await queries.disliked_answers(session, since, top_answers)
    return QuestionsReport(
        days, top_questions(texts, top),
        tuple(DislikedAnswer(entry_id, down, total) for entry_id, down, total in disliked),
    )
