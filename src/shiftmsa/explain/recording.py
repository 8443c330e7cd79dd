"""Record the encoder's attention probabilities during an ordinary forward pass of a model."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import torch

from shiftmsa.text.backbone import SplitBackbone


@contextmanager
def recorded_attentions(backbone: SplitBackbone) -> Iterator[dict[int, torch.Tensor]]:
    """While active, every ``run_layers`` call of ``backbone`` also records the attention
    probabilities of the layers it runs (``output_attentions=True``), keyed by 1-based layer.

    The model's forward pass is unchanged (it still receives hidden states only): the instance's
    ``run_layers`` is wrapped for the duration of the block, so both the layers before the split
    (F_t, Eq. 3) and after it (M_t*) are recorded.

    Args:
        backbone: the model's split text encoder.
    """
    recorded: dict[int, torch.Tensor] = {}
    original = backbone.run_layers

    def recording(hidden, context, start, stop, *, output_attentions=False):
        output = original(hidden, context, start, stop, output_attentions=True)
        recorded.update({start + 1 + offset: p for offset, p in enumerate(output.attentions)})
        return output if output_attentions else output.hidden

    backbone.run_layers = recording
    try:
        yield recorded
    finally:
        del backbone.run_layers
