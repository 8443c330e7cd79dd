"""The data of one figure, and the error for a figure a model cannot give."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shiftmsa.models.modalities import MODALITIES


class UnavailableFigure(ValueError):
    """A requested figure needs an intermediate that this model does not produce."""


@dataclass
class FigureData:
    """The numbers behind one figure.

    Args:
        kind: ``attention``, ``p_att``, ``shifts`` or ``tsne``.
        name: file stem, unique within one explanation (``attention_<utterance id>``).
        arrays: named arrays (e.g. ``layer2/mean`` (T, T), ``p_att/acoustic`` (T, T)).
        labels: JSON-ready axis labels and titles (tokens, words, ids, prediction, ...).
    """

    kind: str
    name: str
    arrays: dict[str, np.ndarray]
    labels: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Kind, labels, and every array as nested lists (shapes listed beside them)."""
        return {"kind": self.kind, "name": self.name, **self.labels,
                "shapes": {key: list(value.shape) for key, value in self.arrays.items()},
                "arrays": {key: value.tolist() for key, value in self.arrays.items()}}


# what each kind of extra is, to name it in errors
EXTRA_MEANING = {
    "shift": ("the shift h_s of a Multimodal Shifting Gate (Eq. 6)", "it has no shifting gate on"),
    "p_att": ("the MBA attention p_att (Eq. 15)", "it has no Masked Bimodal Adjustment for"),
    "fused": ("the representation M_m* that enters the fusion (Fig. 2)", "it does not use"),
}


def available_modalities(extras: dict[str, Any], prefix: str, wanted: tuple[str, ...] | None,
                         figure: str, model: str) -> tuple[str, ...]:
    """The modalities whose ``<prefix>/<modality>`` extra the model gives, in MODALITIES order.

    Args:
        extras: names of one output's extras (``RegressionOutput.extras``).
        prefix: ``shift``, ``p_att`` or ``fused``.
        wanted: modalities asked for (every one must be there), or None for all that are.
        figure: the figure's name, for the error.
        model: the model's name (and preset), for the error.
    """
    meaning, reason = EXTRA_MEANING[prefix]
    present = tuple(m for m in MODALITIES if f"{prefix}/{m}" in extras)
    if wanted is None:
        if not present:
            raise UnavailableFigure(f"{figure}: model {model} gives no {prefix}/<modality>, {meaning}: "
                                    f"{reason} any modality")
        return present
    missing = [m for m in wanted if m not in present]
    if missing:
        raise UnavailableFigure(f"{figure}: model {model} gives no {', '.join(f'{prefix}/{m}' for m in missing)}, "
                                f"{meaning}: {reason} {' or '.join(missing)} "
                                f"(it has: {', '.join(present) or 'none'})")
    return tuple(m for m in MODALITIES if m in wanted)
