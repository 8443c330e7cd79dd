import numpy as np
import pytest
from data_helpers import mag_sample, write_pickle

from shiftmsa.data import DataError, read_corpus
from shiftmsa.data.contract import DataReport
from shiftmsa.data.validation import UtteranceChecker


def read_bad(tmp_path, sample):
    path = write_pickle(tmp_path / "bad.pkl", {"train": [mag_sample(["fine", "words"], 0, 0.5, "ok_1"), sample],
                                               "dev": [], "test": []})
    with pytest.raises(DataError) as raised:
        read_corpus(path)
    return path, str(raised.value)


def with_visual(sample, visual):
    (words, _, acoustic), label, segment = sample
    return ((words, visual, acoustic), label, segment)


@pytest.mark.parametrize("make_sample, field, phrase", [
    (lambda: mag_sample(["a", "b"], 1, 0.0, "bad_1", visual_dim=46), "visual", "dim 46 != expected 47"),
    (lambda: with_visual(mag_sample(["a", "b"], 1, 0.0, "bad_1"), np.zeros((3, 47))), "visual", "3 feature steps for 2 words"),
    (lambda: mag_sample(["a"], 1, 3.5, "bad_1"), "label", "outside [-3, 3]"),
    (lambda: mag_sample([], 1, 1.0, "bad_1"), "words", "empty text"),
    (lambda: with_visual(mag_sample(["a"], 1, 0.0, "bad_1"), np.full((1, 47), np.nan)), "visual", "NaN"),
    (lambda: with_visual(mag_sample(["a"], 1, 0.0, "bad_1"), np.zeros(47)), "visual", "2-D"),
])
def test_bad_input_names_file_utterance_and_field(tmp_path, make_sample, field, phrase):
    path, message = read_bad(tmp_path, make_sample())
    assert str(path) in message and "'bad_1'" in message and f"field '{field}'" in message and phrase in message


def test_nan_label_is_refused(tmp_path):
    _, message = read_bad(tmp_path, mag_sample(["a"], 1, float("nan"), "bad_1"))
    assert "'label'" in message


def test_duplicate_ids_are_refused(tmp_path):
    _, message = read_bad(tmp_path, mag_sample(["a"], 1, 0.0, "ok_1"))
    assert "duplicate" in message and "'ok_1'" in message


def test_inf_zero_policy_counts_every_value():
    report = DataReport()
    checker = UtteranceChecker("mem", report, word_aligned=True)
    acoustic = np.array([[np.inf, 1.0], [-np.inf, -np.inf]], dtype=np.float32)
    utterance = checker.make("u", ["a", "b"], acoustic, None, 0.0, "train")
    assert np.isfinite(utterance.acoustic).all() and utterance.acoustic[0, 1] == 1.0
    assert report.repairs == {"acoustic +/-inf replaced with 0": 3}


def test_per_utterance_checker_refuses_word_steps():
    checker = UtteranceChecker("mem", DataReport(), word_aligned=False)
    with pytest.raises(DataError, match="expected 1"):
        checker.make("u", ["a", "b"], np.zeros((2, 3)), None, 0.0, "train")


def test_a_stream_present_for_some_utterances_only_is_refused():
    checker = UtteranceChecker("mem", DataReport(), word_aligned=True)
    checker.make("u1", ["a"], np.zeros((1, 3)), None, 0.0, "train")
    with pytest.raises(DataError, match="'u2'.*'acoustic'"):
        checker.make("u2", ["a"], None, None, 0.0, "train")


def test_split_aliases_and_unknown_split():
    checker = UtteranceChecker("mem", DataReport(), word_aligned=True)
    assert checker.make("u1", "a b", None, None, 1, "dev").split == "valid"
    with pytest.raises(DataError, match="'u2'.*'split'"):
        checker.make("u2", "a", None, None, 1, "holdout")
