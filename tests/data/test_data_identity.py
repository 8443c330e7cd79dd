"""The data's identity: a digest of what was read, one for every spelling or copy of the same data,
another as soon as anything read differs; the files' sizes and times say what changed."""

from __future__ import annotations

import dataclasses
import os
import shutil

import numpy as np
import pytest

from shiftmsa.config import load_config
from shiftmsa.data.identity import DataIdentity, corpus_digest, describe_change, file_stats, identify_data
from shiftmsa.data.readers.native import write_native_dataset
from shiftmsa.data.synthetic import generate_synthetic
from shiftmsa.store.fingerprint import fingerprint_digest, run_identity


def data_section(path, *overrides):
    return load_config(None, [f"data.path={path}", *overrides]).data


@pytest.fixture
def dataset(tmp_path):
    return write_native_dataset(generate_synthetic(24, seed=0, acoustic_dim=3, visual_dim=2), tmp_path / "ds")


def test_spellings_copies_and_an_explicit_format_of_one_dataset_are_one_identity(dataset, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    copy = shutil.copytree(dataset, tmp_path / "elsewhere" / "copy")
    digests = {identify_data(data_section(path)).digest for path in ("ds", "./ds/", str(dataset), str(copy))}
    assert digests | {identify_data(data_section("ds", "data.format=native")).digest} == {
        corpus_digest(generate_synthetic(24, seed=0, acoustic_dim=3, visual_dim=2))}
    assert identify_data(data_section("ds")).path == str(dataset.resolve())


@pytest.mark.parametrize("change", ["label", "word", "feature", "feature dtype", "split", "order"])
def test_anything_read_that_differs_changes_the_digest(change):
    corpus = generate_synthetic(24, seed=0, acoustic_dim=3, visual_dim=2)
    before = corpus_digest(corpus)
    train = corpus.splits["train"]
    first = train[0]
    if change == "label":
        train[0] = dataclasses.replace(first, label=first.label + 1e-6)
    elif change == "word":
        train[0] = dataclasses.replace(first, words=first.words[:-1] + (first.words[-1] + "s",))
    elif change == "feature":
        acoustic = first.acoustic.copy()
        acoustic[0, 0] += 1e-3
        train[0] = dataclasses.replace(first, acoustic=acoustic)
    elif change == "feature dtype":
        train[0] = dataclasses.replace(first, acoustic=first.acoustic.astype(np.float64))
    elif change == "split":
        corpus.splits["valid"].append(train.pop())
    else:
        train[0], train[1] = train[1], train[0]
    assert corpus_digest(corpus) != before


def test_the_corpus_name_and_source_are_labels_not_identity():
    corpus = generate_synthetic(24, seed=0)
    before = corpus_digest(corpus)
    corpus.name, corpus.source = "renamed", "/somewhere/else"
    assert corpus_digest(corpus) == before


def test_a_regenerated_dataset_names_its_changed_files(dataset):
    before = identify_data(data_section(dataset))
    write_native_dataset(generate_synthetic(36, seed=7, acoustic_dim=3, visual_dim=2), dataset)
    (dataset / "notes.txt").write_text("new")
    after = identify_data(data_section(dataset))
    text = describe_change(before, after)
    assert before.digest != after.digest and text.startswith(f"content digest {before.digest} -> {after.digest}")
    assert "utterances.jsonl" in text and "bytes" in text and "notes.txt added" in text


def test_a_file_rewritten_with_its_size_and_time_kept_still_changes_the_digest(dataset):
    """Sizes and times only say what changed: they never stand in for the digest."""
    before = identify_data(data_section(dataset))
    utterances = dataset / "utterances.jsonl"
    stat, text = utterances.stat(), utterances.read_text()
    utterances.write_text(text.replace('"label": 0.', '"label": 1.', 1))
    os.utime(utterances, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = identify_data(data_section(dataset))
    assert after.files == before.files and after.digest != before.digest
    assert "no file's size or time differs" in describe_change(before, after)


def test_file_stats_of_a_file_a_folder_and_nothing(dataset):
    assert set(file_stats(dataset)) == {path.name for path in dataset.iterdir()}
    assert list(file_stats(dataset / "meta.json")) == ["meta.json"]
    assert file_stats(dataset / "absent") == {}


def test_generated_data_keeps_its_options_as_identity_and_files_need_their_digest(dataset):
    synthetic = load_config(None, ["data.options.n=60"])
    assert identify_data(synthetic.data) is None
    assert run_identity(synthetic)["data"]["options"] == {"n": 60}
    on_files = load_config(None, [f"data.path={dataset}", "data.options.inf_policy=zero"])
    with pytest.raises(ValueError, match="needs its content digest"):
        fingerprint_digest(on_files)
    section = run_identity(on_files, identify_data(on_files.data))["data"]
    assert "path" not in section and "options" not in section and section["content"]


def test_a_records_data_entry_round_trips():
    identity = DataIdentity("ab" * 16, "/data/ds", {"meta.json": [10, 20]}, "assumed")
    assert DataIdentity.from_record(identity.to_record()) == identity
    assert "note" not in DataIdentity("ab" * 16, "/data/ds").to_record()
