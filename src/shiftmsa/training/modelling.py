"""From a run configuration (or a saved bundle) to a model with its tokenizer and batch builder."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shiftmsa.config import RunConfig, TrainConfig
from shiftmsa.data.word_pieces import BatchBuilder
from shiftmsa.data.contract import Corpus
from shiftmsa.data.standardization import FeatureStandardizer, standardization_wanted
from shiftmsa.models.base import MEMORY_ROWS_FIELD, TOKEN_LENGTH_FIELD, SentimentModel
from shiftmsa.models.registry import build_model, make_config, model_spec
from shiftmsa.notices import notify
from shiftmsa.text.encoders import load_tokenizer, resolve_encoder
from shiftmsa.training.checkpoint import ENCODER_FOLDER, MODEL_WEIGHTS, load_weights, read_bundle_metadata, read_json
from shiftmsa.training.optimization import build_optimizer

BUNDLE_FORMAT_VERSION = 1


@dataclass
class PreparedModel:
    """A model ready to train or score, with what turns utterances into its inputs.

    Args:
        name: registered model name.
        preset: its preset, or None.
        model_config: the model's resolved config dataclass.
        model: the ``SentimentModel``.
        tokenizer: the encoder's tokenizer.
        encoder_config: the encoder's Hugging Face config (saved in bundles).
        batch_builder: utterances -> Batch, aligned for ``tokenizer``.
    """

    name: str
    preset: str | None
    model_config: Any
    model: SentimentModel
    tokenizer: Any
    encoder_config: Any
    batch_builder: BatchBuilder

    def optimizer(self, train: TrainConfig, total_steps: int):
        return build_optimizer(self.model, train, total_steps)


def _assemble(name: str, preset: str | None, model_config, *, max_length: int,
              acoustic_dim: int | None, visual_dim: int | None, load_pretrained: bool,
              standardizer: FeatureStandardizer | None) -> PreparedModel:
    from transformers import AutoConfig

    model = build_model(name, model_config, load_pretrained=load_pretrained)
    tokenizer = load_tokenizer(model_config.encoder)
    encoder_config = AutoConfig.from_pretrained(resolve_encoder(model_config.encoder))
    builder = BatchBuilder(tokenizer, max_length=max_length, acoustic_dim=acoustic_dim,
                           visual_dim=visual_dim, standardizer=standardizer)
    return PreparedModel(name, preset, model_config, model, tokenizer, encoder_config, builder)


def corpus_fitted_overrides(config: RunConfig, corpus: Corpus) -> dict[str, Any]:
    """``config.model.params`` plus what the corpus decides when neither params nor preset do,
    from what the model class declares (``shiftmsa.models.base.SentimentModel``):

    - ``sized_for_token_length`` (msg-mba's W_pt / W_pm): ``max_length`` = ``data.max_length``.
    - streams: the default config's ``modalities`` are narrowed to the streams the corpus has
      (text + visual on the OpenFace subset), so one command compares models on any corpus; a
      ``Notice`` says so.
      A preset that switches on a module of a stream (the model's ``stream_switches``: Table
      III's MSG-T&A turns on MSG-A) is refused on a corpus without that stream
      (``check_preset_streams``) rather than running another model under the row's name; a
      preset that switches on none (Fig. 5's layers, Table VI's RNNs, "+MBA") runs on the
      streams the corpus has, like the default. ``model.params.modalities`` chooses the streams
      openly.
    - ``keeps_utterance_memory`` (Self-MM's labels): ``train_samples`` = one row per utterance
      of the corpus' train split, whatever params say.
    """
    spec = model_spec(config.model.name)
    model_class = spec.model_class
    preset = spec.presets.get(config.model.preset or "", {})
    chosen = {**preset, **config.model.params}
    overrides = dict(config.model.params)
    if model_class.sized_for_token_length and TOKEN_LENGTH_FIELD not in chosen:
        overrides[TOKEN_LENGTH_FIELD] = config.data.max_length
    if "modalities" not in chosen:
        check_preset_streams(config, corpus, model_class.streams_switched_on(preset))
        default = tuple(spec.config_class().modalities)
        overrides["modalities"] = tuple(m for m in default if m in corpus.modalities)
        if overrides["modalities"] != default:
            lacking = [m for m in default if m not in corpus.modalities]
            notify(f"{config.model.label}: corpus {corpus.name} has no {' or '.join(lacking)} stream, so the model "
                   f"runs on {' + '.join(overrides['modalities'])} (set model.params.modalities to choose)")
    if model_class.keeps_utterance_memory:
        overrides[MEMORY_ROWS_FIELD] = len(corpus.splits["train"])
    return overrides


def check_preset_streams(config: RunConfig, corpus: Corpus, modalities: tuple[str, ...]) -> None:
    """Refuse a preset that needs streams ``modalities`` the corpus does not all have."""
    missing = [m for m in modalities if m not in corpus.modalities]
    if missing:
        raise ValueError(
            f"preset {config.model.label} needs the {', '.join(missing)} stream and corpus {corpus.name} has "
            f"no {', '.join(missing)} stream: choose a preset of its streams ({', '.join(corpus.modalities)}) "
            f"or run this one on them with --set model.params.modalities=[{','.join(corpus.modalities)}]")


def resolve_model_config(config: RunConfig, corpus: Corpus):
    """The validated model config ``config.model`` gets on ``corpus`` (no weights are built)."""
    return make_config(config.model.name, config.model.preset, corpus_fitted_overrides(config, corpus),
                       acoustic_dim=corpus.acoustic_dim, visual_dim=corpus.visual_dim)


def fit_standardizer(config: RunConfig, corpus: Corpus) -> FeatureStandardizer | None:
    """Train-split statistics of the non-text streams when ``config.data.standardize`` asks for
    them (``auto``: per-utterance features only); None otherwise or for a text-only corpus."""
    if corpus.modalities == ("text",) or not standardization_wanted(config.data.standardize,
                                                                      corpus.word_aligned):
        return None
    return FeatureStandardizer.fit(corpus.splits["train"])


def prepare_model(config: RunConfig, corpus: Corpus) -> PreparedModel:
    """Build ``config.model`` for ``corpus`` (see ``corpus_fitted_overrides``), encoder pretrained,
    its batches standardised as ``fit_standardizer`` decides."""
    model_config = resolve_model_config(config, corpus)
    return _assemble(config.model.name, config.model.preset, model_config,
                     max_length=config.data.max_length, acoustic_dim=corpus.acoustic_dim,
                     visual_dim=corpus.visual_dim, load_pretrained=True,
                     standardizer=fit_standardizer(config, corpus))


def bundle_metadata(config: RunConfig, prepared: PreparedModel, corpus: Corpus, seed: int,
                    epoch: int) -> dict[str, Any]:
    """What a bundle must remember to rebuild the model and refuse data it was not made for."""
    return {
        "format_version": BUNDLE_FORMAT_VERSION,
        "model": {"name": prepared.name, "preset": prepared.preset,
                  "config": dataclasses.asdict(prepared.model_config)},
        "data": {"corpus": corpus.name, "acoustic_dim": corpus.acoustic_dim,
                 "visual_dim": corpus.visual_dim, "word_aligned": corpus.word_aligned,
                 "feature_names": corpus.feature_names, "max_length": config.data.max_length,
                 "standardization": (None if prepared.batch_builder.standardizer is None
                                     else prepared.batch_builder.standardizer.to_dict())},
        "training": {"seed": seed, "epoch": epoch, "run_config": config.to_dict()},
    }


def load_bundle(folder: str | Path) -> tuple[PreparedModel, dict[str, Any]]:
    """Rebuild a model from a bundle written by training (``<run>/<model>/seed-<n>/best``).

    The encoder is rebuilt from the bundle's own ``encoder/`` folder, so the original encoder
    path need not exist any more; the train-split feature statistics, when the run standardised
    its features, are applied to whatever the bundle scores.
    """
    folder = Path(folder)
    metadata = read_bundle_metadata(folder)
    if metadata.get("format_version") != BUNDLE_FORMAT_VERSION:
        raise ValueError(f"{folder}: checkpoint format {metadata.get('format_version')} is not "
                         f"supported (expected {BUNDLE_FORMAT_VERSION})")
    for encoder_file in sorted((folder / ENCODER_FOLDER).glob("*.json")):  # a damaged one named, not parsed blind
        read_json(encoder_file)
    model_info, data = metadata["model"], metadata["data"]
    model_config = make_config(model_info["name"], None, {**model_info["config"],
                                                          "encoder": str(folder / ENCODER_FOLDER)},
                               acoustic_dim=data["acoustic_dim"], visual_dim=data["visual_dim"])
    statistics = data.get("standardization")  # absent from bundles written before it existed
    prepared = _assemble(model_info["name"], model_info["preset"], model_config,
                         max_length=data["max_length"], acoustic_dim=data["acoustic_dim"],
                         visual_dim=data["visual_dim"], load_pretrained=False,
                         standardizer=FeatureStandardizer.from_dict(statistics) if statistics else None)
    load_weights(prepared.model, folder / MODEL_WEIGHTS)
    prepared.model.eval()
    return prepared, metadata
