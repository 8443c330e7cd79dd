"""One run of ``shiftmsa reproduce --jobs N`` in its own process:
``python -m shiftmsa.experiments.worker CONFIG.yaml``.

The configuration file is a job's resolved configuration (one model, one seed, the store folder
as ``output_dir``); the run goes through ``Experiment``, so it appends to the shared store,
skips a finished run and resumes an interrupted one.
"""

from __future__ import annotations

import argparse
import sys

from shiftmsa.config import load_config
from shiftmsa.experiments.experiment import Experiment


def main(argv: list[str] | None = None) -> int:
    """Train the run a configuration file describes.

    Args:
        argv: ``[CONFIG.yaml]``; defaults to the command line.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", help="a job's configuration file, written by the runner")
    args = parser.parse_args(argv)
    Experiment(load_config(args.config), log=lambda message: print(message, flush=True)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
