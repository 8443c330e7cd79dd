"""One forward pass per utterance, kept with its tokens: what the per-utterance figures draw."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from shiftmsa.data.contract import Utterance
from shiftmsa.explain.recording import recorded_attentions
from shiftmsa.modules.pooling import pool
from shiftmsa.text.backbone import SplitBackbone
from shiftmsa.training.modelling import PreparedModel


@dataclass
class UtteranceTrace:
    """One utterance through a model, without padding (a batch of one).

    Args:
        utterance_id: the utterance's id.
        words: its words.
        tokens: the T token strings the model read (special tokens included).
        word_of_token: (T,) index into ``words`` of each token, -1 for special tokens.
        prediction: the model's score.
        label: the gold label, or None for inputs without one.
        extras: the output's extras for this utterance (leading batch axis removed).
        attentions: 1-based layer -> (heads, T, T) attention probabilities; empty unless recorded.
    """

    utterance_id: str
    words: tuple[str, ...]
    tokens: list[str]
    word_of_token: np.ndarray
    prediction: float
    label: float | None
    extras: dict[str, np.ndarray]
    attentions: dict[int, np.ndarray]


def text_backbone(prepared: PreparedModel) -> SplitBackbone | None:
    """The model's split text encoder, or None for a model without one."""
    backbone = getattr(prepared.model, "backbone", None)
    return backbone if isinstance(backbone, SplitBackbone) else None


def model_title(prepared: PreparedModel) -> str:
    """``name`` or ``name:preset``, for titles and errors."""
    return f"{prepared.name}:{prepared.preset}" if prepared.preset else prepared.name


@torch.no_grad()
def trace_utterance(prepared: PreparedModel, utterance: Utterance, *, record_attention: bool,
                    labelled: bool) -> UtteranceTrace:
    """Run ``utterance`` alone through the model (eval mode) and keep what the figures need.

    Args:
        prepared: the model with its batch builder.
        utterance: the utterance.
        record_attention: also record every encoder layer's attention probabilities (the model
            must have a split text encoder).
        labelled: whether ``utterance.label`` is a gold label (False for new utterances).
    """
    prepared.model.eval()
    builder = prepared.batch_builder
    batch = builder([utterance])
    backbone = text_backbone(prepared)
    recording = recorded_attentions(backbone) if record_attention and backbone is not None else nullcontext({})
    with recording as attentions:
        output = prepared.model(**batch.model_inputs())
    pieces = builder.encode(utterance).word_index
    word_of_token = np.full(batch.input_ids.shape[1], -1, dtype=np.int64)
    first_piece = len(builder.special.prefix_ids)
    word_of_token[first_piece:first_piece + len(pieces)] = pieces
    return UtteranceTrace(
        utterance_id=utterance.id, words=utterance.words,
        tokens=list(prepared.tokenizer.convert_ids_to_tokens(batch.input_ids[0].tolist())),
        word_of_token=word_of_token, prediction=float(output.prediction[0]),
        label=float(utterance.label) if labelled else None,
        extras={name: value[0].float().numpy() for name, value in output.extras.items()},
        attentions={layer: value[0].float().numpy() for layer, value in sorted(attentions.items())})


@torch.no_grad()
def pooled_representations(prepared: PreparedModel, utterances: Sequence[Utterance],
                           modalities: tuple[str, ...], batch_size: int = 64) -> dict[str, np.ndarray]:
    """``fused/<m>`` (M_t*, M_a*, M_v*) of every utterance at the position the prediction reads:
    the [CLS] row, or the mean over real tokens for a model with ``pooling: mean``.

    Args:
        prepared: the model (its output must carry ``fused/<m>`` for every modality).
        utterances: the utterances, in order.
        modalities: which ``fused/<m>`` to pool.
        batch_size: utterances per forward pass.

    Returns:
        modality -> (len(utterances), d_m) float32.
    """
    prepared.model.eval()
    how = getattr(prepared.model_config, "pooling", "cls")
    pooled: dict[str, list[np.ndarray]] = {m: [] for m in modalities}
    for start in range(0, len(utterances), batch_size):
        batch = prepared.batch_builder(list(utterances[start:start + batch_size]))
        extras = prepared.model(**batch.model_inputs()).extras
        for modality in modalities:
            rows = pool(extras[f"fused/{modality}"], batch.attention_mask, batch.cls_index, how)
            pooled[modality].append(rows.float().numpy())
    return {m: np.concatenate(rows) for m, rows in pooled.items()}
