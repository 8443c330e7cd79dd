"""MISA's three regularisers of the invariant / specific subspaces (Hazarika et al., ACM MM 2020).

- similarity: the Central Moment Discrepancy (CMD) between the invariant (shared) vectors of
  every pair of modalities, averaged over the pairs;
- difference: a soft orthogonality between the invariant and specific vectors of each modality
  and between the specific vectors of every pair of modalities, summed;
- reconstruction: MSE between each modality's projected vector and its reconstruction from
  (specific + invariant), averaged over the modalities.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations

import torch
from torch.nn import functional

DIFFERENCE_FORMS = ("normalised", "frobenius")


def central_moment_discrepancy(first: torch.Tensor, second: torch.Tensor, moments: int = 5) -> torch.Tensor:
    """CMD_K between two batches (B, d) of activations bounded in [0, 1] (MISA's sigmoid outputs).

    ||E(X) - E(Y)||_2 + sum_{k=2..K} ||C_k(X) - C_k(Y)||_2, with C_k the k-th central moment of
    every coordinate over the batch; the 1 / |b - a|^k factors of CMD are 1 on [0, 1].
    ``vector_norm`` has a zero (sub)gradient at 0, so identical batches give no NaN.

    Args:
        first / second: (B, d) batches.
        moments: K (5 in MISA).
    """
    mean_first, mean_second = first.mean(dim=0), second.mean(dim=0)
    total = torch.linalg.vector_norm(mean_first - mean_second)
    centred_first, centred_second = first - mean_first, second - mean_second
    for order in range(2, moments + 1):
        total = total + torch.linalg.vector_norm(centred_first.pow(order).mean(dim=0)
                                                 - centred_second.pow(order).mean(dim=0))
    return total


def soft_orthogonality(first: torch.Tensor, second: torch.Tensor, form: str = "normalised",
                       epsilon: float = 1e-6) -> torch.Tensor:
    """MISA's difference loss between two batches (B, d): how far A^T B is from 0.

    Args:
        first / second: (B, d) batches (rows are utterances).
        form: ``frobenius`` is the paper's formula as printed, ||A^T B||_F^2 of the raw rows;
            ``normalised`` is the MISA authors' code, which produced their numbers: each batch is
            centred on its mean, every row divided by its (detached) L2 norm + ``epsilon``, and
            the d x d squared entries averaged instead of summed.
        epsilon: keeps the row division finite.
    """
    if form not in DIFFERENCE_FORMS:
        raise ValueError(f"form must be one of {DIFFERENCE_FORMS}, got {form!r}")
    if form == "frobenius":
        return (first.t() @ second).pow(2).sum()
    first, second = first - first.mean(dim=0, keepdim=True), second - second.mean(dim=0, keepdim=True)
    first = first / (first.norm(dim=1, keepdim=True).detach() + epsilon)
    second = second / (second.norm(dim=1, keepdim=True).detach() + epsilon)
    return (first.t() @ second).pow(2).mean()


def subspace_losses(shared: Mapping[str, torch.Tensor], private: Mapping[str, torch.Tensor],
                    projected: Mapping[str, torch.Tensor], reconstructed: Mapping[str, torch.Tensor], *,
                    moments: int = 5, difference_form: str = "normalised") -> dict[str, torch.Tensor]:
    """The unweighted similarity, difference and reconstruction losses of MISA.

    Args:
        shared: modality -> (B, d) invariant vector h_c^m.
        private: modality -> (B, d) specific vector h_p^m.
        projected: modality -> (B, d) u_m, the vector both were computed from.
        reconstructed: modality -> (B, d) the reconstruction of u_m from h_c^m + h_p^m.
        moments: K of the CMD.
        difference_form: see ``soft_orthogonality``.
    """
    modalities = list(shared)
    pairs = list(combinations(modalities, 2))
    similarity = sum(central_moment_discrepancy(shared[a], shared[b], moments) for a, b in pairs) / len(pairs)
    difference = (sum(soft_orthogonality(private[m], shared[m], difference_form) for m in modalities)
                  + sum(soft_orthogonality(private[a], private[b], difference_form) for a, b in pairs))
    reconstruction = sum(functional.mse_loss(reconstructed[m], projected[m]) for m in modalities) / len(modalities)
    return {"similarity": similarity, "difference": difference, "reconstruction": reconstruction}
