"""docs/results.md generated from the stores under docs/results and their manifests.

``render_report`` reads every ``results.jsonl`` with the ``manifest.yaml`` beside it and writes
one Markdown text: first the current evidence (per data x protocol, the newest valid result of
each model, mean ± sample std over seeds, the paper's row beside it in the paper's units), then
every store, newest first, with its manifest's facts, its table and paired t-tests over shared
seeds. ``report_differences`` says how a committed file differs from what would be written. The
text depends only on the stores and manifests, so the same inputs give the same bytes.
"""

from __future__ import annotations

import difflib
import math
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from shiftmsa.defaults import DEFAULT_ENCODER
from shiftmsa.evaluation.statistics import aggregate, paired_t_test
from shiftmsa.experiments.manifest import (DATA, MACHINES, MANIFEST_FILE, PROTOCOLS, Manifest, ManifestError,
                                          load_manifest)
from shiftmsa.experiments.reference import PAPER_METRICS, paper_dataset, paper_values
from shiftmsa.store.records import RESULTS_FILE, ResultStore

# (metric, higher is better): the paper's five (docs/metrics.md), then MAE and Corr over all labels
METRICS = (("acc7", True), ("acc2_non0", True), ("f1_non0", True), ("mae_non0", False), ("corr_non0", True),
           ("mae", False), ("corr", True))
ROMAN = {"table1": "I", "table2": "II", "table3": "III", "table4": "IV", "table5": "V", "table6": "VI"}
NOTES_FILE = "results_notes.md"
PERCENT = {metric.key: metric.percent for metric in PAPER_METRICS}
RECORD_KEYS = ("model", "seed", "test", "valid", "best_epoch", "best_valid_objective", "train_seconds",
               "wall_seconds")


class ReportError(ManifestError):
    """Stores and manifests that do not fit together (a dangling reference, an ambiguous current)."""


@dataclass(frozen=True)
class Store:
    """One store: its manifest and, per model label, seed -> value of each metric and run facts
    (the last record of a (model, seed) wins, as a rerun appends after the run it replaces)."""

    manifest: Manifest
    values: dict[str, dict[str, dict[int, float]]]
    best_epochs: dict[str, dict[int, int]]
    train_seconds: dict[str, dict[int, float]]
    wall_seconds: dict[str, dict[int, float]]
    objectives: dict[str, dict[int, float]]

    @property
    def folder(self) -> str:
        return self.manifest.folder


def read_stores(results_dir: Path) -> list[Store]:
    """Every store under ``results_dir`` with its manifest, cross-references checked."""
    folders = sorted({path.parent for path in results_dir.rglob(RESULTS_FILE)})
    orphans = sorted({p.parent for p in results_dir.rglob(MANIFEST_FILE)} - set(folders))
    if orphans:
        raise ReportError(f"{orphans[0] / MANIFEST_FILE}: a manifest without a {RESULTS_FILE} beside it")
    stores = [_read_store(folder, load_manifest(folder / MANIFEST_FILE, folder.relative_to(results_dir).as_posix()))
              for folder in folders]
    _check_references(stores, results_dir)
    return stores


def shown_split(manifest: Manifest) -> str:
    """The split a store's table shows: the validation split for a selection run (what its choice
    read), the test split otherwise."""
    return "valid" if manifest.role == "selection" else "test"


def _read_store(folder: Path, manifest: Manifest) -> Store:
    split = shown_split(manifest)
    latest = {}
    for record in ResultStore(folder).records():
        missing = [key for key in RECORD_KEYS if key not in record]
        if missing:
            raise ReportError(f"{folder / RESULTS_FILE}: a record without {', '.join(missing)}")
        latest[(record["model"], record["seed"])] = record
        if bool(record.get("test")) != (manifest.test_split == "scored"):
            raise ReportError(f"{folder / MANIFEST_FILE}: test_split: {manifest.test_split}, but the record of "
                              f"{record['model']} seed {record['seed']} "
                              f"{'lacks' if manifest.test_split == 'scored' else 'has'} "
                              f"test metrics")
    values, epochs, train, wall, objectives = {}, {}, {}, {}, {}
    for (model, seed), record in sorted(latest.items(), key=lambda item: (_model_order(item[0][0]), item[0][1])):
        for metric, _ in METRICS:
            values.setdefault(model, {}).setdefault(metric, {})[seed] = record[split][metric]
        epochs.setdefault(model, {})[seed] = record["best_epoch"]
        train.setdefault(model, {})[seed] = record["train_seconds"]
        wall.setdefault(model, {})[seed] = record["wall_seconds"]
        objectives.setdefault(model, {})[seed] = record["best_valid_objective"]
    return Store(manifest, values, epochs, train, wall, objectives)


