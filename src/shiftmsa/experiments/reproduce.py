"""``reproduce(target, config)``: train what a target's rows need (resumably), then write its
table and figure.

All targets of one output folder share one result store (``<output>/results.jsonl``), so a run
two targets need (the full model of Table III and of Fig. 9) trains once; each target writes
``<output>/<target>/table.md``, ``table.csv`` and, for figures, ``<target>.png``. A row's records
are those whose fingerprint is the row's under the given configuration: runs made with other
settings in the same folder are never mixed in. No choice reads the test split.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from shiftmsa.config import RunConfig
from shiftmsa.data.contract import Corpus
from shiftmsa.data.reading import load_corpus
from shiftmsa.defaults import DEFAULT_ENCODER
from shiftmsa.experiments.paper_figures import epoch_curves, plot_curves, plot_layers
from shiftmsa.experiments.reference import paper_dataset
from shiftmsa.experiments.runner import FAILED, plan_runs, run_planned, with_model
from shiftmsa.experiments.specs import SPECS, TARGETS, ExperimentSpec, Row
from shiftmsa.experiments.tables import TableContext, collect_rows, paper_table, write_table
from shiftmsa.store.records import ResultStore
from shiftmsa.text.backbone import encoder_config
from shiftmsa.training.modelling import resolve_model_config


class ReproduceError(ValueError):
    """A target that cannot run with this configuration (e.g. Table V on a BERT encoder)."""


@dataclass
class TargetPlan:
    """What one target will run and skip.

    Args:
        spec: the target.
        rows: its rows for the encoder in use.
        skipped: row key -> why the row is not run (a stream it needs is missing, or it would
            train the same model as an earlier row).
        notes: row key -> the streams it runs on when they are fewer than the paper's row's.
    """

    spec: ExperimentSpec
    rows: tuple[Row, ...]
    skipped: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def runnable(self) -> list[Row]:
        return [row for row in self.rows if row.key not in self.skipped]


@dataclass
class ReproduceResult:
    """What ``reproduce`` did.

    Args:
        tables: target -> its Markdown table.
        files: the tables and figures written.
        skipped_targets: target -> why it was not run (``all`` only).
        failed_runs: ``label seed n`` of each run that left no record.
    """

    tables: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    skipped_targets: dict[str, str] = field(default_factory=dict)
    failed_runs: list[str] = field(default_factory=list)


def plan_target(spec: ExperimentSpec, family: str, depth: int, corpus: Corpus,
                config: RunConfig | None = None) -> TargetPlan:
    """The rows of ``spec`` for this encoder, those needing a stream the corpus lacks skipped.

    With ``config`` (the base configuration) each runnable row's model is resolved on the corpus:
    a row that uses fewer streams than the paper's row gets a note, and a row whose model and
    settings equal an earlier row's there (Table IV "T+A" and "Proposed" on a corpus without
    visual) is skipped with the earlier row's name.

    Raises:
        ReproduceError: when the target is defined on another backbone family.
    """
    if spec.family is not None and spec.family != family:
        raise ReproduceError(f"{spec.name} ({spec.title}) is defined on a {spec.family} encoder and the "
                             f"encoder in use is a {family} one: set model.params.encoder to an encoder of the "
                             f"{spec.family} family (a folder or a cached hub name)")
    rows = spec.rows(depth)
    skipped = {row.key: f"needs {', '.join(row.missing(corpus.modalities))}; the corpus has "
                        f"{', '.join(corpus.modalities)}" for row in rows if row.missing(corpus.modalities)}
    plan = TargetPlan(spec, rows, skipped)
    if config is not None:
        seen: dict[str, str] = {}
        for row in plan.runnable:
            model = resolve_model_config(with_model(config, row.model_config()), corpus)
            plan.notes[row.key] = row.fewer_streams(model.used_modalities())
            settings = repr(sorted((row.model, *item) for item in model.effective_settings().items()))
            if settings in seen:
                plan.skipped[row.key] = (f"the same model on the same streams and settings as "
                                         f"\"{seen[settings]}\" here ({plan.notes[row.key] or 'same streams'})")
            else:
                seen[settings] = row.title
        plan.notes = {key: note for key, note in plan.notes.items() if note and key not in plan.skipped}
    return plan


def protocol_summary(config: RunConfig) -> str:
    """The training protocol in one line, for the tables' header."""
    train = config.train
    head = f", head lr {train.head_learning_rate:g}" if train.head_learning_rate else ""
    return f"{train.epochs} epochs, batch {train.batch_size}, lr {train.learning_rate:g}{head}"


