"""The paper's tables and training figures as declared experiment specs, with its numbers.

``specs`` declares the targets (rows = registered model + preset + overrides), ``reference``
loads the paper's numbers shipped as ``paper_numbers.yaml``, ``runner`` trains the missing runs
(``--jobs N`` side by side), ``tables`` and ``figures`` write the outputs, and ``reproduce`` ties
them together.
"""

from shiftmsa.experiments.reference import PAPER_METRICS, paper_dataset, paper_values
from shiftmsa.experiments.reproduce import ReproduceError, ReproduceResult, reproduce
from shiftmsa.experiments.specs import SPECS, TARGETS, ExperimentSpec, Row

__all__ = ["PAPER_METRICS", "SPECS", "TARGETS", "ExperimentSpec", "ReproduceError", "ReproduceResult", "Row",
           "paper_dataset", "paper_values", "reproduce"]
