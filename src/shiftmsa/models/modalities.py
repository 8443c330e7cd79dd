"""The three modalities, and the checks every model makes on the ones it uses."""

from __future__ import annotations

import torch

MODALITIES = ("text", "acoustic", "visual")
NON_TEXT = ("acoustic", "visual")


def check_modalities(modalities: tuple[str, ...]) -> None:
    """Refuse an empty, repeated or unknown modality list."""
    unknown = [m for m in modalities if m not in MODALITIES]
    if unknown or not modalities or len(set(modalities)) != len(modalities):
        raise ValueError(f"modalities must be distinct names from {MODALITIES}, got {modalities}")


def check_modality_dims(config, model_name: str) -> None:
    """A used non-text modality needs its feature width (``acoustic_dim`` / ``visual_dim``)."""
    for modality in NON_TEXT:
        if modality in config.modalities and getattr(config, f"{modality}_dim") is None:
            raise ValueError(f"{model_name} uses the {modality} modality but {modality}_dim is not set "
                             f"(give the corpus' {modality} feature width)")


def other_non_text(modality: str) -> str:
    """acoustic <-> visual."""
    return NON_TEXT[1 - NON_TEXT.index(modality)]


def non_text_inputs(config, model_name: str, **inputs: torch.Tensor | None) -> dict[str, torch.Tensor]:
    """The (B, L, d_m) inputs of the non-text modalities the config uses, checked for presence
    and width; inputs of unused modalities are ignored."""
    checked = {}
    for modality in NON_TEXT:
        if modality not in config.modalities:
            continue
        value = inputs[modality]
        expected = getattr(config, f"{modality}_dim")
        if value is None:
            raise ValueError(f"{model_name} uses the {modality} modality but got {modality}=None")
        if value.dim() != 3 or value.shape[-1] != expected:
            raise ValueError(f"{model_name}: {modality} must be (batch, tokens, {expected}) "
                             f"({modality}_dim={expected}), got {tuple(value.shape)}")
        checked[modality] = value
    return checked


def check_text_with_partner(modalities: tuple[str, ...], model_name: str) -> None:
    """Refuse a modality list without text or without any non-text stream to fuse with it."""
    check_modalities(modalities)
    if "text" not in modalities or len(modalities) < 2:
        raise ValueError(f"{model_name} fuses text with acoustic and/or visual: modalities must hold text "
                         f"and at least one of them, got {modalities}")
