"""The matcher's TF-IDF and naive Bayes, done in NumPy, give scikit-learn's numbers.

scikit-learn is no longer a dependency (it cost about 0,8 s of every start): where it is
still installed these tests compare the weights bit for bit; the small worked examples run
everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from bot.services.matching import CHAR_WEIGHT
from bot.services.tfidf import EntryClassifier, TfidfView, char_ngrams, word_ngrams

TEXTS = ["cara klaim jht", "jht cair sebagian", "iuran bpu berapa", "a", "",
         "kartu  kpj hilang", "klaim jkk kecelakaan kerja", "iuran iuran iuran"]


def test_char_ngrams_pad_words_and_count_a_short_word_once() -> None:
    assert char_ngrams("jht a") == [
        " j", "jh", "ht", "t ", " jh", "jht", "ht ", " jht", "jht ", " jht ", " a", "a ", " a "]


def test_word_ngrams_are_words_then_pairs() -> None:
    assert word_ngrams("Cara  klaim jht") == ["cara", "klaim", "jht", "cara klaim", "klaim jht"]


def test_rows_are_unit_length_and_the_query_matches_its_own_text() -> None:
    view = TfidfView(word_ngrams, TEXTS)
    norms = np.sqrt(np.bincount(view.rows(len(TEXTS))[0],
                                weights=view.rows(len(TEXTS))[2].astype(float) ** 2))
    assert np.allclose(norms[norms > 0], 1.0, atol=1e-6)
    sims = view.similarities(view.query("jht cair sebagian"))
    assert int(np.argmax(sims)) == 1 and sims[1] == pytest.approx(1.0, abs=1e-6)
    assert not view.similarities(view.query("tidak ada")).any()


def _sklearn_views(texts: list[str]) -> tuple[object, object]:
    text = pytest.importorskip("sklearn.feature_extraction.text")
    char = text.TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                dtype=np.float32)
    word = text.TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True,
                                dtype=np.float32)
    return char, word


def test_weights_are_scikit_learns() -> None:
    texts = ["apa itu bpjs ketenagakerjaan", "bpjs tk lembaga apa",
             "apa itu bpjs ketenagakerjaan bpjs tk lembaga apa", *TEXTS]
    for ours, vectorizer in zip((TfidfView(char_ngrams, texts), TfidfView(word_ngrams, texts)),
                                _sklearn_views(texts), strict=True):
        theirs = vectorizer.fit_transform(texts).tocoo()
        assert ours.vocabulary == vectorizer.vocabulary_
        assert np.array_equal(ours.idf, vectorizer.idf_)
        dense = np.zeros((len(texts), ours.n_features), dtype=np.float32)
        text_of, columns, data = ours.rows(len(texts))
        dense[text_of, columns] = data
        assert np.array_equal(dense, theirs.toarray())


def test_naive_bayes_is_scikit_learns() -> None:
    naive_bayes = pytest.importorskip("sklearn.naive_bayes")
    sparse = pytest.importorskip("scipy.sparse")
    texts = TEXTS[:3] + TEXTS[5:]
    labels = np.array([0, 0, 1, 2, 2, 1])
    views = (TfidfView(char_ngrams, texts), TfidfView(word_ngrams, texts))
    ours = EntryClassifier(views, (CHAR_WEIGHT, 1 - CHAR_WEIGHT), len(texts), labels)
    scales = [float(np.sqrt(w)) for w in (CHAR_WEIGHT, 1 - CHAR_WEIGHT)]
    blocks = []
    for view, scale in zip(views, scales, strict=True):
        text_of, columns, data = view.rows(len(texts))
        blocks.append(sparse.csr_matrix((data, (text_of, columns)),
                                        shape=(len(texts), view.n_features)) * scale)
    model = naive_bayes.MultinomialNB(alpha=0.01).fit(sparse.hstack(blocks).tocsr(), labels)
    weights = np.asarray(model.feature_log_prob_, dtype=np.float32)
    split = views[0].n_features
    assert np.array_equal(ours._parts[0], (weights[:, :split] * scales[0]).T)
    assert np.array_equal(ours._parts[1], (weights[:, split:] * scales[1]).T)
    assert np.array_equal(ours._prior, model.class_log_prior_)
