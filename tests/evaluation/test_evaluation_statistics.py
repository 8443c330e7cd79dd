import math

import pytest
from scipy import stats

from shiftmsa.evaluation.statistics import aggregate, paired_t_test


def test_aggregate_keeps_per_seed_values_and_uses_sample_std():
    result = aggregate({2: 0.7, 0: 0.5, 1: 0.6})
    assert result.seeds == (0, 1, 2)
    assert result.values == (0.5, 0.6, 0.7)
    assert result.mean == pytest.approx(0.6)
    assert result.std == pytest.approx(0.1)


def test_paired_t_test_matches_scipy_on_shared_seeds_only():
    candidate = {0: 0.80, 1: 0.82, 2: 0.79, 3: 0.85, 9: 0.1}
    reference = {0: 0.78, 1: 0.80, 2: 0.79, 3: 0.81}
    expected = stats.ttest_rel([0.80, 0.82, 0.79, 0.85], [0.78, 0.80, 0.79, 0.81]).pvalue
    assert paired_t_test(candidate, reference) == pytest.approx(expected)


def test_paired_t_test_is_undefined_for_one_seed_or_constant_differences():
    assert math.isnan(paired_t_test({0: 1.0}, {0: 0.5}))
    assert math.isnan(paired_t_test({0: 1.0, 1: 2.0}, {0: 0.5, 1: 1.5}))
