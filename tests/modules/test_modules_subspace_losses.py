"""MISA's CMD similarity, orthogonality difference and reconstruction losses, on hand examples."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional

from shiftmsa.modules.subspace_losses import central_moment_discrepancy, soft_orthogonality, subspace_losses


def test_cmd_by_hand_and_zero_for_identical_batches():
    spread = torch.tensor([[0.0], [1.0]])
    constant = torch.tensor([[0.5], [0.5]])
    # equal means; central moments of `spread`: k=2 -> 0.25, k=3 -> 0, k=4 -> 0.0625, k=5 -> 0
    assert central_moment_discrepancy(spread, constant, moments=5).item() == pytest.approx(0.3125)
    assert central_moment_discrepancy(spread, constant, moments=2).item() == pytest.approx(0.25)
    shifted = torch.tensor([[0.0, 0.2], [0.4, 0.6]])
    assert central_moment_discrepancy(shifted, shifted + 0.1, moments=1).item() == pytest.approx(0.1 * 2 ** 0.5)
    same = torch.rand(4, 3, requires_grad=True)
    loss = central_moment_discrepancy(same, same.detach().clone())
    loss.backward()
    assert loss.item() == 0.0 and torch.isfinite(same.grad).all()


def test_orthogonality_both_forms_by_hand():
    identity = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    other = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert soft_orthogonality(identity, other, "frobenius").item() == pytest.approx(30.0)
    # centred, unit rows: +-[1, -1]/sqrt(2) and +-[1, 1]/sqrt(2); every entry of A^T B is +-1
    assert soft_orthogonality(identity, other).item() == pytest.approx(1.0, abs=1e-5)
    assert soft_orthogonality(identity, 7 * other).item() == pytest.approx(1.0, abs=1e-5)
    orthogonal = torch.tensor([[1.0, 0.0], [1.0, 0.0]]), torch.tensor([[0.0, 1.0], [0.0, -1.0]])
    assert soft_orthogonality(*orthogonal, "frobenius").item() == 0.0
    with pytest.raises(ValueError, match="form must be one of"):
        soft_orthogonality(identity, other, "cosine")


def test_subspace_losses_average_similarity_over_pairs_and_sum_differences():
    generator = torch.Generator().manual_seed(0)
    modalities = ("text", "acoustic", "visual")
    shared, private, projected, reconstructed = ({m: torch.rand(5, 4, generator=generator) for m in modalities}
                                                 for _ in range(4))
    losses = subspace_losses(shared, private, projected, reconstructed, moments=3)
    pairs = [("text", "acoustic"), ("text", "visual"), ("acoustic", "visual")]
    expected_similarity = sum(central_moment_discrepancy(shared[a], shared[b], 3) for a, b in pairs) / 3
    expected_difference = (sum(soft_orthogonality(private[m], shared[m]) for m in modalities)
                           + sum(soft_orthogonality(private[a], private[b]) for a, b in pairs))
    expected_reconstruction = sum(functional.mse_loss(reconstructed[m], projected[m]) for m in modalities) / 3
    torch.testing.assert_close(losses["similarity"], expected_similarity)
    torch.testing.assert_close(losses["difference"], expected_difference)
    torch.testing.assert_close(losses["reconstruction"], expected_reconstruction)
    two = subspace_losses({m: shared[m] for m in modalities[:2]}, private, projected, reconstructed, moments=3)
    torch.testing.assert_close(two["similarity"], central_moment_discrepancy(shared["text"], shared["acoustic"], 3))
