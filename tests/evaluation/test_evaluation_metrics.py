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


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="3 predictions for 2 labels"):
        regression_metrics([1, 2, 3], [1, 2])
