"""Random (untrained) checkpoints of registered models on a small synthetic corpus: what
``export`` reads, written without a training run."""

from __future__ import annotations

from pathlib import Path

SYNTH_SIZE = 30
TEXTS = ("i hated the ending", "a wonderful story with great music and really funny characters",
         "ok", "the movie was not bad at all but the plot was dull and the acting was terrible honestly")


def example_inputs(acoustic_dim=5, visual_dim=4, seed=7):
    """Four utterances of 1 to 18 words with random rows of both streams."""
    import numpy as np

    from shiftmsa.data.compatibility import utterance_from_text

    rng = np.random.default_rng(seed)
    return [utterance_from_text(f"u{i}", text, rng.normal(size=(len(text.split()), acoustic_dim)).astype(np.float32),
                                rng.normal(size=(len(text.split()), visual_dim)).astype(np.float32))
            for i, text in enumerate(TEXTS)]


def write_random_checkpoint(folder: Path, model: str, encoder: Path, *, preset: str | None = None,
                            standardize: bool | str = "auto", max_length: int = 24, acoustic_dim: int = 5,
                            overrides: tuple[str, ...] = ()) -> Path:
    """A ``best/``-like bundle of ``model`` with its encoder at ``encoder``, seeded, trained (not
    at all) on synthetic data with ``acoustic_dim``-wide acoustic rows; ``overrides``: more
    ``key=value`` settings (``model.params.modalities=[text,acoustic]``)."""
    import torch

    from shiftmsa.config import load_config
    from shiftmsa.data.synthetic import generate_synthetic
    from shiftmsa.training.checkpoint import save_model_bundle
    from shiftmsa.training.modelling import bundle_metadata, prepare_model

    settings = [f"model.name={model}", f"model.params.encoder={encoder}", f"data.max_length={max_length}",
                f"data.standardize={str(standardize).lower() if isinstance(standardize, bool) else standardize}"]
    if preset:
        settings.append(f"model.preset={preset}")
    config = load_config(None, settings + list(overrides))
    corpus = generate_synthetic(SYNTH_SIZE, seed=3, acoustic_dim=acoustic_dim, visual_dim=4)
    torch.manual_seed(0)
    prepared = prepare_model(config, corpus)
    prepared.model.eval()
    save_model_bundle(folder, prepared.model, bundle_metadata(config, prepared, corpus, seed=0, epoch=0),
                      prepared.tokenizer, prepared.encoder_config)
    return folder
