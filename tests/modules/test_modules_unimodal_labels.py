"""Self-MM's label generation (ULGM), its momentum and its loss, on examples computed by hand."""

from __future__ import annotations

import math

import pytest
import torch

from shiftmsa.modules.unimodal_labels import UnimodalLabelMemory, generated_label, momentum_average, multitask_l1

ROWS = torch.arange(4)
HUMAN = torch.tensor([2.0, 1.0, -1.0, -2.0])
# epoch-1 features: fusion centres (+) [1, 0] and (-) [-2, 0]; text centres (+) [0, 2] and (-) [0, -2]
FUSION_FEATURES = torch.tensor([[2.0, 0.0], [0.0, 0.0], [-1.0, 0.0], [-3.0, 0.0]])
TEXT_FEATURES = torch.tensor([[0.0, 1.0], [0.0, 3.0], [0.0, -2.0], [0.0, -2.0]])


@pytest.fixture
def memory():
    memory = UnimodalLabelMemory({"fusion": 2, "text": 2}, 4, bound=3.0)
    targets = memory.targets(ROWS, HUMAN)
    assert all(torch.equal(targets[task], HUMAN) for task in ("fusion", "text"))
    memory.update({"fusion": FUSION_FEATURES, "text": TEXT_FEATURES}, ROWS, epoch=1)
    return memory


def test_epoch_one_only_stores_features_and_unseen_rows_stay_out(memory):
    assert torch.equal(memory.labels, HUMAN.expand(2, 4))
    assert torch.equal(memory.features_text, TEXT_FEATURES)
    positive, negative = memory.centres("fusion")
    assert positive.tolist() == [1.0, 0.0] and negative.tolist() == [-2.0, 0.0]
    fresh = UnimodalLabelMemory({"fusion": 2, "text": 2}, 4)
    fresh.targets(torch.tensor([0, 1]), HUMAN[:2])
    assert torch.isnan(fresh.labels[:, 2:]).all()
    assert fresh.centres("fusion") is None  # no negative label seen yet: no centre, no update
    fresh.update({"fusion": FUSION_FEATURES[:2], "text": TEXT_FEATURES[:2]}, torch.tensor([0, 1]), epoch=2)
    assert torch.equal(fresh.labels[1, :2], HUMAN[:2])


def test_epoch_two_generates_labels_as_computed_by_hand(memory):
    # row 0 (y_m = 2): fusion [0, 0]: d_p = 1, d_n = 2 -> delta_m = 1; text [0, 0]: d_p = d_n = 2 -> delta_s = 0
    #   new = 0.5 * (0 / 1 * 2) + 0.5 * (2 + 0 - 1) = 0.5;  momentum at n = 2: 2/6 * 2 + 4/6 * 0.5 = 1
    # row 1 (y_m = 1): fusion [0, 0] -> delta_m = 1; text [0, 2] sits on the positive centre: d_p = 0,
    #   delta_s = 4 / 1e-8 -> new label clipped to H = 3;  momentum: 1/3 * 1 + 2/3 * 3 = 7/3
    rows = torch.tensor([0, 1])
    memory.update({"fusion": torch.zeros(2, 2), "text": torch.tensor([[0.0, 0.0], [0.0, 2.0]])}, rows, epoch=2)
    assert memory.labels[1, :2].tolist() == pytest.approx([1.0, 7 / 3])
    assert torch.equal(memory.labels[0], HUMAN) and torch.equal(memory.labels[1, 2:], HUMAN[2:])
    assert memory.centres("fusion")[0].tolist() == [0.0, 0.0]  # the batch's features replaced rows 0, 1
    targets = memory.targets(rows, HUMAN[:2])
    # fusion error 0; text: prediction 0 vs label 1 with weight tanh(|1 - 2|), and 0 vs 7/3 with tanh(4/3)
    loss = multitask_l1({"fusion": HUMAN[:2], "text": torch.zeros(2)}, targets)
    assert loss.item() == pytest.approx((math.tanh(1.0) * 1.0 + math.tanh(4 / 3) * 7 / 3) / 2)


def test_generated_label_rules_and_momentum_is_the_weighted_mean_of_every_epoch():
    # ratio rule 1.5 / 0.5 * 1 = 3, difference rule 1 + 1.5 - 0.5 = 2 -> 2.5
    assert generated_label(torch.tensor([1.0]), torch.tensor([1.5]), torch.tensor([0.5]), 3.0).item() == \
        pytest.approx(2.5)
    # ratio -9 / 0.5 * 2 = -36, difference 2 - 9 - 0.5 = -7.5 -> -21.75, clipped to -H
    assert generated_label(torch.tensor([2.0]), torch.tensor([-9.0]), torch.tensor([0.5]), 3.0).item() == -3.0
    new_labels = [0.3, -1.2, 2.0, 0.7, 1.1]  # epoch 1's "new label" is y_m itself
    label = new_labels[0]
    for epoch, new in enumerate(new_labels[1:], start=2):
        label = momentum_average(label, new, epoch)
    n = len(new_labels)
    closed_form = sum(2 * j / (n * (n + 1)) * y for j, y in enumerate(new_labels, start=1))
    assert label == pytest.approx(closed_form)


def test_rows_outside_the_memory_are_refused():
    memory = UnimodalLabelMemory({"fusion": 2}, 3)
    with pytest.raises(ValueError, match=r"training rows must be in 0..2 .*sized for 3"):
        memory.targets(torch.tensor([1, 3]), torch.zeros(2))
    with pytest.raises(ValueError, match="needs a 'fusion' task"):
        UnimodalLabelMemory({"text": 2}, 3)
