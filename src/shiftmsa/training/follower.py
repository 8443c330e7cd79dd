"""A follower rank: ``python -m shiftmsa.training.follower`` (started by rank 0, or by the CLI in a
process a launcher made with ``RANK`` > 0). It joins the process group, then trains its share of
each run rank 0 hands it, and writes nothing (``training.distributed`` says who does what)."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path


def follow() -> int:
    """Serve rank 0 until it says stop; a failure prints its traceback and ends this process (rank
    0's next collective then fails, naming this rank)."""
    from shiftmsa.training import distributed

    distributed.watch_parent()
    distributed.ignore_interrupts_in_followers()
    try:
        cluster = distributed.join_from_environment()
        from shiftmsa.training.loop import RunTrainer

        corpus = None
        while True:
            job = cluster.next_job()
            if job is None:
                break
            config, seed, run_dir, sent = job
            corpus = sent if sent is not None else corpus
            RunTrainer(config, seed, corpus, Path(run_dir), cluster=cluster).run()
    except BaseException:  # noqa: BLE001 (every failure ends the follower, with its traceback)
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    distributed._destroy()
    return 0


if __name__ == "__main__":
    sys.exit(follow())
