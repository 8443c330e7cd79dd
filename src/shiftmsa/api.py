"""The Python API, mirroring the command line: train, compare, evaluate, predict.

    from shiftmsa import api
    config = api.load_config(None, ["data.path=../shared/data/mosi"], protocol="cpu")
    rows, table = api.compare(config, ["text-only", "mag", "msg-mba"], reference="text-only")
    outcome = api.search(config, "generic", api.SearchOptions(jobs=2))   # Section IV-E's grid search
    result = api.reproduce("table3", config, parallel=2)   # the paper's Table III beside ours
    prepared, metadata = api.load_checkpoint("runs/default/msg-mba/seed-0/best")
    scores = api.predict(prepared, [api.utterance_from_text("u1", "that was sick")])
    figures = api.explain("runs/mosi/msg-mba/seed-0/best", config=config, output="figures")
    api.export("runs/default/msg-mba/seed-0/best", "deployed", quantize="int8")   # ONNX Runtime bundle
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from shiftmsa.config import DataConfig, ModelConfig, RunConfig, load_config
from shiftmsa.data.compatibility import check_streams
from shiftmsa.data.compatibility import utterance_from_text as text_utterance
from shiftmsa.data.contract import Corpus, DataError, Utterance
from shiftmsa.data.reading import load_corpus
from shiftmsa.experiments.experiment import Experiment
from shiftmsa.experiments.reproduce import ReproduceResult
from shiftmsa.experiments.reproduce import reproduce as run_reproduction
from shiftmsa.experiments.tables import ComparisonRow, compare_records, write_table
from shiftmsa.explain import ExplainOptions, FigureData, explain_model, write_figures
from shiftmsa.training.checkpoint import read_bundle_metadata
from shiftmsa.training.loop import Predictions, predict_utterances
from shiftmsa.training.modelling import PreparedModel, load_bundle

__all__ = ["load_config", "parse_model_spec", "train", "compare", "reproduce", "search", "SearchOptions",
           "load_checkpoint", "recorded_data", "evaluate", "predict", "utterance_from_text", "check_compatible",
           "explain", "ExplainOptions", "export", "export_refusals"]


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
    score the test split once; see ``shiftmsa.experiments.search.driver.run_search``. Needs the
    ``search`` extra (Optuna)."""
    from shiftmsa.experiments.search.driver import SearchOptions, run_search
    from shiftmsa.experiments.search.space import SearchSpace, load_space

    space = space if isinstance(space, SearchSpace) else load_space(space)
    return run_search(config, space, options or SearchOptions(), log=log, corpus=corpus)


def __getattr__(name: str):
    if name == "SearchOptions":  # lazily: Optuna is an optional dependency
        from shiftmsa.experiments.search.driver import SearchOptions

        return SearchOptions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def serve_rank_zero() -> int:
    """In a process a launcher (torchrun) started as rank > 0: train rank 0's runs with it, each
    its share, until rank 0's command ends; writes nothing (``training.distributed``)."""
    from shiftmsa.training.follower import follow

    return follow()


def release_followers_at_exit() -> None:
    """In rank 0 of a launcher (torchrun): stop the followers when this process ends."""
    from shiftmsa.training.distributed import release_followers_at_exit as release

    release()


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
    check_streams(metadata["data"], metadata["model"]["config"].get("modalities", ("text",)),
                  acoustic_dim=acoustic_dim, visual_dim=visual_dim, feature_names=feature_names, source=source,
                  utterance_id=utterance_id)


def evaluate(folder: str | Path, config: RunConfig, split: str = "test", device: str = "cpu"
             ) -> tuple[dict[str, float], Predictions]:
    """Score a checkpoint on one split of the data ``config.data`` names."""
    prepared, metadata = load_bundle(folder)
    utterances = _checked_split(config, split, [metadata])
    prepared.model.to(device)
    predictions = predict_utterances(prepared, utterances, config.train.eval_batch_size, device)
    return predictions.metrics(), predictions


def _checked_split(config: RunConfig, split: str, metadata: Sequence[dict]) -> list[Utterance]:
    """One split of the data ``config.data`` names, refused unless every checkpoint can read it."""
    corpus = load_corpus(config)
    for checkpoint in metadata:
        check_compatible(checkpoint, acoustic_dim=corpus.acoustic_dim, visual_dim=corpus.visual_dim,
                         feature_names=corpus.feature_names, source=corpus.source)
    utterances = corpus.splits[split]
    if not utterances:
        raise DataError(f"split {split!r} is empty", path=corpus.source)
    return utterances


