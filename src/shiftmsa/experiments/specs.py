"""The paper's tables and training figures as declared experiment specs, not code per table.

A spec is a list of rows; a row is a registered model, a preset and overrides, the key of its
row in the paper's numbers and the modalities it needs from the corpus. Rows are the presets of
``msg-mba`` (one per row of Tables III-VI and Fig. 5); Table I takes every registered model.

Readings where the paper leaves a choice:
- Table V is Table III's component rows on XLNet (Section IV-G5): the rows are the Table III
  presets, run on the XLNet encoder the user gives (``model.params.encoder``); the spec refuses
  a BERT-family encoder.
- Fig. 5 puts MSG-T at the embedding layer and at encoder layers (Section IV-F5) without saying
  which: every split layer i = 0..N of the encoder in use (0 = after the embeddings).
- The paper's rows ran on text, acoustic and visual (Table IV's subsets on theirs). On a corpus
  with fewer streams a row runs on those it has and its table says so ("T+A: the corpus has no
  visual stream"); two rows that would then train the same model on the same settings are one
  run, and the second is refused with the first's name rather than printed twice.
- Fig. 9 compares the full model with and without the Shifting HuberLoss (Eq. 19-20): the
  Table III rows "Proposed" and "+MBA".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from shiftmsa.config import ModelConfig
from shiftmsa.models.registry import available_models

TEXT, ACOUSTIC, VISUAL = "text", "acoustic", "visual"


@dataclass(frozen=True)
class Row:
    """One row of a table (or one point / curve of a figure).

    Args:
        key: the row's key in the paper's numbers (``msg_t_a``) and in our table files.
        title: the paper's name of the row (``MSG-T&A``).
        model: registered model name.
        preset: one of the model's presets, or None.
        params: model config overrides on top of the preset.
        requires: the modalities the row is about; on a corpus without one of them the row is
            skipped with that reason (a row that would silently become another one is no row).
        paper_streams: the streams the paper's row ran on (all three, but for Table IV's subsets
            and the text-only model); a row run on fewer is marked in its table.
    """

    key: str
    title: str
    model: str = "msg-mba"
    preset: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    requires: tuple[str, ...] = (TEXT,)
    paper_streams: tuple[str, ...] = (TEXT, ACOUSTIC, VISUAL)

    def model_config(self) -> ModelConfig:
        return ModelConfig(self.model, self.preset, dict(self.params))

    def missing(self, modalities: tuple[str, ...]) -> tuple[str, ...]:
        """The required modalities that ``modalities`` (a corpus') lacks."""
        return tuple(m for m in self.requires if m not in modalities)

    def fewer_streams(self, used: tuple[str, ...]) -> str:
        """"" when the row runs on the paper's streams, else e.g. "T+A: the corpus has no visual
        stream" (``used``: the streams its model uses on the corpus)."""
        absent = [m for m in self.paper_streams if m not in used]
        if not absent:
            return ""
        streams = "+".join(m[0].upper() for m in (TEXT, ACOUSTIC, VISUAL) if m in used) or "none"
        return f"{streams}: the corpus has no {' or '.join(absent)} stream"


@dataclass(frozen=True)
class ExperimentSpec:
    """One target of ``shiftmsa reproduce``.

    Args:
        name: the target (``table3``).
        title: what the paper calls it.
        paper_tables: dataset -> the key of the paper's table with its numbers (Table I's MOSEI
            counterpart is Table II).
        make_rows: encoder depth N -> the rows (only Fig. 5 depends on N).
        reference: key of the row the paired t-tests compare against; None for no tests.
        family: the backbone family the target is defined on (``xlnet`` for Table V), or None
            for any (the paper's numbers of the encoder's family are shown).
        figure: ``layers`` (Fig. 5), ``curves`` (Fig. 9) or None.
    """

    name: str
    title: str
    paper_tables: dict[str, str]
    make_rows: Callable[[int], tuple[Row, ...]]
    reference: str | None
    family: str | None = None
    figure: str | None = None

    def rows(self, depth: int) -> tuple[Row, ...]:
        """The rows for an encoder of ``depth`` layers."""
        return self.make_rows(depth)


def preset_rows(table: str, entries: tuple[tuple[str, str, tuple[str, ...]], ...],
                subsets: bool = False) -> tuple[Row, ...]:
    """msg-mba rows ``(key, title, requires)`` on the presets ``<table>.<key>``; ``subsets``: the
    paper ran each row on exactly the streams it requires (Table IV), else on all three."""
    return tuple(Row(key, title, preset=f"{table}.{key}", requires=requires,
                     **({"paper_streams": requires} if subsets else {}))
                 for key, title, requires in entries)


TABLE3_ROWS = preset_rows("table3", (
    ("no_modules", "no proposed modules", (TEXT,)),
    ("msg_t", "only MSG-T", (TEXT,)),
    ("msg_t_a", "MSG-T&A", (TEXT, ACOUSTIC)),
    ("msg_t_v", "MSG-T&V", (TEXT, VISUAL)),
    ("msg_t_a_v", "MSG-T&A&V", (TEXT, ACOUSTIC, VISUAL)),
    ("mba", "MSG-T&A&V + MBA", (TEXT,)),
    ("full", "Proposed", (TEXT,)),
))
TABLE4_ROWS = preset_rows("table4", (
    ("a", "only A", (ACOUSTIC,)),
    ("v", "only V", (VISUAL,)),
    ("t", "only T", (TEXT,)),
    ("a_v", "only A+V", (ACOUSTIC, VISUAL)),
    ("t_a", "only T+A", (TEXT, ACOUSTIC)),
    ("t_v", "only T+V", (TEXT, VISUAL)),
    ("all", "Proposed", (TEXT, ACOUSTIC, VISUAL)),
), subsets=True)
TABLE5_ROWS = preset_rows("table5", (
    ("no_modules", "no proposed modules", (TEXT,)),
    ("msg_t_a_v", "MSG-T&A&V", (TEXT, ACOUSTIC, VISUAL)),
    ("mba", "MSG-T&A&V + MBA", (TEXT,)),
    ("full", "Proposed (XLNet)", (TEXT,)),
))
TABLE6_ROWS = preset_rows("table6", tuple((kind, title, (TEXT,)) for kind, title in (
    ("slstm", "sLSTM"), ("blstm", "bLSTM"), ("sgru", "sGRU"), ("bgru", "bGRU"))))
FIG9_ROWS = (Row("full", "with Shifting HuberLoss (Proposed)", preset="table3.full"),
             Row("mba", "without Shifting HuberLoss (+MBA)", preset="table3.mba"))


def registered_model_rows(depth: int) -> tuple[Row, ...]:
    """Table I: every registered model with its default configuration, whatever the depth."""
    return tuple(Row(spec.name, spec.name, model=spec.name, paper_streams=spec.config_class().modalities)
                 for spec in available_models())


def layer_rows(depth: int) -> tuple[Row, ...]:
    """Fig. 5: the full model with MSG-T after each layer 0..``depth`` (0 = the embeddings)."""
    return tuple(Row(f"layer{layer}", f"MSG-T after layer {layer}", preset=f"fig5.layer{layer}")
                 for layer in range(depth + 1))


def fixed(rows: tuple[Row, ...]) -> Callable[[int], tuple[Row, ...]]:
    """``make_rows`` for a table whose rows do not depend on the encoder's depth."""
    return lambda depth: rows


SPECS: dict[str, ExperimentSpec] = {spec.name: spec for spec in (
    ExperimentSpec("table1", "Table I/II: proposed method vs the registered models",
                   {"mosi": "table1", "mosei": "table2"}, registered_model_rows, reference="text-only"),
    ExperimentSpec("table3", "Table III: component ablation", {"mosi": "table3", "mosei": "table3"},
                   fixed(TABLE3_ROWS), reference="no_modules"),
    ExperimentSpec("table4", "Table IV: modality ablation", {"mosi": "table4"}, fixed(TABLE4_ROWS),
                   reference="t"),
    ExperimentSpec("table5", "Table V: component ablation on XLNet", {"mosi": "table5"}, fixed(TABLE5_ROWS),
                   reference="no_modules", family="xlnet"),
    ExperimentSpec("table6", "Table VI: RNN variants for A and V", {"mosi": "table6"}, fixed(TABLE6_ROWS),
                   reference="slstm"),
    ExperimentSpec("fig5", "Fig. 5: MSG-T after each layer", {}, layer_rows, reference="layer2",
                   figure="layers"),
    ExperimentSpec("fig9", "Fig. 9: validation F1 per epoch with and without the Shifting HuberLoss",
                   {"mosi": "table3", "mosei": "table3"}, fixed(FIG9_ROWS), reference="mba", figure="curves"),
)}
TARGETS: tuple[str, ...] = (*SPECS, "all")