def _model_order(model: str) -> tuple[bool, str]:
    """text-only first (the usual reference), then by label."""
    return model != "text-only", model


def _check_references(stores: list[Store], results_dir: Path) -> None:
    by_folder = {store.folder: store for store in stores}
    for store in stores:
        manifest, where = store.manifest, results_dir / store.folder / MANIFEST_FILE

        def known(folder: str, field: str) -> Store:
            if folder not in by_folder:
                raise ReportError(f"{where}: {field}: {folder!r} is not a store under {results_dir}")
            return by_folder[folder]

        superseded = manifest.superseded_by
        for model, folder in (superseded.items() if isinstance(superseded, dict) else
                              [(m, superseded) for m in store.values if superseded]):
            if model not in store.values or model not in known(folder, "superseded_by").values:
                raise ReportError(f"{where}: superseded_by: {model!r} is not in both {store.folder} and {folder}")
        for comparison in manifest.comparisons:
            reference = known(comparison.store, "reference.store") if comparison.store else store
            if comparison.model not in reference.values:
                raise ReportError(f"{where}: reference: no {comparison.model!r} in {reference.folder}")
            missing = [m for m in comparison.candidates if m not in store.values]
            if missing:
                raise ReportError(f"{where}: reference.models: no {missing[0]!r} in {store.folder}")
        if manifest.copied_from:
            known(manifest.copied_from, "copied_from")
        for path in manifest.provenance + manifest.figures:
            if not (results_dir / path).is_file():
                raise ReportError(f"{where}: {path}: no such file under {results_dir}")


Key = tuple[str, str, str, str, str]  # data, protocol, model label, variant, encoder


def current_evidence(stores: list[Store]) -> dict[Key, Store]:
    """Per (data, protocol, model, variant, encoder), the store of the newest valid result: a
    store that is valid, not a selection run, scored on test, and not superseded for that model.
    Two such stores of one date are ambiguous: one of them must say ``superseded_by``."""
    candidates: dict[Key, list[Store]] = {}
    for store in stores:
        manifest = store.manifest
        if not manifest.valid or manifest.role != "result" or manifest.test_split != "scored":
            continue
        for model in store.values:
            if not manifest.superseder(model):
                key = (manifest.data_name, manifest.protocol, model, manifest.variant, manifest.encoder)
                candidates.setdefault(key, []).append(store)
    current = {}
    for key, found in candidates.items():
        newest = max(store.manifest.date for store in found)
        tied = sorted(store.folder for store in found if store.manifest.date == newest)
        if len(tied) > 1:
            raise ReportError(f"{' and '.join(tied)} both measured {key[2]} on {key[0]} ({key[1]} protocol) on "
                              f"{newest}: mark the older one superseded_by the newer in its {MANIFEST_FILE}")
        current[key] = next(store for store in found if store.manifest.date == newest)
    return current


def slug(heading: str) -> str:
    """The anchor a Markdown renderer (GitHub's) gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _mean_std(values: dict[int, float]) -> str:
    result = aggregate(values)
    return f"{result.mean:.3f}" if math.isnan(result.std) else f"{result.mean:.3f} ± {result.std:.3f}"


def _p(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2g}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _header(first: str, extra: tuple[str, ...] = ()) -> list[str]:
    names = [first, "seeds"] + [f"{m} {'↑' if up else '↓'}" for m, up in METRICS] + list(extra)
    return [_row(names), "|" + "---|" * len(names)]


def _label(key: Key) -> str:
    _, _, model, variant, _ = key
    return f"{model} ({variant})" if variant else model


def _paper_row(manifest: Manifest, model: str) -> tuple[str, dict[str, float | None]] | None:
    """The paper's row for ``model`` of this store: ``paper_rows`` first, else Table I by the
    registry name or the table of the model's preset; None for a variant or no such row."""
    if manifest.paper_rows is not None and model in manifest.paper_rows:
        spec = manifest.paper_rows[model]
    elif manifest.variant:
        return None
    else:
        name, _, preset = model.partition(":")
        spec = preset or f"table1.{name}"
    table, _, row = spec.partition(".")
    dataset = paper_dataset(manifest.data_name)
    table = "table2" if (dataset, table) == ("mosei", "table1") else table
    values = paper_values(table, dataset, "bert", row) if dataset else {}
    return (f"Table {ROMAN.get(table, table)} `{row}`", values) if values else None


