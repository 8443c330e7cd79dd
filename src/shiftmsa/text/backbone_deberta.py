"""DeBERTa-v2 / v3 split in two (Eq. 3): ``DebertaV2Model``.

DeBERTa's layers take, besides the hidden states, its own attention mask (the (B, 1, L, L)
product of the padding mask with itself), the relative positions (bucketed, from the sequence
length) and the relative embeddings (LayerNorm-ed once when the config asks for it); ``embed``
prepares all three once per batch, as ``DebertaV2Encoder.forward`` does. Where the config has a
convolution (``conv_kernel_size`` > 0), it runs after layer 1 on that layer's input and output,
so it belongs to whichever call runs layer 1.
"""

from __future__ import annotations

from shiftmsa.text.backbone_base import SplitBackbone


class DebertaV2SplitBackbone(SplitBackbone):
    """``DebertaV2Model`` (DeBERTa-v2 and v3) run in two parts.

    Args:
        encoder: a ``transformers.DebertaV2Model`` with ``z_steps`` <= 1 (released checkpoints
            have 0; ``z_steps`` > 1 re-runs the last layer with other query states).
    """

    family = "deberta-v2"

    def __init__(self, encoder) -> None:
        if encoder.z_steps > 1:
            raise ValueError(f"DeBERTa with z_steps={encoder.z_steps} cannot be split (only z_steps <= 1)")
        super().__init__(encoder)

    def embed(self, input_ids, attention_mask, token_type_ids):
        encoder = self.encoder.encoder
        if token_type_ids is None:
            token_type_ids = input_ids.new_zeros(input_ids.shape)
        hidden = self.encoder.embeddings(input_ids=input_ids, token_type_ids=token_type_ids, mask=attention_mask)
        return hidden, {"attention_mask": encoder.get_attention_mask(attention_mask),
                        "padding_mask": attention_mask,
                        "relative_pos": encoder.get_rel_pos(hidden),
                        "rel_embeddings": encoder.get_rel_embedding()}

    def _run_layers(self, hidden, context, start, stop, attentions):
        encoder = self.encoder.encoder
        for index in range(start, stop):
            output, probabilities = encoder.layer[index](
                hidden, context["attention_mask"], relative_pos=context["relative_pos"],
                rel_embeddings=context["rel_embeddings"], output_attentions=attentions is not None)
            if index == 0 and encoder.conv is not None:
                output = encoder.conv(hidden, output, context["padding_mask"])
            if attentions is not None:
                attentions.append(probabilities)
            hidden = output
        return hidden
