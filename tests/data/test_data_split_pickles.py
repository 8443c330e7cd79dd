"""MISA's and MMIM's split-pickle folders (train.pkl / dev.pkl / test.pkl), written here in their
exact layouts with numpy's current and legacy (``numpy.core``) pickle globals."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from shiftmsa.data import read_corpus
from shiftmsa.data.contract import DataError
from shiftmsa.data.reading import detect_format

WORDS = {"train": [["it", "was", "great"], ["not", "good"]], "dev": [["fine"]], "test": [["really", "bad", "movie"]]}
LABELS = {"train": [2.2, -1.0], "dev": [0.0], "test": [-2.4]}


def dump(path: Path, samples: list, legacy_numpy: bool) -> None:
    """Protocol 3 (the python-3 default of the MISA/MMIM era); ``legacy_numpy`` rewrites the numpy
    globals to their numpy-1.x module ``numpy.core.multiarray``, as those files carry them."""
    payload = pickle.dumps(samples, protocol=3)
    if legacy_numpy:
        assert b"numpy._core.multiarray" in payload
        payload = payload.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
        assert b"numpy._core" not in payload
    path.write_bytes(payload)


def misa_sample(words: list[str], label: float, segment: str, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    features = (np.arange(len(words)), rng.standard_normal((len(words), 47)).astype(np.float32),
                rng.standard_normal((len(words), 74)).astype(np.float32), list(words))
    return features, np.array([[label]], dtype=np.float32), segment


def mmim_sample(words: list[str], label: float, segment: str, seed: int) -> tuple:
    rng = np.random.default_rng(seed)
    visual_length, acoustic_length = np.int64(3 + seed % 2), np.int64(4)
    features = ([], rng.standard_normal((int(visual_length), 20)).astype(np.float32),
                rng.standard_normal((int(acoustic_length), 5)).astype(np.float32), list(words),
                visual_length, acoustic_length)
    return features, np.array([[label]], dtype=np.float32), segment


def write_folder(folder: Path, make_sample, legacy_numpy: bool, splits=("train", "dev", "test")) -> Path:
    folder.mkdir()
    seed = 0
    for split in splits:
        samples = []
        for index, (words, label) in enumerate(zip(WORDS[split], LABELS[split])):
            samples.append(make_sample(words, label, f"{split}video[{index}]", seed))
            seed += 1
        dump(folder / f"{split}.pkl", samples, legacy_numpy)
    return folder


@pytest.mark.parametrize("legacy_numpy", [False, True])
def test_misa_folder_is_read_word_aligned(tmp_path, legacy_numpy):
    folder = write_folder(tmp_path / "mosi", misa_sample, legacy_numpy)
    assert detect_format(folder) == "misa-pkl"
    corpus = read_corpus(folder)
    assert corpus.split_sizes() == {"train": 2, "valid": 1, "test": 1}
    assert corpus.word_aligned and (corpus.acoustic_dim, corpus.visual_dim) == (74, 47)
    first = corpus.splits["train"][0]
    assert first.id == "trainvideo[0]" and first.words == ("it", "was", "great")
    assert first.label == pytest.approx(2.2) and first.acoustic.shape == (3, 74) and first.visual.shape == (3, 47)
    expected = misa_sample(["it", "was", "great"], 2.2, "x", seed=0)[0]
    np.testing.assert_array_equal(first.visual, expected[1])


@pytest.mark.parametrize("legacy_numpy", [False, True])
def test_mmim_folder_averages_each_utterances_valid_frames(tmp_path, legacy_numpy):
    folder = write_folder(tmp_path / "mosi_mmim", mmim_sample, legacy_numpy)
    assert detect_format(folder) == "mmim-pkl"
    corpus = read_corpus(folder)
    assert not corpus.word_aligned and (corpus.acoustic_dim, corpus.visual_dim) == (5, 20)
    test = corpus.splits["test"][0]
    features = mmim_sample(["really", "bad", "movie"], -2.4, "x", seed=3)[0]
    np.testing.assert_allclose(test.visual, features[1][:int(features[4])].mean(axis=0, keepdims=True))
    np.testing.assert_allclose(test.acoustic, features[2][:int(features[5])].mean(axis=0, keepdims=True))
    assert any("averaged" in note for note in corpus.report.notes)


def test_a_folder_with_only_some_splits_is_refused_naming_the_missing_ones(tmp_path):
    folder = write_folder(tmp_path / "partial", misa_sample, False, splits=("train", "test"))
    with pytest.raises(DataError, match="missing dev.pkl .*found test.pkl, train.pkl"):
        read_corpus(folder)


def test_a_bad_sample_names_the_split_file_the_sample_and_the_field(tmp_path):
    folder = write_folder(tmp_path / "bad", misa_sample, False)
    samples = [misa_sample(["ok"], 5.0, "devvideo[0]", seed=9)]  # label outside [-3, 3]
    dump(folder / "dev.pkl", samples, legacy_numpy=False)
    with pytest.raises(DataError, match=r"dev\.pkl, utterance 'devvideo\[0\]', field 'label'"):
        read_corpus(folder, format="misa-pkl")


def test_a_split_pickle_that_runs_code_is_refused(tmp_path):
    folder = write_folder(tmp_path / "evil", misa_sample, False)
    (folder / "test.pkl").write_bytes(b"cos\nsystem\n(S'echo hacked'\ntR.")
    with pytest.raises(DataError, match="refused to load the global os.system"):
        read_corpus(folder)
