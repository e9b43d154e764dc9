"""Reading a message against what came just before it.

Two rules, both plain functions of the text and what the bot knows already:

- A **follow-up** ("kalau 2,5 juta?", "terus klaimnya gimana?", "kalo nelayan?") sent within
  a few minutes of an answer is short and opens with "kalau/terus/lalu/misal..." (or is only
  an amount or a period). It is read against the last answered entry: after a contribution
  answer an amount is counted again by the calculator; otherwise the programme (JKK, JKM,
  JHT, JP, JKP), the group (BPU, PU) and the subject (iuran, klaim, daftar...) of that entry,
  taken from its id and topic, are added where the message names none of its own, so
  "terus klaimnya gimana?" after "Apa itu JHT" is matched as "terus klaimnya gimana? (jht)".
  The last answer is the newest row of the question log (user, entry, time), so a restart or
  a second instance reads the same context; `/hapusdata` erases it with the log.
- A **question typed in the middle of a form** (``question_in_form``): a text that does not
  answer the step and looks like a question (a question word or "?" and an answer from the
  knowledge base, or a confident answer alone) is answered, and the form asks its step again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.knowledge.loader import KnowledgeBase
from bot.services.amounts import Income, find_income, period_in
from bot.services.matching import CONTRIBUTION_ENTRY, MatchResult
from bot.services.normalize import AMOUNT_TOKEN, Lexicon, content_tokens, raw_tokens
from db import question_log as queries
from db.session import Sessions

MAX_FOLLOW_UP_WORDS = 6  # longer messages say what they mean on their own
# First words that lean on the previous answer (after the lexicon: "kalo", "klo", "nek",
# "lek" become "kalau"; "trs" becomes "terus"; "gimana" becomes "bagaimana").
OPENERS = frozenset({"kalau", "terus", "lalu", "trus", "misal", "misalnya", "mon", "nah",
                     "lha", "jadi", "berarti", "bagaimana", "sama", "and", "what", "if"})
PROGRAMMES = frozenset({"jkk", "jkm", "jht", "jp", "jkp"})
GROUPS = frozenset({"bpu", "pu"})
SUBJECTS = frozenset({"iuran", "klaim", "daftar", "bayar", "manfaat", "syarat", "dokumen",
                      "cair", "saldo", "cek", "usia", "beasiswa", "hitung"})
# Entries after which an amount is an income to count again.
CALCULATOR_ENTRIES = frozenset({CONTRIBUTION_ENTRY, "iuran_bpu"})
# Words that only say the period of an income ("kalau seminggu?"), after the lexicon.
_PERIOD_WORDS = frozenset({"hari", "sehari", "harian", "minggu", "seminggu", "mingguan",
                           "bulan", "tahun", "setahun", "tahunan", "per"})
QUESTION_WORDS = frozenset({
    "apa", "apakah", "berapa", "bagaimana", "kapan", "dimana", "mana", "kemana", "siapa",
    "kenapa", "mengapa", "bisakah", "bolehkah", "gimana", "dhimma", "berempa", "bileh",
    "arapa", "what", "how", "when", "where", "why", "who", "which",
})
# A question about the cost while registering: "bayarnya brp?", "iurannya berapa?"
_COST_WORDS = frozenset({"iuran", "bayar", "biaya", "tarif"})
_NOT_COST = frozenset({"telat", "batas", "denda", "klaim", "saldo", "cair", "lama", "potong",
                       "tunggak", "kapan", "dimana", "cara"})
COST_ENTRIES = {"PU": "iuran_pu", "BPU": "iuran_bpu"}
CONFIDENT = 0.6  # a knowledge-base answer this sure is a question even without "?"


@dataclass(frozen=True)
class Previous:
    """The last answer the user got: its entry, that entry's topic, what they typed, when."""

    entry_id: str
    topic: str
    text: str
    asked_at: datetime


@dataclass(frozen=True)
class Reading:
    """How to take a message: ``text`` to match (with ``added`` context words), or, when
    ``income`` is set, the contribution for that income."""

    text: str
    income: Income | None = None
    added: tuple[str, ...] = ()


def context_words(entry_id: str, topic: str) -> dict[str, str]:
    """The programme, group and subject an entry is about, from its id and topic:
    "klaim_jht" -> {"programme": "jht", "subject": "klaim"}."""
    words = [*entry_id.split("_"), topic]
    found: dict[str, str] = {}
    for kind, vocabulary in (("programme", PROGRAMMES), ("group", GROUPS),
                             ("subject", SUBJECTS)):
        word = next((w for w in words if w in vocabulary), None)
        if word is not None:
            found[kind] = word
    return found


