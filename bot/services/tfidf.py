"""The matcher's two signals over the knowledge base's phrasings, in plain NumPy:

- ``TfidfView``: TF-IDF vectors (character n-grams, or words and word pairs) and the cosine of
  a query with every phrasing;
- ``EntryClassifier``: multinomial naive Bayes over the same vectors, telling the entries
  apart by which features are typical of each ("cair" for jht_cair, "sebagian" for
  jht_sebagian) where the cosine weighs all shared words alike. The matcher uses it as a
  second opinion: when both rank the same entry first, a lower score is enough to answer.
  Naive Bayes trains in one pass over the phrasings (a linear SVM told the entries apart about
  as well on the dev split but trained in time growing with entries x phrasings: 0,7 s of
  CPU for 100 entries, against 0,03 s).

Both used to be scikit-learn's ``TfidfVectorizer`` (``analyzer="char_wb"`` or
``token_pattern=r"\\S+"``, ``sublinear_tf=True``, ``dtype=np.float32``, the default smoothed idf
and l2 norm) and ``MultinomialNB``. Importing scikit-learn and SciPy took about 0,8 s of every
start and some 50 MB of memory for a few hundred lines of arithmetic, so the same arithmetic
is done here, in the same order and precision: tests/faq/test_tfidf.py checks the weights
against scikit-learn's when it is installed (it is no longer a dependency).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Sequence

import numpy as np

Query = tuple[np.ndarray, np.ndarray]  # feature columns, their l2-normalised weights
Analyzer = Callable[[str], list[str]]
CLASSIFIER_ALPHA = 0.01  # naive Bayes smoothing (scripts/tune_matcher.py)
# Above this many entries no classifier is kept (its dense weights grow with entries x
# features: about 20 MB at 400 entries): the cosine alone decides.
MAX_CLASSIFIER_ENTRIES = 400
_TOKEN = re.compile(r"\S+")


def char_ngrams(text: str, low: int = 2, high: int = 5) -> list[str]:
    """Character n-grams inside words, each word padded with a space on both sides; a word
    shorter than n gives itself once (scikit-learn's ``char_wb`` analyzer)."""
    grams: list[str] = []
    append = grams.append
    for word in text.lower().split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size <= n:
                append(padded)
                break
            for offset in range(size - n + 1):
                append(padded[offset:offset + n])
    return grams


def word_ngrams(text: str) -> list[str]:
    """Words (runs of non-space) and pairs of neighbouring words."""
    words = _TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


class TfidfView:
    """TF-IDF over ``texts`` (sublinear tf x smoothed idf, rows l2-normalised, float32), stored
    feature-major for queries and text-major for the classifier."""

    def __init__(self, analyze: Analyzer, texts: Sequence[str]) -> None:
        self.analyze = analyze
        # Features numbered as first seen, renumbered in sorted order below; the counts go
        # straight into arrays (no dict of strings per text: what start-up frees mostly stays
        # with the process).
        seen: dict[str, int] = {}
        sizes = array("q")
        first_columns = array("q")
        tf = array("f")
        for text in texts:
            counts: dict[int, int] = {}
            for feature in analyze(text):
                column = seen.get(feature)
                if column is None:
                    column = seen[feature] = len(seen)
                counts[column] = counts.get(column, 0) + 1
            sizes.append(len(counts))
            first_columns.extend(counts)
            tf.extend(counts.values())
        self.n_features = len(seen)
        renumber = np.empty(self.n_features, dtype=np.int64)
        self.vocabulary: dict[str, int] = {}
        for column, feature in enumerate(sorted(seen)):
            renumber[seen[feature]] = column
            self.vocabulary[feature] = column
        del seen
        self._n_texts = len(texts)
        text_of = np.repeat(np.arange(len(texts), dtype=np.int32), np.frombuffer(sizes, np.int64))
        columns = renumber[np.frombuffer(first_columns, dtype=np.int64)]
        del renumber, first_columns
        df = np.bincount(columns, minlength=self.n_features).astype(np.float32) + 1
        self.idf = np.log(np.float32(len(texts) + 1) / df) + np.float32(1)
        data = (np.log(np.frombuffer(tf, dtype=np.float32)) + np.float32(1)) * self.idf[columns]
        norms = np.sqrt(np.bincount(text_of, weights=(data * data).astype(np.float64),
                                    minlength=len(texts)))
        norms[norms == 0] = 1.0
        data = (data / norms[text_of]).astype(np.float32)
        order = np.lexsort((text_of, columns))  # by feature, then text
        self._indptr = np.r_[0, np.cumsum(np.bincount(columns, minlength=self.n_features))]
        self._lengths = np.diff(self._indptr)
        self._indices = text_of[order]
        self._data = data[order].astype(np.float64)

    def query(self, text: str) -> Query:
        """The query's features, weighted as the texts' are."""
        counts: dict[int, int] = {}
        for feature in self.analyze(text):
            column = self.vocabulary.get(feature)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        weights = (1 + np.log(np.fromiter(counts.values(), dtype=float))) * self.idf[columns]
        return columns, weights / np.linalg.norm(weights)

    def similarities(self, query: Query) -> np.ndarray:
        """Cosine of the query with every text, touching only the query's features."""
        columns, weights = query
        if not len(columns):
            return np.zeros(self._n_texts)
        starts, lengths = self._indptr[columns], self._lengths[columns]
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        positions = offsets + np.arange(int(lengths.sum()))
        return np.bincount(self._indices[positions], minlength=self._n_texts,
                           weights=self._data[positions] * np.repeat(weights, lengths))

    def rows(self, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The first ``count`` texts' nonzero weights: (text, column, weight) arrays, by
        column then text."""
        columns = np.repeat(np.arange(self.n_features, dtype=np.int64), self._lengths)
        keep = self._indices < count
        return (self._indices[keep], columns[keep],
                self._data[keep].astype(np.float32))  # exact: the weights are float32


class EntryClassifier:
    """Naive Bayes over both views of the phrasings: one score per entry for a query."""

    def __init__(self, views: tuple[TfidfView, TfidfView], view_weights: tuple[float, float],
                 n_docs: int, labels: np.ndarray) -> None:
        scales = [float(np.sqrt(w)) for w in view_weights]
        classes, label_of = np.unique(labels, return_inverse=True)
        n_classes = len(classes)
        n_features = sum(view.n_features for view in views)
        cells, weights_in = [], []
        offset = 0
        for view, scale in zip(views, scales, strict=True):
            text_of, columns, data = view.rows(n_docs)
            cells.append(label_of[text_of].astype(np.int64) * n_features + offset + columns)
            weights_in.append((data * scale).astype(np.float32).astype(np.float64))
            offset += view.n_features
        # The smoothed counts, dense (entries x features, float64 as scikit-learn's); the
        # log-probabilities are then made a view at a time to keep the peak low: memory
        # freed after start-up mostly stays with the process.
        counts = np.bincount(np.concatenate(cells), weights=np.concatenate(weights_in),
                             minlength=n_classes * n_features).reshape(n_classes, n_features)
        del cells, weights_in
        np.add(counts, CLASSIFIER_ALPHA, out=counts)
        log_totals = np.log(counts.sum(axis=1)).reshape(-1, 1)
        parts = []
        offset = 0
        for view, scale in zip(views, scales, strict=True):
            block = np.log(counts[:, offset:offset + view.n_features])
            block -= log_totals
            weights = block.astype(np.float32)
            del block
            weights *= np.float32(scale)
            parts.append(np.ascontiguousarray(weights.T))  # features x entries
            del weights
            offset += view.n_features
        self._parts = (parts[0], parts[1])
        per_class = np.bincount(label_of, minlength=n_classes).astype(np.float64)
        self._prior: np.ndarray = np.log(per_class) - np.log(per_class.sum())

    @classmethod
    def fit(cls, views: tuple[TfidfView, TfidfView], view_weights: tuple[float, float],
            n_docs: int, labels: np.ndarray) -> EntryClassifier | None:
        """None when there are too few or too many entries for a classifier to help."""
        if not 2 <= len(np.unique(labels)) <= MAX_CLASSIFIER_ENTRIES:
            return None
        return cls(views, view_weights, n_docs, labels)

    def scores(self, queries: tuple[Query, Query]) -> np.ndarray:
        """Per entry, the log-likelihood of the query's weighted features (higher: likelier)."""
        out = self._prior.copy()
        for part, (columns, weights) in zip(self._parts, queries, strict=True):
            if len(columns):
                out += weights @ part[columns]
        return out
