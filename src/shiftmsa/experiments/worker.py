"""One run in its own process, as the runner starts it with ``jobs`` > 1:
``python -m shiftmsa.experiments.worker CONFIG.yaml``.

The configuration file is a planned run's (one model, one seed, the store folder as
``output_dir``); the run goes through the runner here, so it appends to the shared store, skips a
finished run and resumes an interrupted one. Exit status 0 when the run is in the store.
"""

from __future__ import annotations

import argparse
import sys

from shiftmsa.config import load_config
from shiftmsa.experiments.runner import plan_runs, run_planned


def main(argv: list[str] | None = None) -> int:
    """Train the run a configuration file describes.

    Args:
        argv: ``[CONFIG.yaml]``; defaults to the command line.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", help="a planned run's configuration file, written by the runner")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    run_planned(plan_runs(config, [config.model]), log=lambda message: print(message, flush=True),
                raise_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
