"""A Hugging Face text encoder split at layer i, so a module can shift F_t in between (Eq. 3).

``embed`` runs the embeddings and prepares what every layer needs (attention mask, and for XLNet
the relative positions and segment matrix); ``run_layers(hidden, context, start, stop)`` runs
layers ``start+1 .. stop`` (1-based, as in the paper) on (B, L, D) hidden states with the same
mask. Running ``run_layers(.., 0, i)``, changing F_t, then ``run_layers(.., i, N)`` is the paper's
"F_t = first i layers; F_t* continues through layers i+1..N". With nothing changed the result
equals the encoder's own forward pass.

``run_layers(..., output_attentions=True)`` also returns each run layer's attention
probabilities (B, heads, L, L), computed with the eager attention implementation for that call
only (SDPA returns no probabilities); off by default, so training pays nothing for it.

Supported families: BERT (``BertModel``; the default MiniLM encoder is one) and XLNet
(``XLNetModel``, content stream only, as ``XLNetModel.forward`` runs a plain encoding: no
``perm_mask``, no ``target_mapping``, no memory).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from shiftmsa.text.encoders import resolve_encoder

LayerContext = dict[str, Any]


class SplitBackbone(nn.Module):
    """Base class: a text encoder whose layers can be run in two parts.

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
        """Embeddings (B, L, D) and the per-batch context every layer needs."""
        raise NotImplementedError

    def run_layers(self, hidden: torch.Tensor, context: LayerContext, start: int, stop: int,
                   output_attentions: bool = False) -> torch.Tensor | tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        """Run layers ``start+1 .. stop`` (1-based) on (B, L, D) hidden states.

        Args:
            hidden: (B, L, D) input of layer ``start+1``.
            context: what ``embed`` prepared for this batch.
            start, stop: 0 <= start <= stop <= N.
            output_attentions: also return the attention probabilities of the run layers, one
                (B, heads, L, L) tensor per layer (rows: queries, columns: keys).
        """
        raise NotImplementedError

    def check_layer(self, layer: int) -> None:
        if not 0 <= layer <= self.num_layers:
            raise ValueError(f"split layer {layer} is outside 0..{self.num_layers} for this "
                             f"{self.num_layers}-layer {self.family} encoder")

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        """The unsplit encoding: all layers, (B, L, D)."""
        hidden, context = self.embed(input_ids, attention_mask, token_type_ids)
        return self.run_layers(hidden, context, 0, self.num_layers)


class BertSplitBackbone(SplitBackbone):
    """``BertModel`` (without its pooler) run in two parts; see the module docstring.

    Args:
        encoder: a ``transformers.BertModel``.
    """

    family = "bert"

    def embed(self, input_ids, attention_mask, token_type_ids):
        from transformers.masking_utils import create_bidirectional_mask

        hidden = self.encoder.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        mask = create_bidirectional_mask(config=self.encoder.config, inputs_embeds=hidden,
                                         attention_mask=attention_mask)
        return hidden, {"attention_mask": mask}

    def run_layers(self, hidden, context, start, stop, output_attentions=False):
        self.check_layer(start)
        self.check_layer(stop)
        layers = self.encoder.encoder.layer[start:stop]
        if not output_attentions:
            for layer in layers:
                hidden = layer(hidden, context["attention_mask"])
            return hidden
        # BertLayer returns no probabilities: BertSelfAttention's second output holds them.
        probabilities: list[torch.Tensor] = []
        hooks = [layer.attention.self.register_forward_hook(lambda _m, _i, output: probabilities.append(output[1]))
                 for layer in layers]
        config = self.encoder.config
        implementation = config._attn_implementation
        config._attn_implementation = "eager"
        try:
            mask = additive_mask(context["attention_mask"], hidden.dtype)
            for layer in layers:
                hidden = layer(hidden, mask)
        finally:
            config._attn_implementation = implementation
            for hook in hooks:
                hook.remove()
        return hidden, tuple(probabilities)


def additive_mask(mask: torch.Tensor | None, dtype: torch.dtype) -> torch.Tensor | None:
    """The eager attention's mask (0 to keep, the dtype's minimum to drop) from SDPA's boolean one.

    Args:
        mask: (B, 1, L, L) boolean (True = attend), an additive float mask (returned as is) or None.
        dtype: the hidden states' dtype.
    """
    if mask is None or mask.dtype != torch.bool:
        return mask
    return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(~mask, torch.finfo(dtype).min)