def _shape(text: str, lexicon: Lexicon | None) -> tuple[tuple[str, ...], set[str], bool]:
    """(raw words, content words, whether the message is only an amount and/or a period)."""
    raw = raw_tokens(text, lexicon)
    content = set(content_tokens(raw, lexicon))
    rest = content - {AMOUNT_TOKEN} - _PERIOD_WORDS - QUESTION_WORDS
    has_income = AMOUNT_TOKEN in content or period_in(text) is not None
    return raw, content, has_income and not rest


def could_follow_up(text: str, lexicon: Lexicon | None = None) -> bool:
    """Cheap test before looking up the last answer: short, and opens like a follow-up or is
    only an amount or a period."""
    if len(text) > 120:
        return False
    raw, _content, only_income = _shape(text, lexicon)
    return 0 < len(raw) <= MAX_FOLLOW_UP_WORDS and (raw[0] in OPENERS or only_income)


def read_follow_up(
    text: str, previous: Previous | None, *, now: datetime, window: timedelta,
    lexicon: Lexicon | None = None,
) -> Reading:
    """Reads ``text`` against the previous answer when it is a recent follow-up (see module)."""
    if (previous is None or window <= timedelta(0)
            or not timedelta(0) <= now - previous.asked_at <= window
            or not could_follow_up(text, lexicon)):
        return Reading(text)
    _raw, content, only_income = _shape(text, lexicon)
    if previous.entry_id in CALCULATOR_ENTRIES and only_income:
        income = find_income(text)
        period = period_in(text)
        if income is None and period is not None:  # "kalau seminggu?": the last amount
            before = find_income(previous.text)
            income = Income(before.amount, period) if before is not None else None
        if income is not None:
            return Reading(text, income=income)
    named = {"programme": PROGRAMMES, "group": GROUPS, "subject": SUBJECTS}
    added = tuple(word for kind, word in context_words(previous.entry_id, previous.topic).items()
                  if not content & named[kind])
    if not added:
        return Reading(text)
    return Reading(f"{text} ({' '.join(added)})", added=added)


async def read(
    sessions: Sessions, kb: KnowledgeBase, *, telegram_user_id: int, text: str, now: datetime,
    window: timedelta,
) -> Reading:
    """A message as the matcher should see it: read against the user's last answer when it is
    a follow-up. Looks the last answer up only for messages that could be one."""
    if window <= timedelta(0) or not could_follow_up(text):
        return Reading(text)
    async with sessions() as session:
        row = await queries.latest_question(session, telegram_user_id)
    previous = None
    if row is not None and row.entry_id is not None and row.entry_id in kb:
        previous = Previous(row.entry_id, kb.get(row.entry_id).topic, row.text, row.created_at)
    return read_follow_up(text, previous, now=now, window=window)


@dataclass(frozen=True)
class FormQuestion:
    """How to answer a question typed in the middle of a form: the calculator, one entry, or
    (neither set) the match result as it is (an answer or "Maksud Anda ...?")."""

    calculator: bool = False
    entry_id: str | None = None


def asks(text: str, lexicon: Lexicon | None = None) -> bool:
    """A question mark or a question word ("apa", "brp", "gimana", "piye"...)."""
    return "?" in text or bool(set(raw_tokens(text, lexicon)) & QUESTION_WORDS)


MAX_FORM_QUESTION_CHARS = 300  # longer texts are not a quick question between two answers


def could_be_form_question(text: str, *, valid: bool, lexicon: Lexicon | None = None) -> bool:
    """Cheap test before matching: short, and, for a text the step would accept, asking."""
    return len(text) <= MAX_FORM_QUESTION_CHARS and (not valid or asks(text, lexicon))


def question_in_form(
    text: str, result: MatchResult, *, valid: bool, contribution: bool,
    segment: str | None = None, lexicon: Lexicon | None = None,
) -> FormQuestion | None:
    """Whether a text typed at a form's step is a question to answer first, and how.

    ``valid``: the text would have been accepted as the step's answer. Then only a clear
    question (a question word or "?" and an answer from the knowledge base) interrupts the
    form. ``contribution``: an income with "iuran/berapa" (``is_contribution_question``).
    ``segment``: "PU" or "BPU" when the form knows it; a question about the cost
    ("bayarnya brp?") gets that group's contribution entry. None: take it as the answer.
    """
    if not could_be_form_question(text, valid=valid, lexicon=lexicon):
        return None
    question = asks(text, lexicon)
    if contribution and (question or not valid):
        return FormQuestion(calculator=True)
    content = set(content_tokens(raw_tokens(text, lexicon), lexicon))
    if ("berapa" in content and content & _COST_WORDS and not content & _NOT_COST
            and AMOUNT_TOKEN not in content):
        return FormQuestion(entry_id=COST_ENTRIES.get(segment or "BPU", COST_ENTRIES["BPU"]))
    if result.outcome == "answer" and (question or (
            not valid and result.confidence >= CONFIDENT)):
        return FormQuestion()
    if result.outcome == "suggest" and question and not valid:
        return FormQuestion()
    return None
