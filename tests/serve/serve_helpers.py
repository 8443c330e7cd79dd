"""What the serve tests share: the spoken sentence, a checkpoint inside a run store."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy"))  # the random checkpoints of tests/deploy

from checkpoints import write_random_checkpoint  # noqa: E402

__all__ = ["SPOKEN", "TEST_METRICS", "checkpoint_in_store", "write_random_checkpoint"]

SPOKEN = "what a wonderful film"
TEST_METRICS = {"acc2_non0": 0.75, "f1_non0": 0.74, "acc7": 0.3, "mae": 1.1, "corr": 0.5}


def checkpoint_in_store(experiment: Path, model: str, encoder: Path, **options) -> Path:
    """A random checkpoint at ``<experiment>/<model>/seed-0/best`` with its run folder's identity and
    a store record, as a finished run leaves them."""
    from shiftmsa.config import config_from_dict
    from shiftmsa.store.fingerprint import fingerprint_digest, fingerprint_text
    from shiftmsa.store.records import ResultStore
    from shiftmsa.store.run_folders import claim_run_folder
    from shiftmsa.training.checkpoint import read_bundle_metadata

    staging = write_random_checkpoint(experiment / "staging" / "best", model, encoder, **options)
    config = config_from_dict(read_bundle_metadata(staging)["training"]["run_config"])
    digest = fingerprint_digest(config)
    run = claim_run_folder(experiment / config.model.label, 0, fingerprint_text(config), digest)
    shutil.move(staging, run.path / "best")
    ResultStore(experiment).append({"model": config.model.label, "seed": 0, "fingerprint": digest,
                                    "test": TEST_METRICS, "valid": {}})
    return run.path / "best"