def _current_section(current: dict[Key, Store]) -> list[str]:
    lines = ["## The current evidence", "",
             "Per data and protocol, the newest valid result of each model (a store's date; a newer store "
             "that replaces an older one of the same date says so in the older one's manifest), test split, "
             "mean ± sample std over seeds. Under each of our rows, the paper's row of the same model where "
             "it has one (BERT-base, word-aligned COVAREP / FACET, its own protocol, mean of 5 runs; Acc7, "
             "Acc2 and F1 in percent as the paper prints them): for scale, not as a target. p-values are in "
             "each store's section."]
    groups = sorted({(key[0], key[1], key[4]) for key in current},
                    key=lambda g: (list(DATA).index(g[0]), list(PROTOCOLS).index(g[1]), g[2] != DEFAULT_ENCODER, g[2]))
    for data, protocol, encoder in groups:
        named = f", encoder {encoder}" if encoder != DEFAULT_ENCODER else ""
        lines += ["", f"### {data}, protocol {protocol}{named}", "", f"{DATA[data]}; {PROTOCOLS[protocol]}.", ""]
        lines += _header("model", ("measured",))
        keys = sorted((k for k in current if (k[0], k[1], k[4]) == (data, protocol, encoder)),
                      key=lambda k: (_model_order(k[2]), k[3]))
        for key in keys:
            store = current[key]
            manifest, values = store.manifest, store.values[key[2]]
            cells = [_mean_std(values[m]) for m, _ in METRICS]
            where = f"[{manifest.date}, {manifest.machine}](#{slug(store.folder)})"
            lines.append(_row([_label(key), str(len(values["acc7"]))] + cells + [where]))
            paper = _paper_row(manifest, key[2])
            if paper is not None:
                row, numbers = paper
                shown = ["–" if numbers.get(m) is None else f"{numbers[m]:.1f} %" if PERCENT[m] else
                         f"{numbers[m]:.3f}" for m, _ in METRICS]
                lines.append(_row([f"↳ paper: {row}", "5"] + shown + ["Lin & Hu"]))
    return lines


def _facts(store: Store, link: Callable[[str], str]) -> list[str]:
    manifest = store.manifest
    code = (f"code at {', '.join(f'`{c}`' for c in manifest.commits)}" if manifest.commits
            else f"code commit unknown: {manifest.commit_unknown.rstrip('.')}")
    facts = [f"- Measured {manifest.date} on {manifest.machine} ({MACHINES[manifest.machine]}), {code}."]
    facts += [f"- Environment: {manifest.environment}"] if manifest.environment else []
    variant = f"; variant: {manifest.variant}" if manifest.variant else ""
    facts.append(f"- Protocol `{manifest.protocol}`: {PROTOCOLS[manifest.protocol]}{variant}.")
    options = ", ".join(f"`{k}={_option(v)}`" for k, v in sorted(manifest.data_options.items())) or "none"
    facts.append(f"- Data `{manifest.data_name}` ({DATA[manifest.data_name]}): path `{manifest.data_path}`, "
                 f"options {options}; encoder `{manifest.encoder}`.")
    written = f", written to `{manifest.written_to}`" if manifest.written_to else ""
    copied = (f"; it also holds copies of the records of [{manifest.copied_from}](#{slug(manifest.copied_from)})"
              if manifest.copied_from else "")
    facts.append(f"- Store: [{RESULTS_FILE}]({link(store.folder + '/' + RESULTS_FILE)}){written}{copied}.")
    if manifest.provenance:
        facts.append("- Provenance: " + ", ".join(f"[{Path(p).name}]({link(p)})" for p in manifest.provenance) + ".")
    if manifest.role == "selection":
        facts.append("- Role: selection (a tuning run, never current evidence); the table shows the validation "
                     "split, which the choice read" + (", and the test split was withheld." if
                                                       manifest.test_split == "withheld" else "."))
    return facts


def _option(value) -> str:
    return f"[{','.join(map(str, value))}]" if isinstance(value, list) else str(value)


def _status(store: Store, current: dict[Key, Store]) -> list[str]:
    manifest = store.manifest
    lines = [f"**Invalid:** {manifest.invalid_reason}"] if not manifest.valid else []
    by = {}
    for model in store.values:
        if manifest.superseder(model):
            by.setdefault(manifest.superseder(model), []).append(model)
    lines += [f"**Superseded** by [{folder}](#{slug(folder)}): {', '.join(sorted(models))}."
              for folder, models in sorted(by.items())]
    in_current = sorted(_label(k) for k, s in current.items() if s is store)
    lines += [f"**Current evidence:** {', '.join(in_current)}."] if in_current else []
    return lines


