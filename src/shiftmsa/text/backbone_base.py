"""The split-backbone interface: a text encoder whose layers run in two calls (Eq. 3).

``embed`` runs the embeddings and prepares, once per batch, what every layer needs (attention
mask, relative positions or position bias); ``run_layers(hidden, context, start, stop)`` runs
layers ``start+1 .. stop`` (1-based, as in the paper) on (B, L, D) hidden states. Running
``run_layers(.., 0, i)``, changing F_t, then ``run_layers(.., i, N)`` is the paper's "F_t =
first i layers; F_t* continues through layers i+1..N" (Eq. 3 and the text after Eq. 8). With
nothing changed the result equals the encoder's own forward pass.

Attention probabilities: ``run_layers(..., output_attentions=True)`` returns a
``LayerStackOutput`` (hidden states and one (B, heads, L, L) softmax per layer run, in order)
instead of the bare tensor. Off by default, so training pays nothing for it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch
from torch import nn

LayerContext = dict[str, Any]


class LayerStackOutput(NamedTuple):
    """What ``run_layers(..., output_attentions=True)`` returns.

    Args:
        hidden: (B, L, D) hidden states after the last layer run.
        attentions: one (B, heads, L, L) tensor of attention probabilities per layer run, in
            layer order (empty when ``start == stop``); rows of padded queries are whatever the
            encoder computes for them, columns of padded keys are 0.
    """

    hidden: torch.Tensor
    attentions: tuple[torch.Tensor, ...]


class SplitBackbone(nn.Module):
    """Base class: a text encoder whose layers can be run in two parts.

    Subclasses implement ``embed`` and ``_run_layers``; ``run_layers`` checks the layer range.

    Args:
        encoder: the Hugging Face model (kept as ``self.encoder``).
    """

    family = ""

    def __init__(self, encoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder

    @property
    def hidden_size(self) -> int:
        return int(self.encoder.config.hidden_size)

    @property
    def num_layers(self) -> int:
        return int(self.encoder.config.num_hidden_layers)

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
              token_type_ids: torch.Tensor | None) -> tuple[torch.Tensor, LayerContext]:
        """Embeddings (B, L, D) and the per-batch context every layer needs.

        Args:
            input_ids: (B, L) token ids.
            attention_mask: (B, L), 1 on real tokens and 0 on padding.
            token_type_ids: (B, L) segment ids, or None (families without segments ignore them).
        """
        raise NotImplementedError

    def _run_layers(self, hidden: torch.Tensor, context: LayerContext, start: int, stop: int,
                    attentions: list[torch.Tensor] | None) -> torch.Tensor:
        """Layers ``start+1 .. stop``; appends each layer's probabilities to ``attentions`` when
        it is a list."""
        raise NotImplementedError

    def run_layers(self, hidden: torch.Tensor, context: LayerContext, start: int, stop: int, *,
                   output_attentions: bool = False) -> torch.Tensor | LayerStackOutput:
        """Run layers ``start+1 .. stop`` (1-based) on (B, L, D) hidden states.

        Args:
            hidden: (B, L, D) input of layer ``start + 1`` (the embeddings when ``start`` is 0).
            context: what ``embed`` returned for this batch.
            start, stop: 0 <= start <= stop <= N.
            output_attentions: also return every run layer's attention probabilities (a
                ``LayerStackOutput``); False returns the (B, L, D) tensor alone.
        """
        self.check_layer(start)
        self.check_layer(stop)
        if start > stop:
            raise ValueError(f"cannot run layers {start + 1}..{stop}: start {start} is after stop {stop}")
        attentions: list[torch.Tensor] | None = [] if output_attentions else None
        hidden = self._run_layers(hidden, context, start, stop, attentions)
        return LayerStackOutput(hidden, tuple(attentions)) if attentions is not None else hidden

    def check_layer(self, layer: int) -> None:
        """Refuse a split layer outside 0..N (Fig. 5's presets sweep i over 0..N; 0 is after the embeddings)."""
        if not 0 <= layer <= self.num_layers:
            raise ValueError(f"split layer {layer} is outside 0..{self.num_layers} for this "
                             f"{self.num_layers}-layer {self.family} encoder")

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        """The unsplit encoding: all layers, (B, L, D)."""
        hidden, context = self.embed(input_ids, attention_mask, token_type_ids)
        return self.run_layers(hidden, context, 0, self.num_layers)
