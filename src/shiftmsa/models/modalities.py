"""The three modalities, and the checks of a config's modality list (run by
``base.SentimentModelConfig``)."""

from __future__ import annotations

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


def check_text_with_partner(modalities: tuple[str, ...], model_name: str) -> None:
    """Refuse a modality list without text or without any non-text stream to fuse with it."""
    check_modalities(modalities)
    if "text" not in modalities or len(modalities) < 2:
        raise ValueError(f"{model_name} fuses text with acoustic and/or visual: modalities must hold text "
                         f"and at least one of them, got {modalities}")
