"""The tensor batch that the data layer hands to every model.

Models never see this class (models/ does not import data/): the trainer passes
``batch.model_inputs()`` as keyword arguments to ``model(...)``, which checks them as the
model contract's ``ModelInputs`` (``shiftmsa.models.base``; a test keeps the names equal).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Sequence

import torch


@dataclass
class Batch:
    """Word-piece aligned tensors for B utterances padded to L tokens.

    Args:
        input_ids: (B, L) token ids.
        attention_mask: (B, L) 1 for real tokens (special tokens included), 0 for padding.
        token_type_ids: (B, L) segment ids (all 0 for a single sentence, 2 on XLNet's <cls>).
        acoustic: (B, L, d_a) float32 rows aligned to word pieces (zero rows on special tokens
            and padding), or None when the corpus has no acoustic stream.
        visual: (B, L, d_v) likewise, or None.
        lengths: (B,) number of real tokens (special tokens included).
        cls_index: (B,) position of the [CLS] token: 0 for BERT (right padding), L - 1 for
            XLNet (left padding, <cls> last).
        labels: (B,) float32 sentiment in [-3, 3].
        ids: the utterance ids, in batch order.
    """

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    token_type_ids: torch.Tensor
    acoustic: torch.Tensor | None
    visual: torch.Tensor | None
    lengths: torch.Tensor
    cls_index: torch.Tensor
    labels: torch.Tensor
    ids: list[str]

    MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids", "acoustic", "visual", "cls_index")

    def model_inputs(self) -> dict[str, torch.Tensor | None]:
        """The keyword arguments every registered model is called with (``ModelInputs``' fields)."""
        return {name: getattr(self, name) for name in self.MODEL_INPUTS}

    def to(self, device: torch.device | str) -> "Batch":
        moved = {}
        for f in fields(self):
            value = getattr(self, f.name)
            moved[f.name] = value.to(device) if isinstance(value, torch.Tensor) else value
        return Batch(**moved)

    def rows(self, positions: Sequence[int]) -> "Batch":
        """The utterances at ``positions``, in that order, padded as this batch is (one process's
        share of a global batch)."""
        index = torch.as_tensor(list(positions), dtype=torch.long)
        picked = {}
        for f in fields(self):
            value = getattr(self, f.name)
            picked[f.name] = value.index_select(0, index) if isinstance(value, torch.Tensor) else value
        picked["ids"] = [self.ids[position] for position in positions]
        return Batch(**picked)

    def __len__(self) -> int:
        return int(self.input_ids.shape[0])
