"""The paper's published numbers, shipped as data (``paper_numbers.yaml``), and how ours are named
beside them.

Section IV-D states the conventions: Acc7, Acc2 (zero labels excluded, "following [44]"), F1
(weighted, Eq. 21), MAE (Eq. 22) and Corr (Eq. 23), all "consistent with" MAG-BERT, whose
evaluation drops zero labels for MAE and Corr too (docs/metrics.md); Acc7 / Acc2 / F1 are
printed in percent.
``PAPER_METRICS`` maps each of the paper's names to the metric of ``shiftmsa.evaluation`` that
computes the same thing, and says whether it is a percentage.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

REFERENCE_FILE = "paper_numbers.yaml"


@dataclass(frozen=True)
class PaperMetric:
    """One column of the paper's tables.

    Args:
        name: the paper's name (``Acc2``).
        key: our metric that computes it (``acc2_non0``).
        percent: printed in percent (ours are fractions and are scaled to match).
        higher_is_better: False for MAE.
    """

    name: str
    key: str
    percent: bool
    higher_is_better: bool = True

    def scale(self, value: float) -> float:
        """One of our values (a fraction) in the paper's unit."""
        return value * 100 if self.percent else value


PAPER_METRICS: tuple[PaperMetric, ...] = (
    PaperMetric("Acc7", "acc7", True),
    PaperMetric("Acc2", "acc2_non0", True),
    PaperMetric("F1", "f1_non0", True),
    PaperMetric("MAE", "mae_non0", False, higher_is_better=False),
    PaperMetric("Corr", "corr_non0", False),
)


@lru_cache(maxsize=1)
def load_reference() -> dict:
    """The parsed ``paper_numbers.yaml``: ``{"columns": [...], "tables": {...}}``."""
    text = resources.files("shiftmsa.experiments").joinpath(REFERENCE_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def paper_values(table: str, dataset: str | None, family: str | None, row: str) -> dict[str, float | None]:
    """The paper's values of one row, by our metric name, in the paper's units; empty when the
    paper has no such row (another dataset, backbone family or method).

    Args:
        table: ``table1`` .. ``table6`` (``table2`` is Table II, MOSEI's Table I).
        dataset: ``mosi`` or ``mosei`` (None: no paper numbers).
        family: ``bert``, ``xlnet`` or ``glove``.
        row: the row key (a registry name for Tables I-II, a preset's row otherwise).
    """
    reference = load_reference()
    values = reference["tables"].get(table, {}).get(dataset, {}).get(family, {}).get(row)
    return dict(zip(reference["columns"], values)) if values is not None else {}


def paper_dataset(corpus_name: str) -> str | None:
    """Which of the paper's datasets a corpus is, from its name (``mosi-sdk_fold``, ``mosei``,
    ``mosi-openface``); None for any other corpus (synthetic, your own data).

    Args:
        corpus_name: ``Corpus.name``.
    """
    lowered = corpus_name.lower()
    for dataset in ("mosei", "mosi"):
        if dataset in lowered:
            return dataset
    return None