def _chosen(utterances: list[Utterance], ids: Sequence[str] | None, limit: int, split: str,
            source: str) -> list[Utterance]:
    """The utterances with ``ids`` (in that order), or the first ``limit`` of the split."""
    if not ids:
        return utterances[:limit]
    by_id = {u.id: u for u in utterances}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise DataError(f"no utterance {unknown[0]!r} in split {split!r}", path=source, utterance_id=unknown[0],
                        field_name="id")
    return [by_id[i] for i in ids]


def _run_title(folder: str | Path) -> str:
    """``<run>/<model>/seed-<n>/best`` -> ``<model> [<run>, seed <n>]``; other folders: their name."""
    parts = Path(folder).resolve().parts
    if len(parts) >= 4 and parts[-1] == "best" and parts[-2].startswith("seed-"):
        return f"{parts[-3].replace('__', ':')} [{parts[-4]}, {parts[-2].replace('-', ' ')}]"
    return Path(folder).name


def explain(folder: str | Path, utterances: Sequence[Utterance] | None = None, *, config: RunConfig | None = None,
            split: str = "test", ids: Sequence[str] | None = None, limit: int = 3, compare: str | Path | None = None,
            options: ExplainOptions | None = None, feature_names: dict[str, str] | None = None,
            source: str = "utterances", output: str | Path | None = None,
            log: Callable[[str], None] = print) -> list[FigureData]:
    """The data of the paper's analysis figures for a checkpoint (``shiftmsa.explain``).

    Args:
        folder: the checkpoint to explain.
        utterances: new (unlabelled) utterances to draw; or None with ``config``.
        config: a run configuration whose ``data`` names a labelled dataset: the per-utterance
            figures draw ``ids`` (or the first ``limit``) of ``split``, t-SNE the whole split.
        split, ids, limit: see ``config``.
        compare: a second checkpoint, drawn beside the first in the t-SNE (Fig. 7).
        options: which figures and how (``ExplainOptions``).
        feature_names: the extractor of ``utterances``' features, when known (clips).
        source: where ``utterances`` came from, for error messages.
        output: also write ``<name>.png`` and ``<name>.json`` per figure into this folder.
        log: receives a line per figure the model cannot give (when none was named).
    """
    if (utterances is None) == (config is None):
        raise ValueError("give either utterances or a config naming a dataset")
    prepared, metadata = load_bundle(folder)
    second = load_bundle(compare) if compare is not None else None
    checkpoints = [metadata] + ([second[1]] if second else [])
    if config is not None:
        population = _checked_split(config, split, checkpoints)
        utterances = _chosen(population, ids, limit, split, config.data.path)
    else:
        population, first = None, utterances[0]
        for checkpoint in checkpoints:
            check_compatible(checkpoint, feature_names=feature_names or {}, source=source, utterance_id=first.id,
                             **{f"{s}_dim": None if getattr(first, s) is None else getattr(first, s).shape[1]
                                for s in ("acoustic", "visual")})
    titles = [_run_title(f) for f in ([folder] + ([compare] if compare is not None else []))]
    figures = explain_model(prepared, list(utterances), population=population, labelled=config is not None,
                            compare=second[0] if second else None, titles=titles, options=options, log=log)
    if output is not None:
        write_figures(figures, output)
    return figures


def utterance_from_text(utterance_id: str, text: str, acoustic: np.ndarray | None = None,
                        visual: np.ndarray | None = None) -> Utterance:
    """An utterance to score: whitespace-split words and optional (steps, d) feature arrays."""
    return text_utterance(utterance_id, text, acoustic, visual)


def predict(prepared: PreparedModel, utterances: Sequence[Utterance], batch_size: int = 64,
            device: str = "cpu") -> list[float]:
    """One sentiment score per utterance, in order."""
    prepared.model.to(device)
    return predict_utterances(prepared, list(utterances), batch_size, device).predictions


def export(checkpoint: str | Path, output: str | Path, quantize: str = "none", log=print) -> dict:
    """Write ``checkpoint`` as an ONNX Runtime bundle in ``output`` (``shiftmsa.deploy``); returns
    its manifest. ``quantize``: ``none``, ``int8`` or ``fp16``. Raises ``ValueError`` (an
    ``ExportRefused``) for a model that cannot be exported, saying why. Score the bundle with
    ``shiftmsa.deploy.runtime.DeployedModel`` (no torch) or ``shiftmsa predict``."""
    from shiftmsa.deploy.export import export_bundle

    return export_bundle(checkpoint, output, quantize, log=log)


def export_refusals() -> dict[str, str | None]:
    """Every registered model -> None when it exports, else the one-line reason it is refused."""
    from shiftmsa.deploy.export import export_refusals as refusals

    return refusals()
