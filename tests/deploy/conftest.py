"""Random checkpoints of every registered model (see ``checkpoints.py``) and their bundles."""
from __future__ import annotations

import pytest

from checkpoints import write_random_checkpoint


@pytest.fixture(scope="session")
def checkpoint_of(tmp_path_factory, tiny_bert_dir):
    """``checkpoint_of(model, standardize="auto")`` -> a random checkpoint folder (cached)."""
    made = {}

    def make(model: str, standardize: bool | str = "auto"):
        key = (model, standardize)
        if key not in made:
            folder = tmp_path_factory.mktemp("checkpoint") / "best"
            made[key] = write_random_checkpoint(folder, model, tiny_bert_dir, standardize=standardize)
        return made[key]

    return make


@pytest.fixture(scope="session")
def bundle_of(tmp_path_factory, checkpoint_of):
    """``bundle_of(model, quantize="none", standardize="auto")`` -> an exported bundle (cached)."""
    from shiftmsa import api

    made = {}

    def make(model: str, quantize: str = "none", standardize: bool | str = "auto"):
        key = (model, quantize, standardize)
        if key not in made:
            folder = tmp_path_factory.mktemp("bundle") / model
            api.export(checkpoint_of(model, standardize), folder, quantize=quantize, log=lambda _m: None)
            made[key] = folder
        return made[key]

    return make
