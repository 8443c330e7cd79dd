"""Checkpoint files are checked against the SHA-256 recorded when they were written."""

import json

import pytest
import torch
from torch import nn

from shiftmsa.training.checkpoint import (BUNDLE_METADATA, MODEL_WEIGHTS, TRAINING_STATE, CheckpointError,
                                          load_training_state, load_weights, read_bundle_metadata,
                                          save_model_bundle, save_training_state)


class Saves:
    """Stands for a tokenizer / encoder config: writes one file."""

    def save_pretrained(self, folder):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.json").write_text("{}")


def flip_bytes(path, offset=200, count=16):
    data = bytearray(path.read_bytes())
    data[offset:offset + count] = bytes(255 - b for b in data[offset:offset + count])
    path.write_bytes(bytes(data))


@pytest.fixture
def bundle(tmp_path):
    torch.manual_seed(0)
    save_model_bundle(tmp_path / "best", nn.Linear(64, 64), {"format_version": 1}, Saves(), Saves())
    return tmp_path / "best"


def test_a_bundle_records_and_verifies_its_weights(bundle):
    metadata = read_bundle_metadata(bundle)
    assert set(metadata["sha256"]) == {MODEL_WEIGHTS}
    flip_bytes(bundle / MODEL_WEIGHTS)
    with pytest.raises(CheckpointError, match=f"{bundle / MODEL_WEIGHTS} is corrupted"):
        read_bundle_metadata(bundle)


def test_a_truncated_metadata_file_is_named(bundle):
    path = bundle / BUNDLE_METADATA
    path.write_text(path.read_text()[:20])
    with pytest.raises(CheckpointError, match=f"{path} is not valid JSON"):
        read_bundle_metadata(bundle)


def test_unreadable_weights_are_named(bundle):
    (bundle / MODEL_WEIGHTS).write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match=f"{bundle / MODEL_WEIGHTS} is not a readable safetensors file"):
        load_weights(nn.Linear(64, 64), bundle / MODEL_WEIGHTS)


def test_a_corrupted_training_state_is_refused(tmp_path):
    model = nn.Linear(8, 8)
    optimizer = torch.optim.AdamW(model.parameters())
    model(torch.ones(2, 8)).sum().backward()
    optimizer.step()
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    save_training_state(tmp_path / "last", model, optimizer, scheduler, {"epochs_done": 1}, {"cpu": torch.ones(3)})
    assert json.loads((tmp_path / "last" / TRAINING_STATE).read_text())["sha256"]
    assert load_training_state(tmp_path / "last", model, optimizer, scheduler)[0] == {"epochs_done": 1}
    flip_bytes(tmp_path / "last" / "optimizer.safetensors", offset=100, count=4)
    with pytest.raises(CheckpointError, match="optimizer.safetensors is corrupted"):
        load_training_state(tmp_path / "last", model, optimizer, scheduler)
