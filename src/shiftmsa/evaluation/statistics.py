"""Aggregation over seeds and paired significance tests over matched seeds."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Aggregate:
    """Mean and sample standard deviation (ddof=1) of one metric over seeds, values kept."""

    mean: float
    std: float
    values: tuple[float, ...]
    seeds: tuple[int, ...]

    @property
    def n(self) -> int:
        return len(self.values)


def aggregate(values_by_seed: dict[int, float]) -> Aggregate:
    seeds = tuple(sorted(values_by_seed))
    values = tuple(float(values_by_seed[s]) for s in seeds)
    std = float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")
    return Aggregate(float(np.mean(values)), std, values, seeds)


def paired_t_test(candidate: dict[int, float], reference: dict[int, float]) -> float:
    """Two-sided p-value of a paired t-test over the seeds both sides have.

    NaN when fewer than two seeds are shared or the paired differences are all equal (the test
    is undefined there; it is reported as such rather than as 0 or 1).
    """
    shared = sorted(set(candidate) & set(reference))
    if len(shared) < 2:
        return float("nan")
    differences = np.array([candidate[s] - reference[s] for s in shared])
    if np.allclose(differences, differences[0]):
        return float("nan")
    p_value = stats.ttest_rel([candidate[s] for s in shared], [reference[s] for s in shared]).pvalue
    return float(p_value) if not math.isnan(p_value) else float("nan")
