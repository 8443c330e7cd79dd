"""Regression and classification metrics of both MSA conventions, always by explicit name.

The community reports "Acc-2" in two incompatible ways, so no metric here is called "acc2":

- ``*_non0`` (MAG-BERT, and Lin & Hu): utterances labelled exactly 0 are dropped; positive
  (> 0) against negative.
- ``*_has0`` (MMSA): every utterance; non-negative (>= 0) against negative (< 0).

``acc7`` clips predictions and labels to [-3, 3] and rounds to the nearest integer (7 classes);
``acc5`` clips to [-2, 2] (5 classes). ``mae`` / ``corr`` use every utterance; ``mae_non0`` /
``corr_non0`` drop zero labels as MAG-BERT's evaluation does. F1 is weighted by class support.
"""

from __future__ import annotations

import numpy as np

METRIC_NAMES: tuple[str, ...] = (
    "acc7", "acc5", "acc2_non0", "f1_non0", "acc2_has0", "f1_has0", "mae", "corr", "mae_non0",
    "corr_non0",
)
LOWER_IS_BETTER: frozenset[str] = frozenset({"mae", "mae_non0"})


def _clipped_class_accuracy(predictions: np.ndarray, labels: np.ndarray, bound: float) -> float:
    predicted = np.round(np.clip(predictions, -bound, bound))
    truth = np.round(np.clip(labels, -bound, bound))
    return float(np.mean(predicted == truth))


def weighted_f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    """F1 per class averaged with weights equal to each class's share of ``truth``."""
    score = 0.0
    for cls in np.unique(truth):
        true_positive = np.sum((predicted == cls) & (truth == cls))
        precision_denominator = np.sum(predicted == cls)
        recall_denominator = np.sum(truth == cls)
        precision = true_positive / precision_denominator if precision_denominator else 0.0
        recall = true_positive / recall_denominator
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        score += f1 * recall_denominator / len(truth)
    return float(score)


def pearson(predictions: np.ndarray, labels: np.ndarray) -> float:
    """Pearson correlation (Eq. 23); NaN when either side is constant (reported, not hidden).

    Constancy is tested with the range, not the standard deviation: the standard deviation of
    float64 values that are equal up to rounding can come out ~1e-16 and give a meaningless
    correlation instead of NaN."""
    if len(labels) < 2 or np.ptp(predictions) == 0 or np.ptp(labels) == 0:
        return float("nan")
    return float(np.corrcoef(predictions, labels)[0, 1])


def regression_metrics(predictions, labels) -> dict[str, float]:
    """Every metric of ``METRIC_NAMES`` for predicted and true sentiment scores.

    Args:
        predictions: predicted scores, any shape that flattens to (N,).
        labels: true scores in [-3, 3], same number of elements.
    """
    predictions = np.asarray(predictions, dtype=np.float64).reshape(-1)
    labels = np.asarray(labels, dtype=np.float64).reshape(-1)
    if predictions.shape != labels.shape:
        raise ValueError(f"{predictions.size} predictions for {labels.size} labels")
    if labels.size == 0:
        raise ValueError("no samples to evaluate")
    non_zero = labels != 0
    positive_truth, positive_predicted = labels[non_zero] > 0, predictions[non_zero] > 0
    non_negative_truth, non_negative_predicted = labels >= 0, predictions >= 0
    return {
        "acc7": _clipped_class_accuracy(predictions, labels, 3.0),
        "acc5": _clipped_class_accuracy(predictions, labels, 2.0),
        "acc2_non0": float(np.mean(positive_truth == positive_predicted)) if non_zero.any() else float("nan"),
        "f1_non0": weighted_f1(positive_truth, positive_predicted) if non_zero.any() else float("nan"),
        "acc2_has0": float(np.mean(non_negative_truth == non_negative_predicted)),
        "f1_has0": weighted_f1(non_negative_truth, non_negative_predicted),
        "mae": float(np.mean(np.abs(predictions - labels))),
        "corr": pearson(predictions, labels),
        "mae_non0": float(np.mean(np.abs(predictions[non_zero] - labels[non_zero]))) if non_zero.any() else float("nan"),
        "corr_non0": pearson(predictions[non_zero], labels[non_zero]),
    }
