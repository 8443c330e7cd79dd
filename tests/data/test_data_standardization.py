"""Train-split standardisation of the non-text streams."""

import numpy as np
import pytest

from shiftmsa.data.contract import Utterance
from shiftmsa.data.standardization import FeatureStandardizer, standardization_wanted


def utterance(uid, acoustic, split="train"):
    return Utterance(uid, ("a", "b"), np.asarray(acoustic, dtype=np.float32), None, 0.0, split)


def test_fitted_on_the_given_rows_and_applied_per_column():
    train = [utterance("u1", [[100.0, 5.0]]), utterance("u2", [[300.0, 5.0]])]
    standardizer = FeatureStandardizer.fit(train)
    mean, std = standardizer.statistics["acoustic"]
    assert mean.tolist() == [200.0, 5.0] and std.tolist() == [100.0, 1.0]  # constant column: std 1
    assert "visual" not in standardizer.statistics
    scaled = standardizer.transform("acoustic", np.array([[400.0, 7.0]], dtype=np.float32))
    assert scaled.dtype == np.float32 and scaled.tolist() == [[2.0, 2.0]]
    unfitted = np.ones((1, 3), dtype=np.float32)
    assert standardizer.transform("visual", unfitted) is unfitted


def test_round_trips_through_json_and_refuses_another_width():
    standardizer = FeatureStandardizer.fit([utterance("u1", [[1.0, 2.0], [3.0, 8.0]])])
    again = FeatureStandardizer.from_dict(standardizer.to_dict())
    row = np.array([[2.5, -1.0]], dtype=np.float32)
    assert np.array_equal(again.transform("acoustic", row), standardizer.transform("acoustic", row))
    with pytest.raises(ValueError, match="3-d but the standardisation statistics are 2-d"):
        standardizer.transform("acoustic", np.ones((1, 3), dtype=np.float32))


@pytest.mark.parametrize("choice, word_aligned, expected", [
    ("auto", False, True), ("auto", True, False), (True, True, True), (False, False, False)])
def test_auto_standardises_per_utterance_features_only(choice, word_aligned, expected):
    assert standardization_wanted(choice, word_aligned) is expected
