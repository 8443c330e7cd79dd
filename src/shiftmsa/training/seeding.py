"""Seeds and random-number states: same seed, same machine, same numbers."""

from __future__ import annotations

import os
import random
from typing import Sequence

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and every GPU) and ask torch for deterministic kernels.

    cuBLAS needs ``CUBLAS_WORKSPACE_CONFIG`` for deterministic matrix products on GPUs; it is set
    here when absent. Kernels without a deterministic version only warn.
    """
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def capture_rng_state() -> dict[str, torch.Tensor]:
    """The torch generator states (CPU, and each GPU when present) as named byte tensors."""
    state = {"cpu": torch.get_rng_state()}
    if torch.cuda.is_available():
        for index, gpu_state in enumerate(torch.cuda.get_rng_state_all()):
            state[f"cuda{index}"] = gpu_state
    return state


def restore_rng_state(state: dict[str, torch.Tensor]) -> None:
    """Undo ``capture_rng_state``: dropout after a resume draws what it would have drawn."""
    torch.set_rng_state(state["cpu"].cpu())
    gpu_states = [state[key].cpu() for key in sorted(k for k in state if k.startswith("cuda"))]
    if gpu_states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(gpu_states)


def epoch_permutation(n: int, seed: int, epoch: int) -> list[int]:
    """The order of training samples in one epoch, a function of (seed, epoch) alone.

    Independent of any global state, so a resumed run sees exactly the batches it would have.
    """
    generator = torch.Generator().manual_seed(seed * 100_003 + epoch)
    return torch.randperm(n, generator=generator).tolist()


BUCKET_POOL = 50  # batches per pool of length-bucketed sampling


def bucketed_batches(lengths: Sequence[int], batch_size: int, seed: int, epoch: int,
                     pool: int = BUCKET_POOL) -> list[list[int]]:
    """One epoch's global batches, length-bucketed: ``epoch_permutation``'s order cut into pools
    of ``pool`` batches, each pool sorted by length (stable, so ties keep the shuffled order) and
    cut into batches, then the batches shuffled; a function of (lengths, seed, epoch) alone, so
    every process and a resumed run take the same batches. As many batches as without buckets
    (one short batch at most, the last of the last pool, wherever the shuffle puts it).

    Args:
        lengths: each training sample's length (word pieces).
        batch_size: the global batch size.
        seed / epoch: as for ``epoch_permutation``.
        pool: batches per pool; larger pools pad less and mix lengths less within an epoch.
    """
    order = epoch_permutation(len(lengths), seed, epoch)
    batches = []
    span = batch_size * pool
    for start in range(0, len(order), span):
        members = sorted(order[start:start + span], key=lambda index: lengths[index])
        batches.extend(members[i:i + batch_size] for i in range(0, len(members), batch_size))
    generator = torch.Generator().manual_seed((seed * 100_003 + epoch) * 7 + 1)
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]
