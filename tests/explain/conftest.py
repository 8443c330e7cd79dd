"""Tiny checkpoints (random 3-layer BERT, one epoch on 90 synthetic utterances) to explain."""

from __future__ import annotations

import pytest

from shiftmsa.cli import main

SYNTH_SIZE = 90  # 60 train / 15 valid / 15 test


@pytest.fixture(scope="session")
def explain_runs(tmp_path_factory, tiny_bert_dir):
    """The synthetic folder and checkpoints of the full msg-mba, msg-mba without MBA, and text-only."""
    folder = tmp_path_factory.mktemp("explain")
    assert main(["data", "synth", str(folder / "synth"), "--n", str(SYNTH_SIZE), "--seed", "1"]) == 0
    checkpoints = {}
    for name, model, preset in (("full", "msg-mba", None), ("no_mba", "msg-mba", "table3.msg_t_a_v"),
                                ("text_only", "text-only", None)):
        arguments = ["train", "--model", model, "--data", str(folder / "synth"), "--seeds", "0", "--epochs", "1",
                     "--output", str(folder / name), "--set", f"model.params.encoder={tiny_bert_dir}",
                     "--set", "train.batch_size=16", "--set", "data.max_length=20"]
        assert main(arguments + (["--preset", preset] if preset else [])) == 0
        label = f"{model}__{preset}" if preset else model
        checkpoints[name] = folder / name / label / "seed-0" / "best"
    return {"data": folder / "synth", **checkpoints}
