"""Checkpoints as safetensors plus JSON, never a pickle.

Two kinds of folder:

- a *training state* (``last/``): model weights, AdamW moments, scheduler position, trainer
  counters and random-number states, everything a killed run needs to finish with the numbers of
  one never interrupted;
- a *model bundle* (``best/``): weights, the JSON that rebuilds the model, and the encoder's
  tokenizer and configuration, so ``evaluate`` and ``predict`` need nothing else.

Folders are written under a temporary name and renamed into place, so a crash mid-write never
leaves a half checkpoint where a whole one was.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

MODEL_WEIGHTS = "model.safetensors"
BUNDLE_METADATA = "shiftmsa.json"
ENCODER_FOLDER = "encoder"


def save_weights(model: nn.Module, path: Path) -> None:
    """The model's state dict as safetensors, each tensor copied to its own CPU storage.

    Copies, because on a GPU cuDNN packs RNN weights as views into one flat buffer, which
    safetensors (rightly) refuses to save as it is."""
    save_file({name: tensor.detach().cpu().clone() for name, tensor in model.state_dict().items()},
              str(path))


def load_weights(model: nn.Module, path: Path) -> None:
    """Load ``save_weights``' file into ``model`` (every key must match), on the model's device."""
    device = next(model.parameters()).device
    model.load_state_dict(load_file(str(path), device=str(device)))


def write_folder_atomically(folder: Path, write) -> None:
    """Call ``write(temporary_folder)``, then swap the result into ``folder``."""
    folder = Path(folder)
    staging = folder.with_name(folder.name + ".partial")
    retired = folder.with_name(folder.name + ".old")
    for leftover in (staging, retired):
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir(parents=True)
    write(staging)
    if folder.exists():
        folder.rename(retired)
    staging.rename(folder)
    shutil.rmtree(retired, ignore_errors=True)


def write_json(path: Path, payload: Any) -> None:
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")


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
        save_file(optimizer_tensors, str(staging / "optimizer.safetensors"))
        save_file({k: v.contiguous() for k, v in rng_state.items()}, str(staging / "rng.safetensors"))
        write_json(staging / "state.json", {"counters": counters, "optimizer": optimizer_rest,
                                            "scheduler": scheduler.state_dict()})

    write_folder_atomically(folder, write)


def load_training_state(folder: Path, model: nn.Module, optimizer: torch.optim.Optimizer,
                        scheduler: torch.optim.lr_scheduler.LRScheduler):
    """Restore what ``save_training_state`` wrote; returns (counters, rng_state)."""
    folder = Path(folder)
    device = next(model.parameters()).device
    load_weights(model, folder / MODEL_WEIGHTS)
    saved = json.loads((folder / "state.json").read_text())
    optimizer_tensors = load_file(str(folder / "optimizer.safetensors"), device=str(device))
    optimizer.load_state_dict(_join_optimizer_state(optimizer_tensors, saved["optimizer"]))
    scheduler.load_state_dict(saved["scheduler"])
    return saved["counters"], load_file(str(folder / "rng.safetensors"))


def save_model_bundle(folder: Path, model: nn.Module, metadata: dict[str, Any], tokenizer,
                      encoder_config) -> None:
    """Weights + metadata JSON + the encoder's tokenizer and configuration, self-contained."""

    def write(staging: Path) -> None:
        save_weights(model, staging / MODEL_WEIGHTS)
        write_json(staging / BUNDLE_METADATA, metadata)
        tokenizer.save_pretrained(staging / ENCODER_FOLDER)
        encoder_config.save_pretrained(staging / ENCODER_FOLDER)

    write_folder_atomically(folder, write)


def read_bundle_metadata(folder: Path) -> dict[str, Any]:
    """The metadata of a model bundle, with a clear error when ``folder`` is not one."""
    path = Path(folder) / BUNDLE_METADATA
    if not path.is_file():
        raise FileNotFoundError(f"{folder} is not a shiftmsa checkpoint: {BUNDLE_METADATA} is missing "
                                f"(a run writes one under <run>/<model>/seed-<n>/best)")
    return json.loads(path.read_text())