def _store_table(store: Store, by_folder: dict[str, Store]) -> list[str]:
    validation = shown_split(store.manifest) == "valid"
    extra = ("valid objective",) if validation else ()
    lines = _header(f"model ({'validation' if validation else 'test'})", extra + ("best epochs", "train s", "wall s"))
    for model, values in store.values.items():
        objective = (f"{aggregate(store.objectives[model]).mean:.4f}",) if validation else ()
        epochs = " ".join(str(store.best_epochs[model][s]) for s in sorted(store.best_epochs[model]))
        lines.append(_row([model, str(len(values["acc7"]))] + [_mean_std(values[m]) for m, _ in METRICS]
                          + list(objective) + [epochs, _range(store.train_seconds[model]),
                                                _range(store.wall_seconds[model])]))
    for comparison in store.manifest.comparisons:
        reference = by_folder[comparison.store] if comparison.store else store
        named = f" ({comparison.store})" if comparison.store else ""
        for model in comparison.candidates or tuple(m for m in store.values
                                                    if comparison.store or m != comparison.model):
            p = [_p(paired_t_test(store.values[model][m], reference.values[comparison.model][m])) for m, _ in METRICS]
            lines.append(_row([f"p vs {comparison.model}{named}: {model}", ""] + p + [""] * (len(extra) + 3)))
    return lines


def _range(seconds: dict[int, float]) -> str:
    """Whole seconds over seeds, as ``min-max`` (one number when they are equal)."""
    values = sorted(round(value) for value in seconds.values())
    return f"{values[0]}" if values[0] == values[-1] else f"{values[0]}-{values[-1]}"


def _store_section(store: Store, current: dict[Key, Store], by_folder: dict[str, Store],
                   link: Callable[[str], str]) -> list[str]:
    manifest = store.manifest
    status = _status(store, current)
    lines = ["", f"### {store.folder}", ""] + status + ([""] if status else [])
    lines += [manifest.measured, ""] + _facts(store, link) + [""]
    if manifest.commands:
        lines += ["```bash"] + list(manifest.commands) + ["```", ""]
    else:
        lines += [f"Command unknown: {manifest.command_unknown}", ""]
    lines += _store_table(store, by_folder)
    lines += [x for figure in manifest.figures for x in ("", f"![{Path(figure).stem}]({link(figure)})")]
    lines += [x for paragraph in manifest.notes.split("\n\n") if paragraph for x in ("", paragraph)]
    return lines


def render_report(results_dir: Path, output: Path) -> str:
    """The Markdown of docs/results.md for the stores under ``results_dir``, with links relative
    to ``output``'s folder."""
    stores = read_stores(results_dir)
    current = current_evidence(stores)
    by_folder = {store.folder: store for store in stores}
    base = Path(os.path.relpath(results_dir, output.parent)).as_posix()

    def link(path: str) -> str:
        return posixpath.normpath(f"{base}/{path}")

    newest_first = sorted(stores, key=lambda s: (-int(s.manifest.date.replace("-", "")), s.folder))
    in_current = {store.folder for store in current.values()}
    behind = [s for s in newest_first if s.folder in in_current]
    history = [s for s in newest_first if s.folder not in in_current]
    lines = [
        "<!-- Generated by `shiftmsa report` from docs/results/*/manifest.yaml and the stores beside them; "
        "do not edit: change a manifest or results_notes.md and run `shiftmsa report`. -->",
        "# Results, as measured", "",
        f"Every number below is computed from a committed store (`{RESULTS_FILE}`, one JSON line per finished "
        f"run) under [docs/results/]({base}/), and every fact about a store (date, machine, code, commands, "
        f"validity) comes from the `{MANIFEST_FILE}` beside it ([the folder scheme and the fields]({base}/"
        f"README.md)). Metrics: `*_non0` drop the zero labels (the paper's Acc2, F1, MAE, Corr); `mae`, "
        "`corr` use every label ([metrics.md](metrics.md)); mean ± sample std over seeds, the best epoch by "
        "the validation objective, the test split scored once per run. p-values: paired t-tests over the "
        f"seeds two models share. Readings and diagnoses: [{NOTES_FILE}]({NOTES_FILE}).", "",
    ]
    lines += _current_section(current)
    lines += ["", "## The stores behind the current evidence"]
    for store in behind:
        lines += _store_section(store, current, by_folder, link)
    lines += ["", "## History", "", "Every other store, newest first."]
    for store in history:
        lines += _store_section(store, current, by_folder, link)
    return "\n".join(lines) + "\n"


def report_differences(committed: Path, generated: str, limit: int = 60) -> list[str]:
    """The unified diff of ``committed`` against ``generated`` (at most ``limit`` lines and a
    count of the rest); empty when they are the same."""
    if not committed.is_file():
        return [f"{committed}: missing"]
    old = committed.read_text(encoding="utf-8")
    if old == generated:
        return []
    diff = list(difflib.unified_diff(old.splitlines(), generated.splitlines(), f"{committed} (committed)",
                                     f"{committed} (as generated)", lineterm="", n=1))
    return diff[:limit] + ([f"... and {len(diff) - limit} more diff lines"] if len(diff) > limit else [])
