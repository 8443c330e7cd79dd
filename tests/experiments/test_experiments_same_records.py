"""``compare`` and ``reproduce`` store the same records and write the same tables as before the runner
was made one (issue 22).

``same_records.json`` was first written by this file at 5b37c4d (compare through ``Experiment``'s own
loop, reproduce through the old ``run_jobs``) with ``SHIFTMSA_RECORD_NUMBERS=1``, one recording per
machine (``tests/recorded_numbers.py``). Records are
compared without their times, with the tiny encoder's folder (a temporary path) and the run
folders written relative; their fingerprints must be the planned runs'.
"""

from __future__ import annotations

import json
from pathlib import Path

from recorded_numbers import check_recorded

from shiftmsa import api
from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.store.fingerprint import fingerprint_digest

RECORDED = Path(__file__).with_name("same_records.json")


def tiny_config(encoder: Path, output: Path, *overrides: str):
    return load_config(None, [f"model.params.encoder={encoder}", "train.epochs=2", "train.batch_size=16",
                              "train.head_learning_rate=1e-3", "train.seeds=[0,1]", "data.max_length=24",
                              "train.accelerator=cpu", "train.keep_checkpoint=false", f"output_dir={output}",
                              *overrides])


def stored(folder: Path, tables: Path, encoder: Path) -> dict:
    """The store's records and the tables, with what depends on this session's paths or clock left out."""
    records = []
    for record in json.loads("[" + ",".join((folder / "results.jsonl").read_text().splitlines()) + "]"):
        model = [f"model.name={record['name']}"] + ([f"model.preset={record['preset']}"] if record["preset"] else [])
        assert record.pop("fingerprint") == fingerprint_digest(tiny_config(encoder, folder, *model))
        for key in ("wall_seconds", "train_seconds"):
            record.pop(key)
        record["run_dir"] = str(Path(record["run_dir"]).relative_to(folder))
        record["params"]["encoder"] = "ENCODER"
        records.append(record)
    return {"records": records, **{name: (tables / name).read_text().replace(str(encoder), "ENCODER")
                                   for name in ("table.md", "table.csv")}}


def test_compare_and_reproduce_store_what_they_stored_before(tiny_bert_dir, one_thread, tmp_path):
    corpus = generate_synthetic(60, seed=2)
    api.compare(tiny_config(tiny_bert_dir, tmp_path / "compare"), ["text-only", "msg-mba:table3.msg_t"], "text-only",
                log=lambda m: None, corpus=corpus)
    api.reproduce("fig9", tiny_config(tiny_bert_dir, tmp_path / "reproduce"), log=lambda m: None, corpus=corpus)
    now = {
        "compare": stored(tmp_path / "compare", tmp_path / "compare", tiny_bert_dir),
        "reproduce": stored(tmp_path / "reproduce", tmp_path / "reproduce" / "fig9", tiny_bert_dir)}
    check_recorded(RECORDED, "compare-and-reproduce", now)
