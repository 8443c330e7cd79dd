"""Checkpoints as safetensors plus JSON, never a pickle.

Two kinds of folder:

- a *training state* (``last/``): model weights, AdamW moments, scheduler position, trainer
  counters and random-number states, everything a killed run needs to finish with the numbers of
  one never interrupted;
- a *model bundle* (``best/``): weights, the JSON that rebuilds the model, and the encoder's
  tokenizer and configuration, so ``evaluate`` and ``predict`` need nothing else.

Folders are written under a temporary name and renamed into place, so a crash mid-write never
leaves a half checkpoint where a whole one was. Each folder's JSON records the SHA-256 of its
weight files (``sha256``), checked before they are loaded: a truncated, flipped or replaced file
is refused with its name instead of being loaded as weights.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from shiftmsa.files import checksum_problem, file_sha256, write_folder_atomically, write_json

MODEL_WEIGHTS = "model.safetensors"
BUNDLE_METADATA = "shiftmsa.json"
TRAINING_STATE = "state.json"
ENCODER_FOLDER = "encoder"
STATE_TENSOR_FILES = (MODEL_WEIGHTS, "optimizer.safetensors", "rng.safetensors")
CHECKSUMS = "sha256"


class CheckpointError(ValueError):
    """A checkpoint file that is missing, unreadable or not the one its metadata recorded."""


def checksums(folder: Path, names: tuple[str, ...]) -> dict[str, str]:
    """``{name: SHA-256}`` of files of ``folder``."""
    return {name: file_sha256(Path(folder) / name) for name in names}


def verify_checksums(folder: Path, recorded: dict[str, str], metadata_file: str) -> None:
    """Refuse a file of ``folder`` whose SHA-256 is not the one ``metadata_file`` recorded."""
    problem = checksum_problem(folder, recorded)
    if problem is None:
        return
    _, path, kind = problem
    if kind == "missing":
        raise CheckpointError(f"{path} is missing (listed in {metadata_file})")
    raise CheckpointError(f"{path} is corrupted: its SHA-256 differs from the one recorded in "
                          f"{Path(folder) / metadata_file} when it was written")


def save_weights(model: nn.Module, path: Path) -> None:
    """The model's state dict as safetensors, each tensor copied to its own CPU storage.

    Copies, because on a GPU cuDNN packs RNN weights as views into one flat buffer, which
    safetensors (rightly) refuses to save as it is."""
    save_tensors({name: tensor.detach().cpu().clone() for name, tensor in model.state_dict().items()}, path)


def save_tensors(tensors: dict[str, torch.Tensor], path: Path) -> None:
    """``tensors`` as a safetensors file; a failure of the file system (a full disk) raised as the
    ``OSError`` it is, naming ``path``, not as safetensors' own error."""
    try:
        save_file(tensors, str(path))
    except SafetensorError as error:
        code = re.search(r"os error (\d+)", str(error))
        if code is None:
            raise
        raise OSError(int(code.group(1)), os.strerror(int(code.group(1))), str(path)) from error


def load_weights(model: nn.Module, path: Path) -> None:
    """Load ``save_weights``' file into ``model`` (every key must match), on the model's device."""
    device = next(model.parameters()).device
    model.load_state_dict(read_tensors(path, device=str(device)))


def read_tensors(path: Path, device: str = "cpu") -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file, or a ``CheckpointError`` naming it."""
    try:
        return load_file(str(path), device=device)
    except (SafetensorError, OSError) as error:
        raise CheckpointError(f"{path} is not a readable safetensors file ({error})") from None


def read_json(path: Path) -> dict[str, Any]:
    """A checkpoint's JSON file (an object), or a ``CheckpointError`` naming it."""
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{path} is not valid JSON (truncated or damaged: {error})") from None
    if not isinstance(value, dict):
        raise CheckpointError(f"{path} holds a JSON {type(value).__name__}, not the object a checkpoint "
                              f"writes (damaged or replaced?)")
    return value


