"""``FigureData`` -> a matplotlib ``Figure`` (object API on the Agg canvas: no display, no pyplot)."""

from __future__ import annotations

import numpy as np

from shiftmsa.explain.figure_data import FigureData

SIGN_COLOURS = {-1: "#2166ac", 0: "#999999", 1: "#b2182b"}
MODALITY_SYMBOL = {"text": "t", "acoustic": "a", "visual": "v"}


def _new_figure(rows: int, columns: int, cell: tuple[float, float]):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(cell[0] * columns, cell[1] * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    return figure, axes


def _utterance_title(data: FigureData) -> str:
    labels = data.labels
    label = "no label" if labels["label"] is None else f"label {labels['label']:+.2f}"
    return f"{labels['utterance_id']}: prediction {labels['prediction']:+.2f}, {label}"


def _token_cell(count: int) -> float:
    return float(np.clip(0.16 * count + 1.2, 4.0, 8.0))


def _heatmap(axis, matrix: np.ndarray, tokens: list[str], title: str, *, diverging: bool = False) -> None:
    limit = float(np.abs(matrix).max()) or 1.0  # diverging maps are symmetric around 0
    options = {"cmap": "RdBu_r", "vmin": -limit, "vmax": limit} if diverging else {"cmap": "viridis", "vmin": 0.0}
    image = axis.imshow(matrix, **options)
    positions = np.arange(len(tokens))
    size = 7 if len(tokens) <= 30 else 5
    axis.set_xticks(positions, tokens, rotation=90, fontsize=size)
    axis.set_yticks(positions, tokens, fontsize=size)
    axis.set_title(title, fontsize=9)
    axis.figure.colorbar(image, ax=axis, shrink=0.8)


def draw_attention(data: FigureData):
    """Fig. 6: one heat map per layer (mean over heads); with per-head data, one row per layer
    with the mean first and then each head."""
    tokens, layers = data.labels["tokens"], data.labels["layers"]
    heads = data.arrays[f"layer{layers[0]}/heads"].shape[0] if data.labels["per_head"] else 0
    cell = _token_cell(len(tokens))
    if heads:
        figure, axes = _new_figure(len(layers), heads + 1, (cell, cell))
        for row, layer in enumerate(layers):
            _heatmap(axes[row, 0], data.arrays[f"layer{layer}/mean"], tokens, f"layer {layer}, mean of heads")
            for head in range(heads):
                _heatmap(axes[row, head + 1], data.arrays[f"layer{layer}/heads"][head], tokens,
                         f"layer {layer}, head {head + 1}")
    else:
        figure, axes = _new_figure(1, len(layers), (cell, cell))
        for column, layer in enumerate(layers):
            _heatmap(axes[0, column], data.arrays[f"layer{layer}/mean"], tokens, f"layer {layer} (mean of heads)")
    figure.suptitle(f"self-attention (rows attend to columns)\n{_utterance_title(data)}", fontsize=10)
    return figure


def draw_p_att(data: FigureData):
    """Fig. 8: p_att of MBA (Eq. 15) for t-a and t-v (in [-1, 1]; colours span +-max|p_att|)."""
    tokens, modalities = data.labels["tokens"], data.labels["modalities"]
    cell = _token_cell(len(tokens))
    figure, axes = _new_figure(1, len(modalities), (cell, cell))
    for column, modality in enumerate(modalities):
        _heatmap(axes[0, column], data.arrays[f"p_att/{modality}"], tokens,
                 f"p_att, text-{modality} (t-{MODALITY_SYMBOL[modality]})", diverging=True)
    figure.suptitle(f"MBA attention p_att\n{_utterance_title(data)}", fontsize=10)
    return figure


def draw_shifts(data: FigureData):
    """One bar chart per shifting gate: eta * ||h_s|| per word."""
    words, modalities = data.labels["words"], data.labels["modalities"]
    figure, axes = _new_figure(len(modalities), 1, (max(4.0, 0.45 * len(words) + 1.5), 2.2))
    positions = np.arange(len(words))
    for row, modality in enumerate(modalities):
        axis = axes[row, 0]
        axis.bar(positions, data.arrays[f"shift/{modality}"], color="#4d4d4d")
        axis.set_xticks(positions, words, rotation=60, fontsize=8)
        axis.set_ylabel(f"MSG-{MODALITY_SYMBOL[modality].upper()}\n" r"$\eta\,\|h_s\|$", fontsize=8)
    figure.suptitle(f"applied shift per word\n{_utterance_title(data)}", fontsize=10)
    return figure


def draw_tsne(data: FigureData):
    """Fig. 7: one scatter per (checkpoint, modality), coloured by label sign."""
    checkpoints, modalities = data.labels["checkpoints"], data.labels["modalities"]
    figure, axes = _new_figure(len(checkpoints), len(modalities), (3.4, 3.2))
    signs = data.arrays["sign"]
    for row, checkpoint in enumerate(checkpoints):
        for column, modality in enumerate(modalities):
            axis = axes[row, column]
            coordinates = data.arrays[f"{checkpoint}/{modality}"]
            for sign, name in zip((-1, 0, 1), data.labels["sign_classes"]):
                chosen = signs == sign
                axis.scatter(coordinates[chosen, 0], coordinates[chosen, 1], s=6, c=SIGN_COLOURS[sign],
                             label=f"{name} ({int(chosen.sum())})", alpha=0.8, linewidths=0)
            axis.set_xticks([])
            axis.set_yticks([])
            axis.set_title(f"{checkpoint}: M_{MODALITY_SYMBOL[modality]}*", fontsize=9)
    axes[0, 0].legend(fontsize=7, markerscale=2, loc="best")
    figure.suptitle(f"t-SNE of {len(signs)} utterances (seed {data.labels['seed']}, "
                    f"perplexity {data.labels['perplexity']:.0f})", fontsize=10)
    return figure


DRAWERS = {"attention": draw_attention, "p_att": draw_p_att, "shifts": draw_shifts, "tsne": draw_tsne}


def draw(data: FigureData):
    """The matplotlib ``Figure`` of ``data``."""
    return DRAWERS[data.kind](data)

