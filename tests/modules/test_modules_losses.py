"""Shifting HuberLoss (Eq. 19) and its weighted sum (Eq. 20's auxiliary part; the total objective is
tested with the model contract, tests/models/test_models_contract.py)."""

from __future__ import annotations

import torch

from shiftmsa.modules.losses import ShiftingHuberLoss, shifting_huber
from shiftmsa.modules.pooling import pool


def test_huber_is_quadratic_below_delta_and_linear_above():
    mask = torch.ones(1, 1)
    assert shifting_huber(torch.tensor([[[0.5]]]), mask, delta=1.0).item() == 0.125
    assert shifting_huber(torch.tensor([[[-3.0]]]), mask, delta=1.0).item() == 2.5
    assert shifting_huber(torch.tensor([[[3.0]]]), mask, delta=4.0).item() == 4.5


def test_huber_averages_over_real_token_elements_only():
    shift = torch.tensor([[[0.5, 0.5], [100.0, 100.0]]])
    assert shifting_huber(shift, torch.tensor([[1, 0]]), delta=1.0).item() == 0.125


def test_weighted_sum():
    mask = torch.ones(1, 1)
    loss = ShiftingHuberLoss({"text": 0.5, "acoustic": 2.0, "visual": 9.0}, delta=1.0)
    auxiliary = loss({"text": torch.tensor([[[1.0]]]), "acoustic": torch.tensor([[[2.0]]])}, mask)
    assert auxiliary.item() == 0.5 * 0.5 + 2.0 * 1.5
    assert loss({}, mask).item() == 0.0


def test_pool_takes_the_cls_row_first_for_bert_and_last_for_xlnet():
    sequence = torch.arange(12.0).view(2, 3, 2)
    mask = torch.tensor([[1, 1, 0], [0, 1, 1]])
    bert_like = pool(sequence, mask, torch.tensor([0, 0]), "cls")
    xlnet_like = pool(sequence, mask, torch.tensor([2, 2]), "cls")
    torch.testing.assert_close(bert_like, sequence[:, 0])
    torch.testing.assert_close(xlnet_like, sequence[:, 2])
    torch.testing.assert_close(pool(sequence, mask, None, "mean"),
                               torch.stack([sequence[0, :2].mean(0), sequence[1, 1:].mean(0)]))