def _split_optimizer_state(state: dict) -> tuple[dict[str, torch.Tensor], dict]:
    tensors, scalars = {}, {}
    for param_id, slots in state["state"].items():
        for slot, value in slots.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{param_id}/{slot}"] = value.detach().contiguous().cpu()
            else:
                scalars[f"{param_id}/{slot}"] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def _join_optimizer_state(tensors: dict[str, torch.Tensor], rest: dict) -> dict:
    state: dict[int, dict[str, Any]] = {}
    for key, value in [*tensors.items(), *rest["scalars"].items()]:
        param_id, slot = key.split("/", 1)
        state.setdefault(int(param_id), {})[slot] = value
    groups = [{**group, "betas": tuple(group["betas"])} if "betas" in group else group
              for group in rest["param_groups"]]
    return {"state": state, "param_groups": groups}


def save_training_state(folder: Path, model: nn.Module, optimizer: torch.optim.Optimizer,
                        scheduler: torch.optim.lr_scheduler.LRScheduler, counters: dict[str, Any],
                        rng_state: dict[str, torch.Tensor]) -> None:
    """Write everything needed to resume training exactly where it stopped."""
    optimizer_tensors, optimizer_rest = _split_optimizer_state(optimizer.state_dict())

    def write(staging: Path) -> None:
        save_weights(model, staging / MODEL_WEIGHTS)
        save_tensors(optimizer_tensors, staging / "optimizer.safetensors")
        save_tensors({k: v.contiguous() for k, v in rng_state.items()}, staging / "rng.safetensors")
        write_json(staging / TRAINING_STATE, {"counters": counters, "optimizer": optimizer_rest,
                                              "scheduler": scheduler.state_dict(),
                                              CHECKSUMS: checksums(staging, STATE_TENSOR_FILES)})

    write_folder_atomically(folder, write)


def load_training_state(folder: Path, model: nn.Module, optimizer: torch.optim.Optimizer,
                        scheduler: torch.optim.lr_scheduler.LRScheduler):
    """Restore what ``save_training_state`` wrote; returns (counters, rng_state)."""
    folder = Path(folder)
    device = next(model.parameters()).device
    saved = read_json(folder / TRAINING_STATE)
    verify_checksums(folder, saved.get(CHECKSUMS, {}), TRAINING_STATE)
    load_weights(model, folder / MODEL_WEIGHTS)
    optimizer_tensors = read_tensors(folder / "optimizer.safetensors", device=str(device))
    optimizer.load_state_dict(_join_optimizer_state(optimizer_tensors, saved["optimizer"]))
    scheduler.load_state_dict(saved["scheduler"])
    return saved["counters"], read_tensors(folder / "rng.safetensors")


def save_model_bundle(folder: Path, model: nn.Module, metadata: dict[str, Any], tokenizer,
                      encoder_config) -> None:
    """Weights + metadata JSON (with the weights' SHA-256) + the encoder's tokenizer and
    configuration, self-contained."""

    def write(staging: Path) -> None:
        save_weights(model, staging / MODEL_WEIGHTS)
        write_json(staging / BUNDLE_METADATA, {**metadata, CHECKSUMS: checksums(staging, (MODEL_WEIGHTS,))})
        tokenizer.save_pretrained(staging / ENCODER_FOLDER)
        encoder_config.save_pretrained(staging / ENCODER_FOLDER)

    write_folder_atomically(folder, write)


def read_bundle_metadata(folder: Path) -> dict[str, Any]:
    """The metadata of a model bundle, with a clear error when ``folder`` is not one; the weights
    are checked against the recorded SHA-256 (bundles written before it was recorded have none)."""
    path = Path(folder) / BUNDLE_METADATA
    if not path.is_file():
        raise FileNotFoundError(f"{folder} is not a shiftmsa checkpoint: {BUNDLE_METADATA} is missing "
                                f"(a run writes one under <run>/<model>/seed-<n>/best)")
    metadata = read_json(path)
    verify_checksums(folder, metadata.get(CHECKSUMS, {}), BUNDLE_METADATA)
    return metadata
