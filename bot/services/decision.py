"""What the bot does with a worker's free-text message: one decision, used by the handler and
by the evaluation (``python -m bot kb eval``), so that what is measured is what workers get.

``decide(matcher, text)`` returns a ``Decision`` whose ``action`` is:

- ``small_talk``: a greeting ("halo min", "sugeng enjing") or thanks / acknowledgement
  ("ok makasih mas", "siap", "sakalangkong"): a short friendly reply, never the apology;
- ``calculator``: the message asks what to pay for an income ("gaji 2 juta iurannya
  berapa"). An amount alone is not enough: "santunan 42 juta masih cair kalau nunggak?" is
  a question for the knowledge base, the amount only context;
- ``answer``: one entry, confidently; ``extra`` is the entry of a second question in the
  same message ("JHT-nya bisa cair? terus keluarga dapat apa?"), offered as a button;
- ``suggest``: "Maksud Anda ...?" with up to 3 candidates, when the matcher is unsure;
- ``none``: not understood, or another service (loans, bansos, CPNS...).

Pure: no Telegram, no database, no clock. Word lists live in locales/knowledge/lexicon.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bot.services.amounts import iter_amounts
from bot.services.matching import CONTRIBUTION_ENTRY, Matcher, MatchResult, Outcome
from bot.services.normalize import AMOUNT_TOKEN, Lexicon, content_tokens, raw_tokens

Action = Literal["small_talk", "calculator", "answer", "suggest", "none"]
SmallTalk = Literal["greeting", "thanks"]

# Emoji-only messages that mean "thanks / ok"
_THANKS_EMOJI = frozenset("🙏👍👌🙂😊😁🤝💪✅")
# A greeting or thanks may carry one word we do not know ("makasih bnyk ya mas") when the
# message is this short; a word of the knowledge base's vocabulary makes it a question.
SMALL_TALK_MAX_WORDS = 7

# The calculator: words after normalisation (lexicon.yaml, stemming)
INCOME_MIN = Decimal(100_000)  # a monthly income; smaller amounts are fees ("bayar 16.800")
DAILY_INCOME_MIN = Decimal(10_000)  # with "sehari"/"seminggu": a daily or weekly income
NO_AMOUNT = Decimal(0)  # asks for the contribution of an income it gives unreadably
_PAY = frozenset({"iuran", "bayar", "setor", "biaya", "tarif"})
_HOW_MUCH = frozenset({"berapa"})
_COMPUTE = frozenset({"hitung"})
_INCOME = frozenset({"gaji", "penghasilan", "upah", "hasil", "omzet", "untung", "bersih",
                     "panen", "narik", "laku"})
_PER_DAY = frozenset({"sehari", "harian", "hari", "seminggu", "minggu", "mingguan"})
# Words that make an amount context for another question (a benefit, a claim, arrears, an
# employer's deduction), not the income to compute a contribution for.
_NOT_CONTRIBUTION = frozenset({
    "saldo", "klaim", "cair", "ambil", "potong", "slip", "pinjam", "santunan", "manfaat",
    "meninggal", "tanggung", "tunggak", "telat", "denda", "pensiun", "perusahaan", "pu",
    "kecelakaan", "rs", "beasiswa", "jkp", "jp", "phk", "undur",
})
MAX_CLAUSES = 3  # clauses of one message matched on their own (each costs a match)
_SURE = frozenset({"ranked", "kesehatan"})  # a clause's answer on its own score, not "agreed"
_CLAUSE = re.compile(r"[?!.;\n]+|,\s*(?=(?:terus|trus|trs|lalu|sama|dan|karo|juga|lan|"
                     r"sekalian|kemudian|habis itu|abis itu|teros)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Decision:
    """What the bot will do with one message."""

    action: Action
    entry_id: str | None = None  # "answer"; "calculator": the calculator's entry
    candidates: tuple[str, ...] = ()  # "suggest": up to 3 entry ids, best first
    extra: str | None = None  # "answer": a second question's entry, offered as a button
    small_talk: SmallTalk | None = None  # "small_talk": which reply
    amount: Decimal | None = None  # "calculator": the income found in the message
    confidence: float = 0.0  # 0..1
    reason: str = "ranked"  # why, for logs and the evaluation

    @property
    def confident(self) -> bool:
        """True when the bot shows one entry as the answer (or computes the contribution)."""
        return self.action in ("answer", "calculator") and self.entry_id is not None

    @property
    def shown(self) -> tuple[str, ...]:
        """Every entry the worker can reach from the reply: the answer and its extra
        question's button, or the candidates of "Maksud Anda ...?"."""
        if self.confident and self.entry_id:
            return (self.entry_id, *((self.extra,) if self.extra else ()))
        return self.candidates if self.action == "suggest" else ()

    def as_match(self) -> MatchResult:
        """The decision as the question log stores it (outcome answer / suggest / none)."""
        outcome: Outcome = ("answer" if self.confident else
                   "suggest" if self.action == "suggest" else "none")
        return MatchResult(outcome, self.entry_id if outcome == "answer" else None,
                           self.shown, self.confidence, self.reason)


