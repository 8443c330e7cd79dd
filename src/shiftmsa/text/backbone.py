"""Load a Hugging Face text encoder as a split backbone (Eq. 3), its family read from its config.

The interface (``embed``, ``run_layers`` with its ``output_attentions`` flag) is in
``shiftmsa.text.backbone_base``; one module per family implements it:

| ``model_type`` | model class | module |
|---|---|---|
| ``bert`` | ``BertModel`` (MiniLM, BERT) | ``backbone_bert`` |
| ``roberta`` | ``RobertaModel`` | ``backbone_bert`` |
| ``mpnet`` | ``MPNetModel`` (all-mpnet-base-v2) | ``backbone_mpnet`` |
| ``deberta-v2`` | ``DebertaV2Model`` (DeBERTa-v2 and v3) | ``backbone_deberta`` |
| ``xlnet`` | ``XLNetModel`` | ``backbone_xlnet`` |
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from shiftmsa.text.backbone_base import LayerContext, LayerStackOutput, SplitBackbone
from shiftmsa.text.backbone_bert import BertSplitBackbone, RobertaSplitBackbone
from shiftmsa.text.backbone_deberta import DebertaV2SplitBackbone
from shiftmsa.text.backbone_mpnet import MPNetSplitBackbone
from shiftmsa.text.backbone_xlnet import XLNetSplitBackbone
from shiftmsa.text.encoders import resolve_encoder

__all__ = ["BACKBONE_FAMILIES", "LayerContext", "LayerStackOutput", "SplitBackbone", "encoder_config",
           "encoder_depth", "load_split_backbone"]


class Family(NamedTuple):
    """A supported encoder family: its split backbone and the ``transformers`` class name."""

    backbone: type[SplitBackbone]
    model_class: str


BACKBONE_FAMILIES: dict[str, Family] = {
    "bert": Family(BertSplitBackbone, "BertModel"),
    "roberta": Family(RobertaSplitBackbone, "RobertaModel"),
    "mpnet": Family(MPNetSplitBackbone, "MPNetModel"),
    "deberta-v2": Family(DebertaV2SplitBackbone, "DebertaV2Model"),
    "xlnet": Family(XLNetSplitBackbone, "XLNetModel"),
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


def load_split_backbone(name_or_path: str, *, load_pretrained: bool = True,
                        keep_pooler: bool = False) -> SplitBackbone:
    """A split backbone from ``"minilm"``, an installed offline encoder, a local folder or a hub name.

    Args:
        name_or_path: see ``shiftmsa.text.encoders.resolve_encoder``.
        load_pretrained: False builds the encoder from its config with random weights (used when
            a checkpoint's weights are loaded afterwards).
        keep_pooler: keep BERT's pretrained pooler as ``encoder.pooler`` (MAG-BERT classifies
            from it); by default it is dropped, unused. XLNet has none.
    """
    import transformers

    config = encoder_config(name_or_path)
    family = BACKBONE_FAMILIES[config.model_type]
    model_class = getattr(transformers, family.model_class)
    # float32 whatever the checkpoint stores (a float16 copy of the weights is still trained in
    # float32; mixed precision is the trainer's choice): transformers 5 would keep float16.
    encoder = (model_class.from_pretrained(resolve_encoder(name_or_path), dtype=torch.float32)
               if load_pretrained else model_class(config))
    if getattr(encoder, "pooler", None) is not None and not keep_pooler:
        encoder.pooler = None  # loaded with the checkpoint (no load warning), never used
    return family.backbone(encoder)
