"""``SearchOptions``: how a search runs, besides its base configuration and space.

Kept apart from ``runner`` (which loads torch and Optuna) so that ``shiftmsa search --help``
reads its defaults and descriptions from here without either.
"""

from __future__ import annotations

from dataclasses import dataclass

from shiftmsa.defaults import DEFAULT_SEEDS

PRUNERS = ("median", "none")
STUDY_FILE = "study.db"


@dataclass(frozen=True)
class SearchOptions:
    """How to search, besides the base configuration and the space.

    Args:
        trials: the study's trial budget; required for tpe, at most the grid size for a grid
            (None = the whole grid).
        study: the study name (None: the model label).
        storage: an SQLAlchemy URL (None: ``sqlite:///<output>/study.db``).
        jobs: worker processes on this machine.
        final_seeds: seeds of the final training of the chosen configuration.
        final: run the final step (turn off on the helper machines of a shared study).
        pruner: ``median`` (prune a trial whose validation objective trails the median) or ``none``.
        prune_from_epoch: the first epoch of a trial's first seed at which it may be pruned.
        sampler_seed: seed of the tpe sampler.
    """

    trials: int | None = None
    study: str | None = None
    storage: str | None = None
    jobs: int = 1
    final_seeds: tuple[int, ...] = DEFAULT_SEEDS
    final: bool = True
    pruner: str = "median"
    prune_from_epoch: int = 2
    sampler_seed: int = 0
