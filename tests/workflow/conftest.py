"""A checkpoint trained through the CLI (1 epoch, tiny encoder), shared by the workflow tests."""

import pytest

from shiftmsa.cli import main


@pytest.fixture(scope="session")
def trained(tmp_path_factory, tiny_bert_dir):
    """(folder holding the ``synth`` dataset, the checkpoint of msg-mba seed 0 trained on it)."""
    folder = tmp_path_factory.mktemp("workflow")
    assert main(["data", "synth", str(folder / "synth"), "--n", "90", "--seed", "1"]) == 0
    assert main(["train", "--data", str(folder / "synth"), "--seeds", "0", "--epochs", "1",
                 "--output", str(folder / "run"), "--set", f"model.params.encoder={tiny_bert_dir}",
                 "--set", "train.batch_size=16", "--set", "data.max_length=20"]) == 0
    return folder, folder / "run" / "msg-mba" / "seed-0" / "best"
