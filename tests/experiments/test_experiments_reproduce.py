"""A two-row reproduce on the synthetic data, end to end: table, PNG, and a rerun that trains nothing."""

import csv
import json

import pytest

from shiftmsa import api
from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic


@pytest.fixture(scope="module")
def corpus():
    return generate_synthetic(60, seed=2)


def tiny_config(encoder, output, seeds="0,1"):
    return load_config(None, [f"model.params.encoder={encoder}", "train.epochs=2", "train.batch_size=16",
                              "train.head_learning_rate=1e-3", f"train.seeds=[{seeds}]", f"output_dir={output}",
                              "data.max_length=24", "train.accelerator=cpu"])


def test_fig9_writes_table_and_curves_and_a_rerun_trains_nothing(tmp_path, tiny_bert_dir, corpus):
    config = tiny_config(tiny_bert_dir, tmp_path)
    messages = []
    result = api.reproduce("fig9", config, log=messages.append, corpus=corpus)
    assert messages[0].startswith("4 run(s) to train, 0 already in")
    assert messages[-1].startswith("[msg-mba:table3.mba seed 1] run 4 of 4: trained in ") and " test acc7=" in messages[-1]
    assert any(m.startswith("[msg-mba:table3.mba seed 1] run 4 of 4; about ") for m in messages)  # the time left
    folder = tmp_path / "fig9"
    assert (folder / "fig9.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = (folder / "table.md").read_text()
    assert "| with Shifting HuberLoss (Proposed) | msg-mba:table3.full | 2 |" in table
    assert "p vs without Shifting HuberLoss (+MBA): with Shifting HuberLoss (Proposed)" in table
    with open(folder / "table.csv") as handle:
        rows = list(csv.DictReader(handle))
    acc2 = next(r for r in rows if r["row"] == "full" and r["metric"] == "Acc2")
    assert acc2["our_metric"] == "acc2_non0" and acc2["seeds"] == "0 1" and len(acc2["values"].split()) == 2
    assert acc2["paper"] == ""  # the synthetic corpus is none of the paper's datasets
    records = (tmp_path / "results.jsonl").read_text().splitlines()
    assert len(records) == 4
    history = json.loads(records[0])["history"]  # per-epoch validation metrics, the curves' source
    assert [entry["epoch"] for entry in history] == [1, 2] and "f1_non0" in history[1]["valid"]

    again = []
    rerun = api.reproduce("fig9", config, log=again.append, corpus=corpus)
    assert again[0] == "0 run(s) to train, 4 already in " + str(tmp_path / "results.jsonl")
    assert len(again) == 5 and all(m.endswith("), skipped") for m in again[1:])
    assert (tmp_path / "results.jsonl").read_text().splitlines() == records
    assert rerun.tables["fig9"] == result.tables["fig9"]

