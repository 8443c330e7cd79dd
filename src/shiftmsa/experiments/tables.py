"""A spec's table: ours (mean ± std over seeds, per-seed values, paired t-test against the
table's reference row) beside the paper's values of the same row, in the paper's names and units.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

from shiftmsa.evaluation.statistics import Aggregate, aggregate, paired_t_test
from shiftmsa.experiments.reference import PAPER_METRICS, PaperMetric, paper_values
from shiftmsa.experiments.specs import ExperimentSpec, Row


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
    """

    row: Row
    values: dict[str, dict[int, float]]
    paper: dict[str, float | None]
    skipped: str = ""
    p_values: dict[str, float] = field(default_factory=dict)

    def aggregate(self, metric: str) -> Aggregate | None:
        return aggregate(self.values[metric]) if self.values.get(metric) else None


def collect_rows(spec: ExperimentSpec, rows: tuple[Row, ...], records: dict[str, list[dict]],
                 skipped: dict[str, str], context: TableContext) -> list[TableRow]:
    """The table rows of ``spec`` from each row's store records, with p-values against the
    reference row over the seeds both have.

    Args:
        spec: the target.
        rows: its rows for the encoder in use.
        records: row key -> that row's records (matching its fingerprint).
        skipped: row key -> why it was not run.
        context: what the table was measured on.
    """
    table = spec.paper_tables.get(context.dataset or "")
    result = []
    for row in rows:
        values = {m.key: {r["seed"]: r[context.split][m.key] for r in records.get(row.key, [])}
                  for m in PAPER_METRICS}
        paper = paper_values(table, context.dataset, context.family, row.key) if table else {}
        result.append(TableRow(row, values, paper, skipped.get(row.key, "")))
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


def format_markdown(spec: ExperimentSpec, rows: list[TableRow], context: TableContext) -> str:
    """The table as Markdown: one line per row with ours and, in parentheses, the paper's value;
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
        lines.append(f"| {table_row.row.title} | {label} | {seeds} | " + " | ".join(cells) + " |")
    for table_row in rows:
        if table_row.p_values:
            lines.append(f"| p vs {reference}: {table_row.row.title} | | | " + " | ".join(
                f"{table_row.p_values[m.key]:.3g}" for m in PAPER_METRICS) + " |")
    return "\n".join(lines)


def write_table(folder: Path, spec: ExperimentSpec, rows: list[TableRow], context: TableContext) -> str:
    """Write ``table.md`` and ``table.csv`` (one line per row and metric, per-seed values, the
    paper's value, the p-value) into ``folder``; return the Markdown."""
    folder.mkdir(parents=True, exist_ok=True)
    text = format_markdown(spec, rows, context)
    (folder / "table.md").write_text(text + "\n")
    with open(folder / "table.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "title", "model", "metric", "our_metric", "unit", "mean", "std", "n", "values",
                         "seeds", "paper", "p_value_vs_reference", "reference", "skipped"])
        for table_row in rows:
            for metric in PAPER_METRICS:
                value = table_row.aggregate(metric.key)
                writer.writerow([
                    table_row.row.key, table_row.row.title, table_row.row.model_config().label, metric.name,
                    metric.key, "percent" if metric.percent else "fraction",
                    "" if value is None else f"{metric.scale(value.mean):.6g}",
                    "" if value is None else f"{metric.scale(value.std):.6g}",
                    0 if value is None else value.n,
                    "" if value is None else " ".join(f"{metric.scale(v):.6g}" for v in value.values),
                    "" if value is None else " ".join(str(s) for s in value.seeds),
                    _paper(table_row.paper[metric.key], metric) if metric.key in table_row.paper else "",
                    f"{table_row.p_values[metric.key]:.6g}" if table_row.p_values else "",
                    spec.reference or "", table_row.skipped])
    return text
