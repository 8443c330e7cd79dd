"""XLNet split in two (Eq. 3): ``XLNetModel``, content stream only.

``XLNetModel.forward`` runs a plain encoding (no ``perm_mask``, no ``target_mapping``, no
memory); ``embed`` prepares the relative positions, segment matrix and padding mask exactly as
it does then. XLNet's layers are sequence-first, so ``run_layers`` transposes in and out.
"""

from __future__ import annotations

import torch
from torch import nn

from shiftmsa.text.backbone_base import SplitBackbone


class XLNetSplitBackbone(SplitBackbone):
    """``XLNetModel`` run in two parts.

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

    def _run_layers(self, hidden, context, start, stop, attentions):
        stream = hidden.transpose(0, 1)
        for layer in self.encoder.layer[start:stop]:
            outputs = layer(stream, None, mems=None, target_mapping=None,
                            output_attentions=attentions is not None, **context)
            stream = outputs[0]
            if attentions is not None:
                attentions.append(outputs[2].permute(2, 3, 0, 1))  # (L, L, B, heads) -> (B, heads, L, L)
        hidden = stream.transpose(0, 1)
        return self.encoder.dropout(hidden) if stop == self.num_layers else hidden