class XLNetSplitBackbone(SplitBackbone):
    """``XLNetModel`` run in two parts, content stream only (relative positions, segment
    matrix and the padding mask prepared exactly as ``XLNetModel.forward`` does without memory).

    The query-stream ``mask_emb`` is never read by the content stream, so it is frozen
    (``requires_grad=False``) rather than left without a gradient.

    Args:
        encoder: a ``transformers.XLNetModel``.
    """

    family = "xlnet"

    def __init__(self, encoder: nn.Module) -> None:
        super().__init__(encoder)
        encoder.mask_emb.requires_grad_(False)

    @property
    def hidden_size(self) -> int:
        return int(self.encoder.config.d_model)

    @property
    def num_layers(self) -> int:
        return int(self.encoder.config.n_layer)

    def embed(self, input_ids, attention_mask, token_type_ids):
        model = self.encoder
        length, batch_size = input_ids.shape[1], input_ids.shape[0]
        dtype = model.dtype
        causal = (model.create_mask(length, 0)[:, :, None, None] if model.attn_type == "uni" else None)
        if attention_mask is not None:
            padding = (1.0 - attention_mask.transpose(0, 1).to(dtype))[None, :, :, None]
            causal = padding if causal is None else causal + padding
        content_mask = None
        if causal is not None:
            causal = (causal > 0).to(dtype)
            not_self = -torch.eye(length, device=causal.device, dtype=dtype)[:, :, None, None]
            content_mask = ((causal + not_self) > 0).to(dtype)
        segments = None
        if token_type_ids is not None:
            token_types = token_type_ids.transpose(0, 1)
            different = (token_types[:, None] != token_types[None, :]).long()
            segments = nn.functional.one_hot(different, num_classes=2).to(dtype)
        hidden = model.dropout(model.word_embedding(input_ids))
        positions = model.relative_positional_encoding(length, length, bsz=batch_size, device=hidden.device)
        context = {"attn_mask_h": content_mask, "attn_mask_g": causal, "r": model.dropout(positions),
                   "seg_mat": segments}
        return hidden, context

    def run_layers(self, hidden, context, start, stop, output_attentions=False):
        self.check_layer(start)
        self.check_layer(stop)
        stream = hidden.transpose(0, 1)
        probabilities = []
        for layer in self.encoder.layer[start:stop]:
            outputs = layer(stream, None, mems=None, target_mapping=None, output_attentions=output_attentions,
                            **context)
            stream = outputs[0]
            if output_attentions:  # XLNet's (query, key, batch, head) -> (batch, head, query, key)
                probabilities.append(outputs[2].permute(2, 3, 0, 1))
        hidden = stream.transpose(0, 1)
        hidden = self.encoder.dropout(hidden) if stop == self.num_layers else hidden
        return (hidden, tuple(probabilities)) if output_attentions else hidden


BACKBONE_FAMILIES: dict[str, type[SplitBackbone]] = {
    "bert": BertSplitBackbone,
    "xlnet": XLNetSplitBackbone,
}


def encoder_config(name_or_path: str):
    """The Hugging Face config of an encoder (no weights are read)."""
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(resolve_encoder(name_or_path))
    if config.model_type not in BACKBONE_FAMILIES:
        raise ValueError(f"encoder {name_or_path!r} is a {config.model_type!r} model; supported "
                         f"families: {', '.join(BACKBONE_FAMILIES)}")
    return config


def encoder_depth(name_or_path: str) -> int:
    """Number of layers N of an encoder, so split layers 0..N are valid (Fig. 5)."""
    config = encoder_config(name_or_path)
    return int(config.num_hidden_layers)


def load_split_backbone(name_or_path: str, *, load_pretrained: bool = True) -> SplitBackbone:
    """A split backbone from ``"minilm"``, a local folder or a hub name.

    Args:
        name_or_path: see ``shiftmsa.text.encoders.resolve_encoder``.
        load_pretrained: False builds the encoder from its config with random weights (used when
            a checkpoint's weights are loaded afterwards).
    """
    from transformers import BertModel, XLNetModel

    config = encoder_config(name_or_path)
    model_class = {"bert": BertModel, "xlnet": XLNetModel}[config.model_type]
    # float32 whatever the checkpoint stores (a float16 copy of the weights is still trained in
    # float32; mixed precision is the trainer's choice): transformers 5 would keep float16.
    encoder = (model_class.from_pretrained(resolve_encoder(name_or_path), dtype=torch.float32)
               if load_pretrained else model_class(config))
    if config.model_type == "bert":
        encoder.pooler = None  # loaded with the checkpoint (no load warning), never used
    return BACKBONE_FAMILIES[config.model_type](encoder)
