"""The paper's training figures as PNG (matplotlib, Agg backend: no display needed).

- Fig. 5: each metric (the paper's names and units) against the layer MSG-T follows, mean ± std
  over seeds as error bars.
- Fig. 9: validation F1 (f1_non0) per epoch with and without the Shifting HuberLoss, the mean
  over seeds as a line and ± one std as a band. The curves come from the per-epoch validation
  metrics each run records; the test split is not involved.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shiftmsa.experiments.reference import PAPER_METRICS
from shiftmsa.experiments.tables import TableRow
from shiftmsa.files import replacing

CURVE_METRIC = "f1_non0"


def _pyplot():
    try:
        import matplotlib
    except ImportError as error:
        raise RuntimeError("figures need matplotlib: pip install 'shiftmsa[reproduce]'") from error
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_layers(rows: list[TableRow], path: Path) -> None:
    """Fig. 5: one panel per metric, x = the layer MSG-T follows (0 = embeddings).

    Args:
        rows: the ``layer<i>`` rows of the fig5 spec; rows without results are left out.
        path: the PNG to write.
    """
    plt = _pyplot()
    measured = [(int(r.row.key.removeprefix("layer")), r) for r in rows if r.aggregate(PAPER_METRICS[0].key)]
    figure, axes = plt.subplots(1, len(PAPER_METRICS), figsize=(3.2 * len(PAPER_METRICS), 3.0))
    for axis, metric in zip(axes, PAPER_METRICS):
        layers = [layer for layer, _ in measured]
        values = [row.aggregate(metric.key) for _, row in measured]
        means = [metric.scale(v.mean) for v in values]
        stds = [0.0 if np.isnan(v.std) else metric.scale(v.std) for v in values]
        axis.errorbar(layers, means, yerr=stds, marker="o", capsize=3)
        axis.set_xlabel("MSG-T after layer")
        axis.set_title(f"{metric.name} ({metric.key}{', %' if metric.percent else ''})")
        axis.set_xticks(layers)
    figure.tight_layout()
    with replacing(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=120)
    plt.close(figure)


def epoch_curves(records: list[dict], metric: str = CURVE_METRIC) -> np.ndarray:
    """(seeds, epochs) validation values of ``metric`` from the records' histories, cut to the
    shortest history.

    Args:
        records: one row's store records (each with ``history[i]["valid"]``).
        metric: a metric of ``regression_metrics``.
    """
    curves = [[entry["valid"][metric] for entry in record.get("history", []) if "valid" in entry]
              for record in records]
    length = min((len(curve) for curve in curves), default=0)
    return np.array([curve[:length] for curve in curves], dtype=np.float64).reshape(len(curves), length)


def plot_curves(curves: dict[str, np.ndarray], path: Path, metric: str = CURVE_METRIC) -> None:
    """Fig. 9: per curve name, the mean over seeds per epoch and a ± std band.

    Args:
        curves: legend label -> (seeds, epochs) values from ``epoch_curves``.
        path: the PNG to write.
        metric: the metric's name, for the axis label.
    """
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(5.5, 3.6))
    for label, values in curves.items():
        if values.size == 0:
            continue
        epochs = np.arange(1, values.shape[1] + 1)
        mean, std = values.mean(axis=0), values.std(axis=0, ddof=1) if len(values) > 1 else 0 * values[0]
        axis.plot(epochs, mean * 100, label=f"{label} ({len(values)} seeds)")
        axis.fill_between(epochs, (mean - std) * 100, (mean + std) * 100, alpha=0.25)
    axis.set_xlabel("epoch")
    axis.set_ylabel(f"validation F1 ({metric}, %)")
    axis.legend()
    figure.tight_layout()
    with replacing(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=120)
    plt.close(figure)
