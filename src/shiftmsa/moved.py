"""Module paths that moved in the layout of issue 22, importable under their old names for now.

Importing an old path (``shiftmsa.training.experiment``) gives the module at its new path and says
on stderr (a ``FutureWarning``) where it lives now; the old paths go in a later release.
``shiftmsa/__init__.py`` installs the finder, so nothing else needs to know.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import warnings

MOVED_MODULES = {
    "shiftmsa.data.alignment": "shiftmsa.data.word_pieces",
    "shiftmsa.experiments.figures": "shiftmsa.experiments.paper_figures",
    "shiftmsa.experiments.search.runner": "shiftmsa.experiments.search.driver",
    "shiftmsa.experiments.search.worker": "shiftmsa.experiments.search.study_worker",
    "shiftmsa.features.alignment": "shiftmsa.features.forced_alignment",
    "shiftmsa.search_spaces": "shiftmsa.experiments.search.spaces",
    "shiftmsa.training.experiment": "shiftmsa.experiments.experiment",
    "shiftmsa.training.fingerprint": "shiftmsa.store.fingerprint",
    "shiftmsa.training.locking": "shiftmsa.store.locking",
    "shiftmsa.training.results": "shiftmsa.store.records",
    "shiftmsa.training.run_folders": "shiftmsa.store.run_folders",
    "shiftmsa.training.search": "shiftmsa.experiments.search",
    "shiftmsa.training.search.report": "shiftmsa.experiments.search.report",
    "shiftmsa.training.search.runner": "shiftmsa.experiments.search.driver",
    "shiftmsa.training.search.space": "shiftmsa.experiments.search.space",
    "shiftmsa.training.search.study": "shiftmsa.experiments.search.study",
    "shiftmsa.training.search.trial": "shiftmsa.experiments.search.trial",
    "shiftmsa.training.search.worker": "shiftmsa.experiments.search.study_worker",
    "shiftmsa.training.statistics": "shiftmsa.evaluation.statistics",
}


class MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers an old module path with the module at its new one, with a warning."""

    def find_spec(self, name, path=None, target=None):
        return importlib.util.spec_from_loader(name, self) if name in MOVED_MODULES else None

    def create_module(self, spec):
        new = MOVED_MODULES[spec.name]
        warnings.warn(f"{spec.name} moved to {new}; import it from there (the old path goes in a later "
                      f"release)", FutureWarning, stacklevel=2)
        return importlib.import_module(new)

    def exec_module(self, module) -> None:
        """The module at the new path is already executed."""
