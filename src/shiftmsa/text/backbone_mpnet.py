"""MPNet split in two (Eq. 3): ``MPNetModel`` without its pooler.

MPNet adds a relative position bias (B, heads, L, L) to every layer's attention scores;
``MPNetModel`` computes it once per batch from the sequence length, so ``embed`` does the same
and every ``run_layers`` call passes it on.
"""

from __future__ import annotations

from shiftmsa.text.backbone_base import SplitBackbone


class MPNetSplitBackbone(SplitBackbone):
    """``MPNetModel`` run in two parts (the offline ``all-mpnet-base-v2`` encoder is one).

    Args:
        encoder: a ``transformers.MPNetModel``.
    """

    family = "mpnet"

    def embed(self, input_ids, attention_mask, token_type_ids):
        from transformers.masking_utils import create_bidirectional_mask

        hidden = self.encoder.embeddings(input_ids=input_ids)
        mask = create_bidirectional_mask(config=self.encoder.config, inputs_embeds=hidden,
                                         attention_mask=attention_mask)
        return hidden, {"attention_mask": mask,
                        "position_bias": self.encoder.encoder.compute_position_bias(hidden)}

    def _run_layers(self, hidden, context, start, stop, attentions):
        for layer in self.encoder.encoder.layer[start:stop]:
            outputs = layer(hidden, context["attention_mask"], context["position_bias"],
                            output_attentions=attentions is not None)
            hidden = outputs[0]
            if attentions is not None:
                attentions.append(outputs[1])
        return hidden
