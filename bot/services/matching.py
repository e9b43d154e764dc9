"""Matches a worker's free-text question to a knowledge-base entry.

Signals (``bot.services.tfidf``): TF-IDF over character n-grams (robust to typos and affixes)
and over words and word pairs, on text normalised by ``bot.services.normalize``; unknown words
are first corrected toward the knowledge base's vocabulary with rapidfuzz. An entry's score
mixes its best-matching phrasing with its whole set of phrasings (the "centroid"). A naive
Bayes classifier over the same features is a second opinion (``Thresholds.agreed``).

Guards run before ranking (word lists in locales/knowledge/lexicon.yaml, editable by staff):
- empty, numbers only or small talk -> "none" (reason small_talk); ``decide`` in
  ``bot.services.decision`` tells greetings from thanks before the matcher is asked;
- BPJS Kesehatan words (kesehatan, KIS, JKN, faskes, puskesmas, kelas 1/2/3...) with no
  work-accident word -> the beda_kesehatan entry (or berobat_sakit for everyday illness), so
  health questions get "this is BPJS Kesehatan's" and never JKK figures;
- another service (loans, bansos, prakerja, tax, THR...) with no BPJS Ketenagakerjaan word
  -> "none" (reason out_of_scope).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process

from bot.knowledge.loader import KnowledgeBase
from bot.services.normalize import (
    AMOUNT_TOKEN,
    Lexicon,
    content_tokens,
    default_lexicon,
    stem,
)
from bot.services.normalize import raw_tokens as lexicon_tokens
from bot.services.tfidf import EntryClassifier, TfidfView, char_ngrams, word_ngrams

Outcome = Literal["answer", "suggest", "none"]
HEALTH_ENTRY = "beda_kesehatan"
ILLNESS_ENTRY = "berobat_sakit"  # everyday illness: BPJS Kesehatan too
HEALTH_REDIRECTS = frozenset({HEALTH_ENTRY, ILLNESS_ENTRY})  # "see BPJS Kesehatan", no figures
CONTRIBUTION_ENTRY = "hitung_iuran"  # the calculator (bot.services.decision)



@dataclass(frozen=True)
class Thresholds:
    """When the ranked scores (cosines, 0..1) make an answer, "Maksud Anda ...?" or nothing.

    Chosen on the dev splits (tests/faq/eval/dev.yaml, dev2.yaml) with scripts/tune_matcher.py, see
    docs/BENCHMARK-matcher.md: a confident wrong answer costs most, so when unsure the bot
    shows candidates.
    """

    answer: float = 0.45  # answer with this score ...
    margin: float = 0.05  # ... and this lead over the runner-up
    sure: float = 0.62  # above this the runner-up does not matter
    # ... or with this score when the classifier (bot.services.tfidf) ranks the same entry
    # first, ``agreed_margin`` ahead of its runner-up: two views agreeing on a weaker match
    agreed: float = 0.35
    agreed_margin: float = 4.0  # log-likelihood units of the naive Bayes
    suggest: float = 0.22  # below: not understood
    spread: float = 0.6  # a candidate is shown when its score >= spread x the best score


MAX_CANDIDATES = 3
CHAR_WEIGHT = 0.6  # char n-grams vs words in a phrasing's similarity
BEST_WEIGHT = 0.5  # best phrasing vs all phrasings of the entry
FUZZY_CUTOFF = 82  # rapidfuzz ratio needed to correct an unknown word ...
FUZZY_TYPO = 88  # ... and for anything but dropped vowels ("tnggung", "daftr", "itung")
_DROPPABLE = frozenset("aiueoh")


@dataclass(frozen=True)
class MatchResult:
    """What the bot should do with a message: answer, offer candidates, or admit no match."""

    outcome: Outcome
    entry_id: str | None  # set when outcome == "answer"
    candidates: tuple[str, ...]  # up to 3 entry ids, best first ("suggest"; alternatives)
    confidence: float  # 0..1
    # ranked | ambiguous | low_score | small_talk | kesehatan | out_of_scope
    reason: str = "ranked"


class Matcher:
    """An index over one knowledge base; build a new one when the knowledge base reloads."""

    def __init__(
        self, kb: KnowledgeBase, lexicon: Lexicon, docs: list[str], doc_entry: np.ndarray
    ) -> None:
        self.kb = kb
        self.lexicon = lexicon
        self.entry_ids = tuple(entry.id for entry in kb.entries)
        self._starts = np.flatnonzero(np.r_[True, doc_entry[1:] != doc_entry[:-1]])
        bounds = [*self._starts.tolist(), len(docs)]
        groups = [" ".join(docs[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
        self._n_docs = len(docs)
        self._char = TfidfView(char_ngrams, docs + groups)  # 2 to 5 characters
        self._word = TfidfView(word_ngrams, docs + groups)  # words and word pairs
        self._classifier = EntryClassifier.fit(
            (self._char, self._word), (CHAR_WEIGHT, 1 - CHAR_WEIGHT), len(docs), doc_entry)
        self._vocab = sorted({w for d in docs for w in d.split()})
        self._vocabulary = frozenset(self._vocab)
        self._known = frozenset(self._vocab) | lexicon.stopwords
        self._corrections: dict[str, str] = {}
        self.thresholds = Thresholds()

    @classmethod
    def build(cls, kb: KnowledgeBase, lexicon: Lexicon | None = None,
              learned: Mapping[str, Sequence[str]] | None = None) -> Matcher:
        """``learned``: more phrasings per entry id (attached by staff from /pertanyaan);
        ids not in ``kb`` are ignored."""
        lexicon = lexicon or default_lexicon()
        learned = learned or {}
        docs: list[str] = []
        doc_entry: list[int] = []
        for index, entry in enumerate(kb.entries):
            for text in (*entry.questions, entry.title["id"], *learned.get(entry.id, ())):
                docs.append(" ".join(content_tokens(lexicon_tokens(text, lexicon), lexicon)))
                doc_entry.append(index)
        return cls(kb, lexicon, docs, np.asarray(doc_entry))

    def _correct(self, word: str) -> str:
        """Maps an unknown word onto the knowledge base's vocabulary, or leaves it alone."""
        if word in self._known or len(word) < 4 or not word.isalpha():
            return word
        if word not in self._corrections:
            if len(self._corrections) > 50_000:
                self._corrections.clear()
            self._corrections[word] = self._closest(word)
        return self._corrections[word]

    def _closest(self, word: str) -> str:
        # Javanese -e/-ne ("iurane", "carane") and Madurese -na ("iuranna") possessives
        for suffix in ("ne", "na", "e", "a"):
            if word.endswith(suffix) and word[: -len(suffix)] in self._known:
                return word[: -len(suffix)]
        for candidate, score, _ in process.extract(word, self._vocab, scorer=fuzz.ratio,
                                                   score_cutoff=FUZZY_CUTOFF, limit=3):
            if _abbreviates(word, candidate) or (
                    score >= FUZZY_TYPO and candidate[0] == word[0] and len(word) >= 6):
                return str(candidate)
        return word

    def knows(self, word: str) -> bool:
        """True when ``word`` (normalised, unstemmed) is in the knowledge base's phrasings."""
        return stem(word, self.lexicon.no_stem) in self._vocabulary

    def rank(self, text: str, limit: int | None = None) -> list[tuple[str, float]]:
        """Entries with their scores for ``text`` (no guards), best first."""
        words = content_tokens(lexicon_tokens(text, self.lexicon), self.lexicon)
        scores, _ = self._scores(words)
        return self._ranked(scores, limit)

    def _scores(self, words: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray | None]:
        """Per entry: the cosine score (0..1) and the classifier's score (None without one)."""
        text = " ".join(self._correct(w) for w in words)
        queries = (self._char.query(text), self._word.query(text))
        sims = (CHAR_WEIGHT * self._char.similarities(queries[0])
                + (1 - CHAR_WEIGHT) * self._word.similarities(queries[1]))
        best = np.maximum.reduceat(sims[: self._n_docs], self._starts)
        scores = BEST_WEIGHT * best + (1 - BEST_WEIGHT) * sims[self._n_docs:]
        votes = self._classifier.scores(queries) if self._classifier is not None else None
        return scores, votes

    def _ranked(self, scores: np.ndarray, limit: int | None) -> list[tuple[str, float]]:
        if limit is not None and limit < len(scores):
            top = np.argpartition(-scores, limit)[:limit]
            order = top[np.argsort(-scores[top], kind="stable")]
        else:
            order = np.argsort(-scores, kind="stable")
        return [(self.entry_ids[i], float(scores[i])) for i in order]

    def match(self, text: str) -> MatchResult:
        """Decides between a confident answer, up to 3 suggestions, or no match."""
        words = lexicon_tokens(text, self.lexicon)
        return self.match_tokens(words, content_tokens(words, self.lexicon))

    def match_tokens(self, words: tuple[str, ...], content: tuple[str, ...]) -> MatchResult:
        """``match`` on a message already normalised: its words (``raw_tokens``) and its
        content words (``content_tokens`` of those)."""
        lex = self.lexicon
        social = lex.small_talk | lex.greetings | lex.thanks | lex.stopwords
        if not any(w.isalpha() and w != AMOUNT_TOKEN for w in content) or set(words) <= social:
            return MatchResult("none", None, (), 0.0, "small_talk")
        present = set(words) | set(content)
        if present & lex.health and not present & lex.work_injury and HEALTH_ENTRY in self.kb:
            return self._health(content)
        if present & lex.other_services and not present & lex.domain:
            return MatchResult("none", None, (), 0.0, "out_of_scope")
        scores, votes = self._scores(content)
        return self._choose(scores, votes)

    def _health(self, content: tuple[str, ...]) -> MatchResult:
        """A BPJS Kesehatan question: the entry on the difference, or the one on everyday
        illness when it ranks higher ("sakit gula, berobat ke puskesmas pakai kartu bpjs tk?").
        Both say "BPJS Kesehatan, not us" and carry no figures; JKK's never come near."""
        scores, _ = self._scores(content)
        entry = HEALTH_ENTRY
        if ILLNESS_ENTRY in self.kb:
            index = {e: i for i, e in enumerate(self.entry_ids)}
            if scores[index[ILLNESS_ENTRY]] > scores[index[HEALTH_ENTRY]]:
                entry = ILLNESS_ENTRY
        return MatchResult("answer", entry, (entry,), 1.0, "kesehatan")

    def _choose(self, scores: np.ndarray, votes: np.ndarray | None) -> MatchResult:
        t = self.thresholds
        ranked = self._ranked(scores, MAX_CANDIDATES)
        (top_id, top), (_, second) = ranked[0], ranked[1]
        shown = tuple(i for i, s in ranked if s >= t.spread * top)
        confidence = round(min(max(top, 0.0), 1.0), 4)
        if top >= t.sure or (top >= t.answer and top - second >= t.margin):
            return MatchResult("answer", top_id, shown, confidence)
        if votes is not None and top >= t.agreed and self._agrees(votes, top_id):
            return MatchResult("answer", top_id, shown, confidence, "agreed")
        if top >= t.suggest:
            reason = "ambiguous" if top >= t.answer else "low_score"
            return MatchResult("suggest", None, shown, confidence, reason)
        return MatchResult("none", None, (), confidence, "low_score")

    def _agrees(self, votes: np.ndarray, top_id: str) -> bool:
        """True when the classifier ranks ``top_id`` first too, by ``agreed_margin``."""
        first, second = np.argsort(-votes)[:2]
        return bool(self.entry_ids[first] == top_id
                    and votes[first] - votes[second] >= self.thresholds.agreed_margin)


def _abbreviates(word: str, candidate: str) -> bool:
    """True when ``word`` is ``candidate`` without some of its vowels (or h): chat spelling
    ("tnggung", "kntor", "itung"). Not "angkut" for "bangkrut", "gudang" for "undang"."""
    rest = iter(candidate)
    for letter in word:
        for other in rest:
            if other == letter:
                break
            if other not in _DROPPABLE:
                return False
        else:
            return False
    return all(other in _DROPPABLE for other in rest)


def is_contribution_question(text: str, lexicon: Lexicon | None = None) -> bool:
    """True for "penghasilan 2 juta iurannya berapa": the message asks what to pay for an
    income. The rule lives in ``bot.services.decision`` (``decide`` applies it)."""
    from bot.services.decision import contribution_income  # decision builds on this module

    return contribution_income(text, lexicon or default_lexicon()) is not None
