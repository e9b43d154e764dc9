"""Matches a worker's free-text question to a knowledge-base entry.

Signals: TF-IDF over character n-grams (robust to typos and affixes) and over words and word
pairs, both from scikit-learn, on text normalised by ``bot.services.normalize``; unknown words
are first corrected toward the knowledge base's vocabulary with rapidfuzz. An entry's score
mixes its best-matching phrasing with its whole set of phrasings (the "centroid").

Guards run before ranking (word lists in locales/knowledge/lexicon.yaml, editable by staff):
- empty, numbers only or small talk ("halo", "makasih", "wkwk") -> "none" (reason small_talk):
  the handler greets or shows the menu, it never guesses an answer;
- BPJS Kesehatan words (kesehatan, KIS, JKN, faskes, puskesmas, kelas 1/2/3...) with no
  work-accident word -> the beda_kesehatan entry, so health questions get "this bot serves
  BPJS Ketenagakerjaan only" and never JKK figures;
- another service (loans, bansos, prakerja, tax, THR...) with no BPJS Ketenagakerjaan word
  -> "none" (reason out_of_scope).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.knowledge.faq import KnowledgeBase
from bot.services.amounts import parse_rupiah
from bot.services.normalize import AMOUNT_TOKEN, Lexicon, content_tokens, default_lexicon
from bot.services.normalize import raw_tokens as lexicon_tokens

Outcome = Literal["answer", "suggest", "none"]
HEALTH_ENTRY = "beda_kesehatan"
CONTRIBUTION_ENTRY = "hitung_iuran"  # an amount + "iuran/berapa": the calculator

# Thresholds, chosen on tests/faq/eval_set.yaml with scripts/bench_matcher.py --sweep (see
# docs/BENCHMARK-matcher.md): the score is in 0..1 (cosine similarities). ANSWER needs a score
# and a lead over the runner-up, so a message between two entries becomes "Maksud Anda...?";
# below SUGGEST the message is treated as not understood. SUGGEST was set as low as possible
# while keeping >= 90% of out-of-scope messages from being answered confidently.
ANSWER_SCORE = 0.40
ANSWER_MARGIN = 0.05
SURE_SCORE = 0.62  # above this the runner-up does not matter
SUGGEST_SCORE = 0.22
SUGGEST_SPREAD = 0.6  # a candidate is shown when its score >= SPREAD x the best score
MAX_CANDIDATES = 3
CHAR_WEIGHT = 0.6  # char n-grams vs words in a phrasing's similarity
BEST_WEIGHT = 0.6  # best phrasing vs all phrasings of the entry
FUZZY_CUTOFF = 82  # rapidfuzz ratio needed to correct an unknown word
MIN_INCOME_AMOUNT = Decimal(100_000)  # smaller amounts in a question are fees, not incomes
_CONTRIBUTION_WORDS = frozenset({"iuran", "bayar", "berapa", "biaya", "hitung", "tarif"})
_NOT_CONTRIBUTION = frozenset({"saldo", "klaim", "cair", "ambil", "potong", "slip", "pinjam"})


@dataclass(frozen=True)
class MatchResult:
    """What the bot should do with a message: answer, offer candidates, or admit no match."""

    outcome: Outcome
    entry_id: str | None  # set when outcome == "answer"
    candidates: tuple[str, ...]  # up to 3 entry ids, best first ("suggest"; alternatives)
    confidence: float  # 0..1
    # ranked | ambiguous | low_score | small_talk | kesehatan | out_of_scope | contribution
    reason: str = "ranked"


class _Index:
    """One TF-IDF view (fitted by scikit-learn) with its phrasings stored feature-major."""

    def __init__(self, vectorizer: TfidfVectorizer, texts: list[str]) -> None:
        self.by_feature = vectorizer.fit_transform(texts).T.tocsr()  # features x texts
        self.analyze = vectorizer.build_analyzer()
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.idf = vectorizer.idf_

    def similarities(self, query: str) -> np.ndarray:
        """Cosine of ``query`` with every text: the same weights as ``transform``, without
        scikit-learn's per-call input checks, and touching only the query's features."""
        counts: dict[int, int] = {}
        for feature in self.analyze(query):
            column = self.vocabulary.get(feature)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return np.zeros(self.by_feature.shape[1])
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        weights = (1 + np.log(np.fromiter(counts.values(), dtype=float))) * self.idf[columns]
        weights /= np.linalg.norm(weights)  # sublinear tf x idf, l2-normalised
        return np.asarray(self.by_feature[columns].T @ weights).ravel()


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
        self._char = _Index(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                            sublinear_tf=True, dtype=np.float32), docs + groups)
        self._word = _Index(TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2),
                                            sublinear_tf=True, dtype=np.float32), docs + groups)
        self._vocab = sorted({w for d in docs for w in d.split()})
        self._known = frozenset(self._vocab) | lexicon.stopwords
        self._corrections: dict[str, str] = {}

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
        best = process.extractOne(word, self._vocab, scorer=fuzz.ratio,
                                  score_cutoff=FUZZY_CUTOFF)
        return best[0] if best else word

    def rank(self, text: str, limit: int | None = None) -> list[tuple[str, float]]:
        """Entries with their scores for ``text`` (no guards), best first."""
        return self._rank(content_tokens(lexicon_tokens(text, self.lexicon), self.lexicon), limit)

    def _rank(self, words: tuple[str, ...], limit: int | None) -> list[tuple[str, float]]:
        query = " ".join(self._correct(w) for w in words)
        sims = (CHAR_WEIGHT * self._char.similarities(query)
                + (1 - CHAR_WEIGHT) * self._word.similarities(query))
        best = np.maximum.reduceat(sims[: self._n_docs], self._starts)
        scores = BEST_WEIGHT * best + (1 - BEST_WEIGHT) * sims[self._n_docs:]
        if limit is not None and limit < len(scores):
            top = np.argpartition(-scores, limit)[:limit]
            order = top[np.argsort(-scores[top], kind="stable")]
        else:
            order = np.argsort(-scores, kind="stable")
        return [(self.entry_ids[i], float(scores[i])) for i in order]

    def match(self, text: str) -> MatchResult:
        """Decides between a confident answer, up to 3 suggestions, or no match."""
        lex = self.lexicon
        words = lexicon_tokens(text, lex)
        content = content_tokens(words, lex)
        if (not any(w.isalpha() and w != AMOUNT_TOKEN for w in content)
                or set(words) <= lex.small_talk | lex.stopwords):
            return MatchResult("none", None, (), 0.0, "small_talk")
        if _asks_contribution(text, set(content), lex) and CONTRIBUTION_ENTRY in self.kb:
            return MatchResult("answer", CONTRIBUTION_ENTRY, (CONTRIBUTION_ENTRY,), 1.0,
                               "contribution")
        present = set(words) | set(content)
        if present & lex.health and not present & lex.work_injury and HEALTH_ENTRY in self.kb:
            return MatchResult("answer", HEALTH_ENTRY, (HEALTH_ENTRY,), 1.0, "kesehatan")
        if present & lex.other_services and not present & lex.domain:
            return MatchResult("none", None, (), 0.0, "out_of_scope")
        ranked = self._rank(content, MAX_CANDIDATES)
        (top_id, top), (_, second) = ranked[0], ranked[1]
        shown = tuple(i for i, s in ranked if s >= SUGGEST_SPREAD * top)
        confidence = round(min(max(top, 0.0), 1.0), 4)
        if top >= SURE_SCORE or (top >= ANSWER_SCORE and top - second >= ANSWER_MARGIN):
            return MatchResult("answer", top_id, shown, confidence)
        if top >= SUGGEST_SCORE:
            reason = "ambiguous" if top >= ANSWER_SCORE else "low_score"
            return MatchResult("suggest", None, shown, confidence, reason)
        return MatchResult("none", None, (), confidence, "low_score")


def amount_in(text: str) -> Decimal | None:
    """The first rupiah amount in ``text`` (a Decimal) or None; see ``parse_rupiah``."""
    return parse_rupiah(text)


def is_contribution_question(text: str, lexicon: Lexicon | None = None) -> bool:
    """True for "penghasilan 2 juta iurannya berapa": an amount plus words about paying.

    The handler then shows the calculator instead of a FAQ answer. Questions about a JHT
    balance, a claim or a wage deduction that mention an amount are not contribution questions.
    """
    lexicon = lexicon or default_lexicon()
    words = set(content_tokens(lexicon_tokens(text, lexicon), lexicon))
    return _asks_contribution(text, words, lexicon)


def _asks_contribution(text: str, words: set[str], lexicon: Lexicon) -> bool:
    if AMOUNT_TOKEN not in words or not words & _CONTRIBUTION_WORDS:
        return False
    blocked = _NOT_CONTRIBUTION | lexicon.health | lexicon.other_services
    amount = parse_rupiah(text)
    # "bayar 16.800 dapat apa" names a fee, not an income
    return amount is not None and amount >= MIN_INCOME_AMOUNT and not words & blocked
