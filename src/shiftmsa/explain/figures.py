"""From traces to the numbers of each figure (``FigureData``); no drawing here."""

from __future__ import annotations

import re

import numpy as np

from shiftmsa.explain.figure_data import FigureData
from shiftmsa.explain.trace import UtteranceTrace


def file_stem(kind: str, utterance_id: str) -> str:
    """``<kind>_<id>`` with every character outside [A-Za-z0-9._-] replaced by ``_``."""
    return f"{kind}_{re.sub(r'[^A-Za-z0-9._-]', '_', utterance_id)}"


def parse_layers(spec: str | tuple, depth: int) -> tuple[int, ...]:
    """``"2,3,last"`` -> (2, 3, N): 1-based encoder layers, in order, without repeats.

    Args:
        spec: comma-separated layer numbers and ``last``, or a tuple of them.
        depth: N, the encoder's number of layers.
    """
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    layers: list[int] = []
    for item in (str(i).strip() for i in items):
        layer = depth if item == "last" else int(item) if item.isdigit() else None
        if layer is None or not 1 <= layer <= depth:
            raise ValueError(f"attention: layer {item!r} is not one of 1..{depth} or 'last' "
                             f"for this {depth}-layer encoder")
        if layer not in layers:
            layers.append(layer)
    return tuple(layers)


def _utterance_labels(trace: UtteranceTrace) -> dict:
    return {"utterance_id": trace.utterance_id, "prediction": trace.prediction, "label": trace.label}


def attention_data(trace: UtteranceTrace, layers: tuple[int, ...], per_head: bool) -> FigureData:
    """Fig. 6: the self-attention of ``layers``, mean over heads (and every head when
    ``per_head``), rows = queries, columns = keys, both over the utterance's tokens.

    Args:
        trace: a trace recorded with ``record_attention=True``.
        layers: 1-based layers (see ``parse_layers``).
        per_head: keep each head's matrix (``layer<n>/heads``, (H, T, T)) besides the mean.
    """
    arrays = {}
    for layer in layers:
        probabilities = trace.attentions[layer]
        arrays[f"layer{layer}/mean"] = probabilities.mean(axis=0)
        if per_head:
            arrays[f"layer{layer}/heads"] = probabilities
    return FigureData("attention", file_stem("attention", trace.utterance_id), arrays,
                      {**_utterance_labels(trace), "tokens": trace.tokens, "layers": list(layers),
                       "per_head": per_head})


def p_att_data(trace: UtteranceTrace, modalities: tuple[str, ...]) -> FigureData:
    """Fig. 8: MBA's p_att = p_t (.) p_m (Eq. 15) for each non-text modality, tokens on both axes.

    Args:
        trace: an utterance's trace.
        modalities: non-text modalities with a ``p_att/<m>`` extra.
    """
    arrays = {f"p_att/{m}": trace.extras[f"p_att/{m}"] for m in modalities}
    return FigureData("p_att", file_stem("p_att", trace.utterance_id), arrays,
                      {**_utterance_labels(trace), "tokens": trace.tokens, "modalities": list(modalities)})


def shift_data(trace: UtteranceTrace, modalities: tuple[str, ...]) -> FigureData:
    """Per word, the magnitude of the applied shift eta * ||h_s|| (Eq. 7-8) of each gate,
    averaged over the word's pieces. Words cut by ``max_length`` (no piece left) are left out.

    Args:
        trace: an utterance's trace.
        modalities: modalities with ``shift/<m>`` and ``eta/<m>`` extras (MSG-T, MSG-A, MSG-V).
    """
    kept = [w for w in range(len(trace.words)) if np.any(trace.word_of_token == w)]
    arrays = {}
    for modality in modalities:
        applied = trace.extras[f"eta/{modality}"] * np.linalg.norm(trace.extras[f"shift/{modality}"], axis=-1)
        arrays[f"shift/{modality}"] = np.array([applied[trace.word_of_token == w].mean() for w in kept],
                                               dtype=np.float32)
    return FigureData("shifts", file_stem("shifts", trace.utterance_id), arrays,
                      {**_utterance_labels(trace), "words": [trace.words[w] for w in kept],
                       "truncated_words": len(trace.words) - len(kept), "modalities": list(modalities)})


SIGN_CLASSES = ("negative", "neutral", "positive")


def tsne_data(embeddings: dict[str, dict[str, np.ndarray]], labels: np.ndarray, ids: list[str],
              settings: dict) -> FigureData:
    """Fig. 7: 2-D t-SNE coordinates per checkpoint and modality, with each utterance's label
    sign (-1 negative, 0 neutral, 1 positive).

    Args:
        embeddings: checkpoint title -> modality -> (n, 2) coordinates.
        labels: (n,) gold labels.
        ids: the n utterance ids.
        settings: how the embedding was made (seed, perplexity, position), kept with the data.
    """
    arrays = {f"{title}/{m}": coordinates for title, per_modality in embeddings.items()
              for m, coordinates in per_modality.items()}
    arrays["label"] = labels.astype(np.float32)
    arrays["sign"] = np.sign(labels).astype(np.int64)
    first = next(iter(embeddings.values()))
    return FigureData("tsne", "tsne", arrays, {"checkpoints": list(embeddings), "modalities": list(first),
                                               "ids": ids, "sign_classes": list(SIGN_CLASSES), **settings})
