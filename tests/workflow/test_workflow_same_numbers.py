"""Every model trains to the same numbers, bit for bit, as it did when the values were recorded.

A tiny run of each registered model (and of msg-mba's Table III presets that switch modules
off) on a tiny synthetic corpus with a tiny random BERT: the per-epoch objectives, the best epoch
and the test metrics must equal ``same_numbers.json``, first written at commit c1412f1 (before
the restructuring of issue 22) by running this file with ``SHIFTMSA_RECORD_NUMBERS=1``: bit for
bit on a machine it holds a recording of, within a float tolerance on another
(``tests/recorded_numbers.py``). A change that alters any model's arithmetic fails here; a change
meant to alter it rewrites the file in the same commit and says why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.training.loop import RunTrainer
from recorded_numbers import check_recorded

RECORDED = Path(__file__).with_name("same_numbers.json")

RUNS = {
    "msg-mba": ("msg-mba", None, []),
    "msg-mba:table3.no_modules": ("msg-mba", "table3.no_modules", []),
    "msg-mba:table3.msg_t": ("msg-mba", "table3.msg_t", []),
    "text-only": ("text-only", None, []),
    "mag": ("mag", None, []),
    "tfn": ("tfn", None, []),
    "lmf": ("lmf", None, []),
    "mfn": ("mfn", None, []),
    "mult": ("mult", None, []),
    "misa": ("misa", None, ["model.params.fusion_feedforward=32", "model.params.hidden_size=16"]),
    "self-mm": ("self-mm", None, []),
}


@pytest.fixture(scope="module")
def corpus():
    return generate_synthetic(36, seed=5, acoustic_dim=4, visual_dim=3)  # 24 / 6 / 6


def train_numbers(label: str, encoder: Path, corpus, folder: Path) -> dict:
    name, preset, params = RUNS[label]
    overrides = [f"model.name={name}", f"model.params.encoder={encoder}", *params, "train.epochs=2",
                 "train.batch_size=8", "train.head_learning_rate=1e-3", "train.seeds=[0]",
                 f"output_dir={folder}", "data.max_length=16", "train.accelerator=cpu"]
    if preset:
        overrides.append(f"model.preset={preset}")
    outcome = RunTrainer(load_config(None, overrides), 0, corpus, folder).run()
    return {"best_epoch": outcome.best_epoch,
            "history": [{key: record[key] for key in ("train_objective", "valid_objective")}
                        for record in outcome.history],
            "test": outcome.test_metrics}


@pytest.mark.parametrize("label", list(RUNS))
def test_a_model_trains_to_its_recorded_numbers(label, tiny_bert_dir, corpus, one_thread, tmp_path):
    check_recorded(RECORDED, label, train_numbers(label, tiny_bert_dir, corpus, tmp_path))
