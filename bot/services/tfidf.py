"""The matcher's two signals over the knowledge base's phrasings, both from scikit-learn:

- ``TfidfView``: TF-IDF vectors (character n-grams, or words and word pairs) and the cosine of
  a query with every phrasing;
- ``EntryClassifier``: a linear SVM trained on the same vectors to tell the entries apart. It
  learns which words separate close entries ("cair" for jht_cair, "sebagian" for
  jht_sebagian) where the cosine weighs all shared words alike. The matcher uses it as a
  second opinion: when both rank the same entry first, a lower score is enough to answer.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

Query = tuple[np.ndarray, np.ndarray]  # feature columns, their l2-normalised weights
CLASSIFIER_C = 1.0  # LinearSVC regularisation (scripts/tune_matcher.py)
# Above this many entries the classifier is not trained (its dense weights would grow with
# entries x features, and its training with the square): the cosine alone decides.
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
    """A linear SVM over both views of the phrasings: one score per entry for a query."""

    def __init__(self, views: tuple[TfidfView, TfidfView], view_weights: tuple[float, float],
                 n_docs: int, labels: np.ndarray) -> None:
        scales = [float(np.sqrt(w)) for w in view_weights]
        features = hstack([view.rows(n_docs) * scale
                           for view, scale in zip(views, scales, strict=True)]).tocsr()
        model = LinearSVC(C=CLASSIFIER_C).fit(features, labels)
        coef = np.asarray(model.coef_, dtype=np.float32)
        if coef.shape[0] == 1:  # two entries: scikit-learn keeps one row for both
            coef = np.vstack([-coef, coef])
        split = views[0].by_feature.shape[0]
        self._parts = ((coef[:, :split] * scales[0]).T.copy(),
                       (coef[:, split:] * scales[1]).T.copy())  # features x entries
        intercept = np.asarray(model.intercept_, dtype=np.float32)
        self._intercept = np.r_[-intercept, intercept] if intercept.size == 1 else intercept

    @classmethod
    def fit(cls, views: tuple[TfidfView, TfidfView], view_weights: tuple[float, float],
            n_docs: int, labels: np.ndarray) -> EntryClassifier | None:
        """None when there are too few or too many entries for a classifier to help."""
        entries = len(np.unique(labels))
        if not 2 <= entries <= MAX_CLASSIFIER_ENTRIES:
            return None
        return cls(views, view_weights, n_docs, labels)

    def scores(self, queries: tuple[Query, Query]) -> np.ndarray:
        """The SVM's decision value for every entry (higher: more likely that entry)."""
        out = self._intercept.astype(float)
        for part, (columns, weights) in zip(self._parts, queries, strict=True):
            if len(columns):
                out = out + weights @ part[columns]
        return out