def decide(matcher: Matcher, text: str) -> Decision:
    """Reads one message and says what the bot will do with it (see the module docstring)."""
    words = raw_tokens(text, matcher.lexicon)
    small_talk = small_talk_kind(matcher, text, words)
    if small_talk is not None:
        return Decision("small_talk", small_talk=small_talk, reason="small_talk")
    content = content_tokens(words, matcher.lexicon)
    contribution = _contribution(matcher, text, content)
    if contribution is not None:
        return contribution
    result = matcher.match_tokens(words, content)
    if result.outcome == "answer" and result.entry_id:
        return Decision("answer", entry_id=result.entry_id, candidates=result.candidates,
                        extra=_second_question(matcher, text, result),
                        confidence=result.confidence, reason=result.reason)
    if result.outcome == "suggest":
        return Decision("suggest", candidates=result.candidates, confidence=result.confidence,
                        reason=result.reason)
    return Decision("none", confidence=result.confidence, reason=result.reason)


def small_talk_kind(matcher: Matcher, text: str,
                    words: tuple[str, ...] | None = None) -> SmallTalk | None:
    """"greeting" or "thanks" for a message that is only that, else None; ``words`` are
    its ``raw_tokens`` when the caller has them already."""
    lex = matcher.lexicon
    words = raw_tokens(text, lex) if words is None else words
    if not words:
        stripped = {ch for ch in text if not ch.isspace() and ch not in "\ufe0f!.,"}
        return "thanks" if stripped and stripped <= _THANKS_EMOJI else None
    social = lex.greetings | lex.thanks
    if len(words) > SMALL_TALK_MAX_WORDS:
        return None
    if not any(w in social for w in words):  # "kamu siapa", "apa kabar": a hello will do
        fillers = lex.small_talk | lex.stopwords
        return "greeting" if any(w.isalpha() and w in lex.small_talk for w in words) and all(
            w in fillers for w in words) else None
    other = [w for w in words if w not in social | lex.small_talk | lex.stopwords]
    if len(other) > 1 or any(w == AMOUNT_TOKEN or not w.isalpha() or matcher.knows(w)
                             for w in other):
        return None
    return "thanks" if any(w in lex.thanks for w in words) else "greeting"


def _contribution(matcher: Matcher, text: str, content: tuple[str, ...]) -> Decision | None:
    if CONTRIBUTION_ENTRY not in matcher.kb:
        return None
    found = contribution_income(text, matcher.lexicon, content)
    if found is None:
        return None
    if found == NO_AMOUNT:  # "iuranku piro, sehari oleh 120an": how it is computed
        return Decision("answer", entry_id=CONTRIBUTION_ENTRY, confidence=1.0,
                        reason="contribution_no_amount")
    return Decision("calculator", entry_id=CONTRIBUTION_ENTRY, amount=found, confidence=1.0,
                    reason="contribution")


def contribution_income(text: str, lexicon: Lexicon,
                        content: tuple[str, ...] | None = None) -> Decimal | None:
    """The income to compute a contribution for, when ``text`` asks what to pay for it;
    ``NO_AMOUNT`` when it asks that about an income it gives in a form we cannot read;
    None when it asks something else (an amount may be context: a benefit, arrears).
    ``content`` are the message's content words when the caller has them already."""
    words = set(content_tokens(raw_tokens(text, lexicon), lexicon) if content is None
                else content)
    if not words & (_PAY | _HOW_MUCH | _COMPUTE) or words & (
            _NOT_CONTRIBUTION | lexicon.health | lexicon.other_services):
        return None
    floor = DAILY_INCOME_MIN if words & _PER_DAY else INCOME_MIN
    amount = next((m.value for m in iter_amounts(text) if m.value >= floor), None)
    asks_to_pay = bool(words & _COMPUTE) or bool(words & _PAY and words & _HOW_MUCH)
    if amount is not None:
        rest = words - _HOW_MUCH - _INCOME - _PER_DAY - {AMOUNT_TOKEN, "bulan", "kalau"}
        return amount if asks_to_pay or (words & _HOW_MUCH and len(rest) <= 1) else None
    return NO_AMOUNT if asks_to_pay and words & (_INCOME | _PER_DAY) else None


def _second_question(matcher: Matcher, text: str, main: MatchResult) -> str | None:
    """The entry of a second question in the message: a clause of it (split at "?", ".",
    ", terus" ...) answered by another entry than the main one, on its score alone."""
    clauses = [c for c in _CLAUSE.split(text) if c and len(c.split()) >= 3]
    if len(clauses) < 2:
        return None
    # a long story has many clauses: its questions are mostly in the last ones
    clauses = clauses[-MAX_CLAUSES:]
    best: tuple[float, str] | None = None
    for clause in clauses:
        result = matcher.match(clause)
        if (result.outcome == "answer" and result.entry_id and result.reason in _SURE
                and result.entry_id != main.entry_id
                and (best is None or result.confidence > best[0])):
            best = (result.confidence, result.entry_id)
    return best[1] if best else None
