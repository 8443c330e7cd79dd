"""Every table the experiments write, and the one writer of ``table.md`` and ``table.csv``.

Two kinds: a model comparison (``compare``, ``train``, a search's final runs): mean ± std over
seeds per model and metric, paired t-tests against a reference model; and a paper target's table
(``reproduce``): ours beside the paper's values of the same row, in the paper's names and units.
Each is a ``Table`` (its Markdown and CSV rows); ``write_table`` writes either.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

from shiftmsa.evaluation.metrics import LOWER_IS_BETTER
from shiftmsa.evaluation.statistics import Aggregate, aggregate, paired_t_test
from shiftmsa.experiments.reference import PAPER_METRICS, PaperMetric, paper_values
from shiftmsa.experiments.specs import ExperimentSpec, Row
from shiftmsa.files import replacing, write_text

# both MAE / Corr conventions (docs/metrics.md): the paper's tables use mae_non0 / corr_non0
TABLE_METRICS: tuple[str, ...] = ("acc7", "acc2_non0", "f1_non0", "acc2_has0", "f1_has0", "mae", "corr",
                                  "mae_non0", "corr_non0")
# a run's best validation objective (lower is better), as a column of a validation-split comparison
OBJECTIVE = "objective"


@dataclass(frozen=True)
class Table:
    """A table as written: its Markdown (``table.md``) and its CSV rows, the header first (``table.csv``)."""

    markdown: str
    csv_rows: list[list]


@dataclass
class ComparisonRow:
    """One model of a comparison: each metric over seeds, and p-values against the reference."""

    model: str
    metrics: dict[str, Aggregate]
    p_values: dict[str, float]


def compare_records(records: list[dict], reference: str | None, split: str = "test",
                    metrics: tuple[str, ...] = TABLE_METRICS) -> list[ComparisonRow]:
    """Mean +- std per model and metric, with paired t-test p-values against ``reference``."""
    by_model: dict[str, dict[str, dict[int, float]]] = {}
    for record in records:
        values = by_model.setdefault(record["model"], {m: {} for m in metrics})
        for metric in metrics:
            values[metric][record["seed"]] = record[split][metric]
    if reference is not None and reference not in by_model:
        raise ValueError(f"reference model {reference!r} is not among {sorted(by_model)}")
    rows = []
    for model, values in by_model.items():
        p_values = ({m: paired_t_test(values[m], by_model[reference][m]) for m in metrics}
                    if reference is not None and model != reference else {})
        rows.append(ComparisonRow(model, {m: aggregate(values[m]) for m in metrics}, p_values))
    return rows


def _cell(value: Aggregate) -> str:
    return f"{value.mean:.4f} ± {value.std:.4f}" if not math.isnan(value.std) else f"{value.mean:.4f}"


def format_table(rows: list[ComparisonRow], reference: str | None, split: str = "test") -> str:
    """A comparison as Markdown: mean ± std over seeds; p-values (paired t-test vs the reference) below."""
    metrics = list(rows[0].metrics) if rows else []
    header = f"| model ({split}) | seeds | " + " | ".join(
        f"{m} {'↓' if m in LOWER_IS_BETTER or m == OBJECTIVE else '↑'}" for m in metrics) + " |"
    lines = [header, "|" + "---|" * (len(metrics) + 2)]
    for row in rows:
        n = max(a.n for a in row.metrics.values())
        lines.append(f"| {row.model} | {n} | " + " | ".join(_cell(row.metrics[m]) for m in metrics) + " |")
    if reference is not None:
        for row in rows:
            if row.p_values:
                lines.append(f"| p vs {reference}: {row.model} | | " + " | ".join(
                    f"{row.p_values[m]:.3g}" for m in metrics) + " |")
    return "\n".join(lines)


def comparison_table(rows: list[ComparisonRow], reference: str | None, split: str = "test") -> Table:
    """A comparison's table: ``format_table``, and in CSV one line per model and metric with the
    per-seed values."""
    csv_rows: list[list] = [["model", "metric", "mean", "std", "n", "p_value_vs_reference", "values", "seeds"]]
    for row in rows:
        for metric, value in row.metrics.items():
            csv_rows.append([row.model, metric, f"{value.mean:.6f}", f"{value.std:.6f}", value.n,
                             f"{row.p_values[metric]:.6g}" if metric in row.p_values else "",
                             " ".join(f"{v:.6f}" for v in value.values),
                             " ".join(str(s) for s in value.seeds)])
    return Table(format_table(rows, reference, split), csv_rows)


def write_table(folder: Path, table: Table | list[ComparisonRow], reference: str | None = None,
                split: str = "test") -> str:
    """Write ``table.md`` and ``table.csv`` into ``folder`` (created if missing); return the Markdown.

    Args:
        folder: where the two files go.
        table: a ``Table`` (``paper_table``), or the rows of a model comparison
            (``compare_records``), tabulated by ``comparison_table`` with ``reference`` and ``split``.
        reference, split: see ``comparison_table``; unused for a ``Table``.
    """
    if not isinstance(table, Table):
        table = comparison_table(table, reference, split)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_text(folder / "table.md", table.markdown + "\n")
    with replacing(folder / "table.csv", newline="") as handle:
        csv.writer(handle).writerows(table.csv_rows)
    return table.markdown


@dataclass(frozen=True)
class TableContext:
    """What the table was measured on (its header says it).

    Args:
        dataset: the paper's dataset the corpus is (``mosi``), or None.
        family: the encoder's backbone family (``bert``).
        encoder: the encoder as configured.
        corpus: the corpus name.
        split: the split the metrics are of (``test``; ``valid`` for a corpus without one).
        protocol: a one-line summary of the training protocol.
    """

    dataset: str | None
    family: str
    encoder: str
    corpus: str
    split: str
    protocol: str


@dataclass
class TableRow:
    """One row: ours over seeds (empty when skipped), p-values, and the paper's values.

    Args:
        row: the spec's row.
        values: our metric -> seed -> value (fractions, as measured).
        paper: our metric -> the paper's value in its unit (None: a dash).
        skipped: why the row was not run, or "".
        p_values: our metric -> p of the paired t-test against the reference row.
        streams: "" when it ran on the paper's row's streams, else which it ran on and why
            ("T+A: the corpus has no visual stream").
    """

    row: Row
    values: dict[str, dict[int, float]]
    paper: dict[str, float | None]
    skipped: str = ""
    p_values: dict[str, float] = field(default_factory=dict)
    streams: str = ""

    def aggregate(self, metric: str) -> Aggregate | None:
        return aggregate(self.values[metric]) if self.values.get(metric) else None


def collect_rows(spec: ExperimentSpec, rows: tuple[Row, ...], records: dict[str, list[dict]],
                 skipped: dict[str, str], context: TableContext,
                 streams: dict[str, str] | None = None) -> list[TableRow]:
    """The table rows of ``spec`` from each row's store records, with p-values against the
    reference row over the seeds both have.

    Args:
        spec: the target.
        rows: its rows for the encoder in use.
        records: row key -> that row's records (matching its fingerprint).
        skipped: row key -> why it was not run.
        context: what the table was measured on.
        streams: row key -> which streams it ran on, where fewer than the paper's row's.
    """
    table = spec.paper_tables.get(context.dataset or "")
    result = []
    for row in rows:
        values = {m.key: {r["seed"]: r[context.split][m.key] for r in records.get(row.key, [])}
                  for m in PAPER_METRICS}
        paper = paper_values(table, context.dataset, context.family, row.key) if table else {}
        result.append(TableRow(row, values, paper, skipped.get(row.key, ""),
                               streams=(streams or {}).get(row.key, "")))
    reference = next((r for r in result if r.row.key == spec.reference and not r.skipped), None)
    for table_row in result:
        if reference is not None and table_row is not reference and not table_row.skipped:
            table_row.p_values = {m.key: paired_t_test(table_row.values[m.key], reference.values[m.key])
                                  for m in PAPER_METRICS}
    return result


def _number(value: float, metric: PaperMetric) -> str:
    """A value in the paper's unit and precision (one decimal for percentages, three otherwise)."""
    return f"{value:.{1 if metric.percent else 3}f}"