def write_outputs(plan: TargetPlan, records: list[dict], digests: dict[str, str], context: TableContext,
                  folder: Path) -> tuple[str, list[Path]]:
    """Table (and figure) of one target from the store's records; returns the Markdown and the files.

    Args:
        plan: the target's rows.
        records: the store's records.
        digests: model label -> the fingerprint digest of its runs under this configuration (a
            row's records are those that carry it).
        context: what the table was measured on.
        folder: where the target's files go.
    """
    by_row = {}
    for row in plan.runnable:
        label = row.model_config().label
        by_row[row.key] = [r for r in records if (r["model"], r["fingerprint"]) == (label, digests[label])]
    table_rows = collect_rows(plan.spec, plan.rows, by_row, plan.skipped, context, plan.notes)
    text = write_table(folder, paper_table(plan.spec, table_rows, context))
    files = [folder / "table.md", folder / "table.csv"]
    figure = folder / f"{plan.spec.name}.png"
    if plan.spec.figure == "layers":
        plot_layers(table_rows, figure)
        files.append(figure)
    elif plan.spec.figure == "curves":
        plot_curves({row.title: epoch_curves(by_row[row.key]) for row in plan.runnable}, figure)
        files.append(figure)
    return text, files


def reproduce(target: str, config: RunConfig, *, parallel: int = 1, log: Callable[[str], None] = print,
              corpus: Corpus | None = None) -> ReproduceResult:
    """Train every missing run of ``target`` (one of ``TARGETS``) over ``config.train.seeds`` and
    write its tables and figures under ``config.output_dir``.

    Args:
        target: ``table1``, ``table3`` .. ``table6``, ``fig5``, ``fig9`` or ``all``.
        config: the base configuration (data, protocol, seeds, encoder in ``model.params``,
            store folder in ``output_dir``); each row sets the model.
        parallel: runs side by side, one process each (1: one after another, here).
        log: receives progress lines.
        corpus: the data already read (default: read from ``config.data``).

    Raises:
        ReproduceError: an unknown target, or a single target that cannot run here (with
            ``all``, such a target is skipped and said so).
    """
    if target not in TARGETS:
        raise ReproduceError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    corpus = corpus or load_corpus(config)
    encoder = config.model.params.get("encoder", DEFAULT_ENCODER)
    encoder_settings = encoder_config(encoder)
    family, depth = encoder_settings.model_type, int(encoder_settings.num_hidden_layers)
    result = ReproduceResult()
    plans = []
    for name in (SPECS if target == "all" else [target]):
        try:
            plans.append(plan_target(SPECS[name], family, depth, corpus, config))
        except ReproduceError as error:
            if target != "all":
                raise
            result.skipped_targets[name] = str(error)
            log(f"{name} skipped: {error}")
    runs = plan_runs(config, [row.model_config() for plan in plans for row in plan.runnable], corpus)
    ended = run_planned(runs, jobs=parallel, corpus=corpus, log=log)
    result.failed_runs = [f"{e.run.label} seed {e.run.seed}" for e in ended if e.status == FAILED]
    split = "test" if corpus.splits["test"] else "valid"
    context = TableContext(paper_dataset(corpus.name), family, str(encoder), corpus.name, split,
                           protocol_summary(config))
    folder, records = Path(config.output_dir), ResultStore(config.output_dir).records()
    digests = {run.label: run.digest for run in runs}
    for plan in plans:
        text, files = write_outputs(plan, records, digests, context, folder / plan.spec.name)
        result.tables[plan.spec.name] = text
        result.files.extend(files)
    return result
