"""Fake batches as tensors, shaped like the data layer's (BERT pads right, XLNet left)."""

from __future__ import annotations

import pytest
import torch

ACOUSTIC_DIM = 5
VISUAL_DIM = 3


def fake_batch(family: str, vocab_size: int, batch_size: int = 3, length: int = 8,
               seed: int = 0) -> dict[str, torch.Tensor]:
    """Model inputs for ``batch_size`` utterances of decreasing length, padded to ``length``."""
    generator = torch.Generator().manual_seed(seed)
    lengths = [length - 2 * row for row in range(batch_size)]
    attention_mask = torch.zeros(batch_size, length, dtype=torch.long)
    token_type_ids = torch.zeros(batch_size, length, dtype=torch.long)
    for row, size in enumerate(lengths):
        if family == "bert":
            attention_mask[row, :size] = 1
        else:
            attention_mask[row, length - size:] = 1
    if family == "xlnet":
        token_type_ids[:, -1] = 2
    real = attention_mask.unsqueeze(-1).float()
    return {
        "input_ids": torch.randint(5, vocab_size, (batch_size, length), generator=generator) * attention_mask,
        "attention_mask": attention_mask,
        "token_type_ids": token_type_ids,
        "acoustic": torch.randn(batch_size, length, ACOUSTIC_DIM, generator=generator) * real,
        "visual": torch.randn(batch_size, length, VISUAL_DIM, generator=generator) * real,
        "cls_index": torch.full((batch_size,), 0 if family == "bert" else length - 1),
    }


@pytest.fixture(scope="session")
def feature_dims() -> dict[str, int]:
    return {"acoustic_dim": ACOUSTIC_DIM, "visual_dim": VISUAL_DIM}


@pytest.fixture(scope="session")
def tiny_encoders(tiny_bert_dir, tiny_xlnet_dir) -> dict[str, str]:
    return {"bert": str(tiny_bert_dir), "xlnet": str(tiny_xlnet_dir)}


@pytest.fixture(scope="session")
def batches() -> dict[str, dict[str, torch.Tensor]]:
    return {"bert": fake_batch("bert", 30522), "xlnet": fake_batch("xlnet", 60)}
