import numpy as np
import pytest

from shiftmsa.data import generate_synthetic, read_corpus
from shiftmsa.data.synthetic import POLARITY, split_sizes


@pytest.fixture(scope="module")
def corpus():
    return generate_synthetic()


def test_defaults_sizes_dims_and_word_alignment(corpus):
    assert corpus.split_sizes() == {"train": 2000, "valid": 500, "test": 500}
    assert (corpus.acoustic_dim, corpus.visual_dim, corpus.word_aligned) == (16, 12, True)
    assert all(len(u.acoustic) == len(u.words) == len(u.visual) for u in corpus)
    assert all(-3 <= u.label <= 3 for u in corpus)
    assert split_sizes(10) == {"train": 7, "valid": 2, "test": 1}


def test_same_seed_same_data_other_seed_other_data():
    first, again, other = (generate_synthetic(60, seed=s) for s in (3, 3, 4))
    assert [u.words for u in first] == [u.words for u in again]
    assert all(np.array_equal(a.acoustic, b.acoustic) and a.label == b.label for a, b in zip(first, again))
    assert [u.words for u in first] != [u.words for u in other]


def test_read_corpus_synthetic_options():
    corpus = read_corpus("synthetic", n=30, seed=1, acoustic_dim=5, visual_dim=2)
    assert len(corpus) == 30 and (corpus.acoustic_dim, corpus.visual_dim) == (5, 2)


def design(utterances, vocabulary, with_cues):
    """Bag of words, plus (with_cues) the acoustic and visual rows summed with each word's polarity as weight."""
    index = {word: i for i, word in enumerate(vocabulary)}
    rows = []
    for u in utterances:
        bow = np.bincount([index[w] for w in u.words], minlength=len(vocabulary)).astype(np.float64)
        polarity = np.array([POLARITY.get(w, 0.0) for w in u.words])
        cues = polarity @ np.concatenate([u.acoustic, u.visual], axis=1)
        rows.append(np.concatenate([bow, cues]) if with_cues else bow)
    return np.stack(rows)


def ridge_test_mse(corpus, with_cues, penalty=1.0):
    vocabulary = sorted({w for u in corpus for w in u.words})
    train, test = corpus.splits["train"], corpus.splits["test"]
    x_train, x_test = design(train, vocabulary, with_cues), design(test, vocabulary, with_cues)
    y_train, y_test = np.array([u.label for u in train]), np.array([u.label for u in test])
    x_train, x_test = (np.column_stack([x, np.ones(len(x))]) for x in (x_train, x_test))
    weights = np.linalg.solve(x_train.T @ x_train + penalty * np.eye(x_train.shape[1]), x_train.T @ y_train)
    return float(np.mean((x_test @ weights - y_test) ** 2))


def test_cues_carry_label_information_words_alone_cannot(corpus):
    text_only, with_cues = ridge_test_mse(corpus, False), ridge_test_mse(corpus, True)
    assert with_cues < 0.6 * text_only, (with_cues, text_only)


def test_text_polarity_gives_the_sign_often_but_not_always(corpus):
    """Utterances without a flip cue keep the sign of their words; flipped ones do not."""
    text_sign = np.array([np.sign(sum(POLARITY.get(w, 0.0) for w in u.words)) for u in corpus])
    agreement = np.mean(text_sign == np.sign([u.label for u in corpus]))
    assert 0.5 < agreement < 0.9
