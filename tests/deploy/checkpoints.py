"""Random (untrained) checkpoints of registered models on a small synthetic corpus: what
``export`` reads, written without a training run."""

from __future__ import annotations

from pathlib import Path

SYNTH_SIZE = 30


def write_random_checkpoint(folder: Path, model: str, encoder: Path, *, preset: str | None = None,
                            standardize: bool | str = "auto", max_length: int = 24) -> Path:
    """A ``best/``-like bundle of ``model`` with its encoder at ``encoder``, seeded."""
    import torch

    from shiftmsa.config import load_config
    from shiftmsa.data.synthetic import generate_synthetic
    from shiftmsa.training.checkpoint import save_model_bundle
    from shiftmsa.training.modelling import bundle_metadata, prepare_model

    overrides = [f"model.name={model}", f"model.params.encoder={encoder}", f"data.max_length={max_length}",
                 f"data.standardize={str(standardize).lower() if isinstance(standardize, bool) else standardize}"]
    if preset:
        overrides.append(f"model.preset={preset}")
    config = load_config(None, overrides)
    corpus = generate_synthetic(SYNTH_SIZE, seed=3, acoustic_dim=5, visual_dim=4)
    torch.manual_seed(0)
    prepared = prepare_model(config, corpus)
    prepared.model.eval()
    save_model_bundle(folder, prepared.model, bundle_metadata(config, prepared, corpus, seed=0, epoch=0),
                      prepared.tokenizer, prepared.encoder_config)
    return folder
