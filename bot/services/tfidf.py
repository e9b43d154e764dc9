"""The matcher's two signals over the knowledge base's phrasings, both from scikit-learn:

- ``TfidfView``: TF-IDF vectors (character n-grams, or words and word pairs) and the cosine of
  a query with every phrasing;
- ``EntryClassifier``: multinomial naive Bayes over the same vectors, telling the entries
  apart by which features are typical of each ("cair" for jht_cair, "sebagian" for
  jht_sebagian) where the cosine weighs all shared words alike. The matcher uses it as a
  second opinion: when both rank the same entry first, a lower score is enough to answer.
  Naive Bayes trains in one pass over the phrasings (a linear SVM told the entries apart about
  as well on the dev split but trained in time growing with entries x phrasings: 0,7 s of
  CPU for 100 entries, against 0,03 s).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB

Query = tuple[np.ndarray, np.ndarray]  # feature columns, their l2-normalised weights
CLASSIFIER_ALPHA = 0.01  # naive Bayes smoothing (scripts/tune_matcher.py)
# Above this many entries no classifier is kept (its dense weights grow with entries x
# features: about 20 MB at 400 entries): the cosine alone decides.
MAX_CLASSIFIER_ENTRIES = 400


class TfidfView:
    """One TF-IDF view (fitted by scikit-learn) with its texts stored feature-major."""

    def __init__(self, vectorizer: TfidfVectorizer, texts: list[str]) -> None:
        self.by_feature = vectorizer.fit_transform(texts).T.tocsr()  # features x texts
        self._n_texts = self.by_feature.shape[1]
        self._indptr = self.by_feature.indptr.astype(np.int64)
        self._lengths = np.diff(self._indptr)
        self._indices = self.by_feature.indices
        self._data = self.by_feature.data.astype(np.float64)
        self.analyze = vectorizer.build_analyzer()
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.idf = vectorizer.idf_

    def query(self, text: str) -> Query:
        """The query's features: the same weights as ``transform`` (sublinear tf x idf,
        l2-normalised), without scikit-learn's per-call input checks."""
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
        # The query's rows of the CSR matrix, gathered with numpy: scipy's fancy row
        # indexing costs more than the product itself for a query of a few dozen features.
        starts, lengths = self._indptr[columns], self._lengths[columns]
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        positions = offsets + np.arange(int(lengths.sum()))
        return np.bincount(self._indices[positions], minlength=self._n_texts,
                           weights=self._data[positions] * np.repeat(weights, lengths))

    def rows(self, count: int) -> csr_matrix:
        """The first ``count`` texts as rows (texts x features)."""
        return self.by_feature.T.tocsr()[:count]


class EntryClassifier:
    """Naive Bayes over both views of the phrasings: one score per entry for a query."""

    def __init__(self, views: tuple[TfidfView, TfidfView], view_weights: tuple[float, float],
                 n_docs: int, labels: np.ndarray) -> None:
        scales = [float(np.sqrt(w)) for w in view_weights]
        features = hstack([view.rows(n_docs) * scale
                           for view, scale in zip(views, scales, strict=True)]).tocsr()
        model = MultinomialNB(alpha=CLASSIFIER_ALPHA).fit(features, labels)
        weights = np.asarray(model.feature_log_prob_, dtype=np.float32)  # entries x features
        split = views[0].by_feature.shape[0]
        self._parts = ((weights[:, :split] * scales[0]).T.copy(),
                       (weights[:, split:] * scales[1]).T.copy())  # features x entries
        self._prior = np.asarray(model.class_log_prior_, dtype=float)

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
