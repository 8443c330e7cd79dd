import math

import numpy as np
import pytest

from shiftmsa.evaluation.metrics import METRIC_NAMES, regression_metrics, weighted_f1

PREDICTIONS = [2.6, -0.4, 0.2, -3.5]
LABELS = [3.0, 0.0, 1.0, -2.0]


def test_every_named_metric_against_a_hand_computation():
    metrics = regression_metrics(PREDICTIONS, LABELS)
    assert set(metrics) == set(METRIC_NAMES)
    assert metrics["acc7"] == pytest.approx(0.5)       # rounded [3, 0, 0, -3] vs [3, 0, 1, -2]
    assert metrics["acc5"] == pytest.approx(0.75)      # clipped to 2: [2, 0, 0, -2] vs [2, 0, 1, -2]
    assert metrics["acc2_non0"] == pytest.approx(1.0)  # the zero label is dropped
    assert metrics["f1_non0"] == pytest.approx(1.0)
    assert metrics["acc2_has0"] == pytest.approx(0.75)  # -0.4 predicted negative, label 0 counts as >= 0
    assert metrics["f1_has0"] == pytest.approx(0.8 * 0.75 + (2 / 3) * 0.25)
    assert metrics["mae"] == pytest.approx((0.4 + 0.4 + 0.8 + 1.5) / 4)
    assert metrics["mae_non0"] == pytest.approx((0.4 + 0.8 + 1.5) / 3)
    assert metrics["corr"] == pytest.approx(np.corrcoef(PREDICTIONS, LABELS)[0, 1])
    assert metrics["corr_non0"] == pytest.approx(np.corrcoef([2.6, 0.2, -3.5], [3.0, 1.0, -2.0])[0, 1])


def test_weighted_f1_weights_classes_by_support():
    truth = np.array([True, True, True, False])
    predicted = np.array([True, False, False, False])
    # class True: p=1, r=1/3 -> 0.5 ; class False: p=1/3, r=1 -> 0.5
    assert weighted_f1(truth, predicted) == pytest.approx(0.5)


def test_constant_predictions_give_nan_correlation_not_a_number_that_looks_real():
    metrics = regression_metrics([0.5, 0.5, 0.5], [1.0, -1.0, 2.0])
    assert math.isnan(metrics["corr"])
    # seven equal float64 values whose computed standard deviation is ~1e-17 (the mean is rounded),
    # so a test of the standard deviation would report a correlation for constant predictions
    constant = np.full(7, 0.1)
    assert np.std(constant) != 0
    assert math.isnan(regression_metrics(constant, [1.0, -1.0, 2.0, 0.5, 0.0, 3.0, -2.0])["corr"])


def test_the_papers_convention_and_mmsas_on_one_example():
    """docs/metrics.md: MAG-BERT / the paper drop zero labels for acc2, F1, MAE and Corr; MMSA keeps
    them and counts 0 as non-negative."""
    predictions, labels = [1.0, -0.5, 0.5, -2.0, 0.25], [2.0, 0.0, -1.0, -2.0, 0.0]
    metrics = regression_metrics(predictions, labels)
    # non0: labels [2, -1, -2] vs predictions [1, 0.5, -2]: one sign error of three
    assert metrics["acc2_non0"] == pytest.approx(2 / 3)
    assert metrics["mae_non0"] == pytest.approx((1.0 + 1.5 + 0.0) / 3)
    # has0: every label, >= 0 vs < 0: [T, T, F, F, T] vs [T, F, T, F, T]
    assert metrics["acc2_has0"] == pytest.approx(3 / 5)
    assert metrics["mae"] == pytest.approx((1.0 + 0.5 + 1.5 + 0.0 + 0.25) / 5)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="3 predictions for 2 labels"):
        regression_metrics([1, 2, 3], [1, 2])
