"""The Python API, mirroring the command line: train, compare, evaluate, predict.

    from shiftmsa import api
    config = api.load_config(None, ["data.path=../shared/data/mosi"], protocol="cpu")
    rows, table = api.compare(config, ["text-only", "mag", "msg-mba"], reference="text-only")
    outcome = api.search(config, "generic", api.SearchOptions(jobs=2))   # Section IV-E's grid search
    result = api.reproduce("table3", config, parallel=2)   # the paper's Table III beside ours
    prepared, metadata = api.load_checkpoint("runs/default/msg-mba/seed-0/best")
    scores = api.predict(prepared, [api.utterance_from_text("u1", "that was sick")])
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from shiftmsa.config import DataConfig, ModelConfig, RunConfig, load_config
from shiftmsa.data.contract import Corpus, DataError, Utterance
from shiftmsa.experiments import ReproduceResult
from shiftmsa.experiments import reproduce as run_reproduction
from shiftmsa.training.experiment import (ComparisonRow, Experiment, compare_records, load_corpus,
                                          write_table)
from shiftmsa.training.loop import Predictions, predict_utterances
from shiftmsa.training.checkpoint import read_bundle_metadata
from shiftmsa.training.modelling import PreparedModel, load_bundle

__all__ = ["load_config", "parse_model_spec", "train", "compare", "reproduce", "search", "SearchOptions",
           "load_checkpoint", "recorded_data", "evaluate", "predict", "utterance_from_text", "check_compatible"]


def parse_model_spec(spec: str) -> ModelConfig:
    """``name`` or ``name:preset`` -> ModelConfig (``msg-mba:table3.msg_t_a``)."""
    name, _, preset = spec.partition(":")
    return ModelConfig(name=name.strip(), preset=preset.strip() or None)


def compare(config: RunConfig, models: Sequence[str | ModelConfig] | None = None,
            reference: str | None = None, log=print, corpus: Corpus | None = None
            ) -> tuple[list[ComparisonRow], str]:
    """Train ``models`` (default: ``config.model``) over ``config.train.seeds`` on the same data,
    then aggregate: returns the rows and the Markdown table (also written to the output folder).
    The table is of the test split, or of the validation split for a corpus without one."""
    model_configs = [parse_model_spec(m) if isinstance(m, str) else m for m in (models or [config.model])]
    experiment = Experiment(config, model_configs, log=log)
    records = experiment.run(corpus)
    split = "test" if all(record["test"] for record in records) else "valid"
    if split == "valid":
        log("the corpus has no test split: the table reports the validation split")
    rows = compare_records(records, reference, split=split)
    return rows, write_table(experiment.folder, rows, reference, split=split)


def train(config: RunConfig, log=print, corpus: Corpus | None = None):
    """Train ``config.model`` over every seed; same as ``compare`` with one model."""
    return compare(config, None, None, log=log, corpus=corpus)


def reproduce(target: str, config: RunConfig, parallel: int = 1, log=print,
              corpus: Corpus | None = None) -> ReproduceResult:
    """A table or training figure of the paper (``table1``, ``table3`` .. ``table6``, ``fig5``,
    ``fig9`` or ``all``): train its missing runs over ``config.train.seeds`` (``parallel`` side by
    side, one process each), then write ``<output_dir>/<target>/table.md``, ``table.csv`` and
    the figure's PNG. Returns the Markdown tables and the files written."""
    return run_reproduction(target, config, parallel=parallel, log=log, corpus=corpus)


def search(config: RunConfig, space, options=None, log=print, corpus: Corpus | None = None):
    """Search ``space`` (a YAML path, a shipped space name or a ``SearchSpace``) around ``config`` on
    the validation split, then train the chosen configuration over ``options.final_seeds`` and
    score the test split once; see ``shiftmsa.training.search.runner.run_search``. Needs the
    ``search`` extra (Optuna)."""
    from shiftmsa.training.search.runner import SearchOptions, run_search
    from shiftmsa.training.search.space import SearchSpace, load_space

    space = space if isinstance(space, SearchSpace) else load_space(space)
    return run_search(config, space, options or SearchOptions(), log=log, corpus=corpus)


def __getattr__(name: str):
    if name == "SearchOptions":  # lazily: Optuna is an optional dependency
        from shiftmsa.training.search.runner import SearchOptions

        return SearchOptions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_checkpoint(folder: str | Path) -> tuple[PreparedModel, dict]:
    """A trained model bundle (``<run>/<model>/seed-<n>/best``) and its metadata."""
    return load_bundle(folder)


def recorded_data(folder: str | Path) -> DataConfig:
    """The data a checkpoint's run was trained on (path, format, reader options), as it recorded it."""
    return DataConfig(**read_bundle_metadata(Path(folder))["training"]["run_config"]["data"])


def check_compatible(metadata: dict, *, acoustic_dim: int | None, visual_dim: int | None,
                     feature_names: dict[str, str], source: str, utterance_id: str | None = None) -> None:
    """Refuse inputs that lack a stream the checkpoint's model uses, have another feature width,
    or come from another feature extractor than its training data."""
    trained = metadata["data"]
    uses = metadata["model"]["config"].get("modalities", ("text",))
    for stream, dim in (("acoustic", acoustic_dim), ("visual", visual_dim)):
        if stream not in uses:
            continue
        expected, trained_name = trained[f"{stream}_dim"], trained["feature_names"].get(stream)

        def refuse(message: str) -> DataError:
            return DataError(message, path=source, utterance_id=utterance_id, field_name=stream)

        if dim is None:
            raise refuse(f"the model uses {stream} features ({expected}-d) and the input has none")
        if dim != expected:
            raise refuse(f"{stream} features are {dim}-d but the checkpoint was trained on {expected}-d "
                         f"{stream} features ({trained_name or 'unnamed'})")
        given_name = feature_names.get(stream)
        if trained_name and given_name and given_name != trained_name:
            raise refuse(f"{stream} features come from {given_name!r} but the checkpoint was trained on "
                         f"{trained_name!r}: use features from the same extractor")


def evaluate(folder: str | Path, config: RunConfig, split: str = "test", device: str = "cpu"
             ) -> tuple[dict[str, float], Predictions]:
    """Score a checkpoint on one split of the data ``config.data`` names."""
    prepared, metadata = load_bundle(folder)
    corpus = load_corpus(config)
    check_compatible(metadata, acoustic_dim=corpus.acoustic_dim, visual_dim=corpus.visual_dim,
                     feature_names=corpus.feature_names, source=corpus.source)
    utterances = corpus.splits[split]
    if not utterances:
        raise DataError(f"split {split!r} is empty", path=corpus.source)
    prepared.model.to(device)
    predictions = predict_utterances(prepared, utterances, config.train.eval_batch_size, device)
    return predictions.metrics(), predictions


def utterance_from_text(utterance_id: str, text: str, acoustic: np.ndarray | None = None,
                        visual: np.ndarray | None = None) -> Utterance:
    """An utterance to score: whitespace-split words and optional (steps, d) feature arrays."""
    words = tuple(text.split())
    if not words:
        raise DataError("empty text", utterance_id=utterance_id, field_name="text")
    return Utterance(utterance_id, words, acoustic, visual, 0.0, "test")


def predict(prepared: PreparedModel, utterances: Sequence[Utterance], batch_size: int = 64,
            device: str = "cpu") -> list[float]:
    """One sentiment score per utterance, in order."""
    prepared.model.to(device)
    return predict_utterances(prepared, list(utterances), batch_size, device).predictions