def _ours(value: Aggregate | None, metric: PaperMetric) -> str:
    if value is None:
        return "-"
    mean = _number(metric.scale(value.mean), metric)
    return mean if math.isnan(value.std) else f"{mean} ± {_number(metric.scale(value.std), metric)}"


def _paper(value: float | None, metric: PaperMetric) -> str:
    return "-" if value is None else _number(value, metric)


def _paper_markdown(spec: ExperimentSpec, rows: list[TableRow], context: TableContext) -> str:
    """A target's table as Markdown: one line per row with ours and, in parentheses, the paper's value;
    p-values below; a header that says what was measured and how the metrics are named."""
    reference = next((r.row.title for r in rows if r.row.key == spec.reference), None)
    dataset = context.dataset.upper() if context.dataset else "no paper dataset"
    lines = [
        f"## {spec.title}",
        "",
        f"Ours: {context.corpus} ({context.split} split), encoder {context.encoder} ({context.family} "
        f"family), {context.protocol}; mean ± std over seeds (per-seed values in table.csv). In "
        f"parentheses: the paper ({dataset}, {context.family.upper()}, mean of 5 runs).",
        "Metrics as the paper names them (Section IV-D): " + ", ".join(
            f"{m.name} = {m.key}{' in %' if m.percent else ''}" for m in PAPER_METRICS)
        + " (Acc2 and F1 without zero labels; F1 weighted).",
        "",
        "| row | model | seeds | " + " | ".join(f"{m.name} {'↑' if m.higher_is_better else '↓'}"
                                          for m in PAPER_METRICS) + " |",
        "|" + "---|" * (len(PAPER_METRICS) + 3),
    ]
    for table_row in rows:
        label = table_row.row.model_config().label
        seeds = f"skipped: {table_row.skipped}" if table_row.skipped else str(
            max(len(v) for v in table_row.values.values()))
        cells = [f"{_ours(table_row.aggregate(m.key), m)} ({_paper(table_row.paper[m.key], m)})"
                 if m.key in table_row.paper else _ours(table_row.aggregate(m.key), m) for m in PAPER_METRICS]
        title = f"{table_row.row.title} ({table_row.streams})" if table_row.streams else table_row.row.title
        lines.append(f"| {title} | {label} | {seeds} | " + " | ".join(cells) + " |")
    for table_row in rows:
        if table_row.p_values:
            lines.append(f"| p vs {reference}: {table_row.row.title} | | | " + " | ".join(
                f"{table_row.p_values[m.key]:.3g}" for m in PAPER_METRICS) + " |")
    return "\n".join(lines)


