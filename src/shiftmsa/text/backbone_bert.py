"""BERT and RoBERTa split in two (Eq. 3): ``BertModel`` and ``RobertaModel`` without their pooler.

Both are an embedding block and a stack of post-norm layers that read one attention mask;
RoBERTa differs only in its embeddings (positions counted from ``padding_idx + 1`` over real
tokens, so left and right padding give the same positions as the unsplit model computes).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from torch import nn

from shiftmsa.text.backbone_base import SplitBackbone

EAGER = "eager"


@contextmanager
def eager_attention(encoder: nn.Module) -> Iterator[None]:
    """While open, the encoder's layers use the eager attention path, the only one that returns
    probabilities (SDPA returns none); the previous implementation is restored afterwards.

    Args:
        encoder: a Hugging Face model whose attention modules read ``config._attn_implementation``.
    """
    previous = encoder.config._attn_implementation
    encoder.config._attn_implementation = EAGER
    try:
        yield
    finally:
        encoder.config._attn_implementation = previous


@contextmanager
def recording_attentions(attention_modules: list[nn.Module], into: list) -> Iterator[None]:
    """While open, append the probabilities each attention module returns (the second element
    of its output) to ``into``, in the order the modules run; the hooks are removed afterwards.

    Args:
        attention_modules: the layers' ``BertAttention`` modules.
        into: the list to append to.
    """
    handles = [module.register_forward_hook(lambda _module, _args, output: into.append(output[1]))
               for module in attention_modules]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


class BertSplitBackbone(SplitBackbone):
    """``BertModel`` (the default MiniLM encoder is one) run in two parts; see
    ``shiftmsa.text.backbone_base``.

    The context holds the mask in the format of the model's attention implementation (SDPA by
    default) and the (B, L) padding mask, from which an eager-format mask is made when
    attention probabilities are asked for.

    Args:
        encoder: a ``transformers.BertModel``.
    """

    family = "bert"

    def _mask(self, hidden, padding_mask):
        from transformers.masking_utils import create_bidirectional_mask

        return create_bidirectional_mask(config=self.encoder.config, inputs_embeds=hidden,
                                         attention_mask=padding_mask)

    def embed(self, input_ids, attention_mask, token_type_ids):
        hidden = self.encoder.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        return hidden, {"attention_mask": self._mask(hidden, attention_mask), "padding_mask": attention_mask}

    def _run_layers(self, hidden, context, start, stop, attentions):
        layers = list(self.encoder.encoder.layer[start:stop])
        if attentions is None:
            for layer in layers:
                hidden = layer(hidden, context["attention_mask"])
            return hidden
        with eager_attention(self.encoder), recording_attentions([layer.attention for layer in layers], attentions):
            mask = self._mask(hidden, context["padding_mask"])
            for layer in layers:
                hidden = layer(hidden, mask)
        return hidden


class RobertaSplitBackbone(BertSplitBackbone):
    """``RobertaModel`` run in two parts: BERT's layers after RoBERTa's embeddings.

    Args:
        encoder: a ``transformers.RobertaModel``.
    """

    family = "roberta"