def paper_table(spec: ExperimentSpec, rows: list[TableRow], context: TableContext) -> Table:
    """A target's table: its Markdown and, in CSV, one line per row and metric with the per-seed
    values, the paper's value and the p-value."""
    csv_rows: list[list] = [["row", "title", "model", "metric", "our_metric", "unit", "mean", "std", "n", "values",
                             "seeds", "paper", "p_value_vs_reference", "reference", "skipped", "streams"]]
    for table_row in rows:
        for metric in PAPER_METRICS:
            value = table_row.aggregate(metric.key)
            csv_rows.append([
                table_row.row.key, table_row.row.title, table_row.row.model_config().label, metric.name,
                metric.key, "percent" if metric.percent else "fraction",
                "" if value is None else f"{metric.scale(value.mean):.6g}",
                "" if value is None else f"{metric.scale(value.std):.6g}",
                0 if value is None else value.n,
                "" if value is None else " ".join(f"{metric.scale(v):.6g}" for v in value.values),
                "" if value is None else " ".join(str(s) for s in value.seeds),
                _paper(table_row.paper[metric.key], metric) if metric.key in table_row.paper else "",
                f"{table_row.p_values[metric.key]:.6g}" if table_row.p_values else "",
                spec.reference or "", table_row.skipped, table_row.streams])
    return Table(_paper_markdown(spec, rows, context), csv_rows)
