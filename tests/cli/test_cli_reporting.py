"""The CLI's one error path (a bug: one line, its traceback in a file, exit 1; --debug and
SHIFTMSA_DEBUG show tracebacks; Ctrl-C) and its notices, each printed once as one line."""

import dataclasses
import json
import shutil
import tempfile

import numpy as np
import pytest

from shiftmsa.cli import main
from shiftmsa.data.readers.native import write_native_dataset
from shiftmsa.data.synthetic import generate_synthetic


def stderr_lines(capsys) -> list[str]:
    return capsys.readouterr().err.strip().splitlines()


@pytest.fixture
def broken_models_command(monkeypatch, tmp_path):
    """``shiftmsa models`` failing as a bug would; tracebacks are written under ``tmp_path``."""
    def handler(args):
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    monkeypatch.setattr("shiftmsa.cli.models.list_models", handler)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.delenv("SHIFTMSA_DEBUG", raising=False)


def test_a_bug_is_one_line_saying_so_with_its_traceback_in_a_file(broken_models_command, tmp_path, capsys):
    assert main(["models"]) == 1
    lines = stderr_lines(capsys)
    assert len(lines) == 1 and "Traceback" not in lines[0], lines
    assert lines[0].startswith("shiftmsa models: internal error, a bug in shiftmsa (TypeError: unsupported")
    [report] = tmp_path.glob("shiftmsa-models-*.txt")
    assert str(report) in lines[0]
    text = report.read_text()
    assert "command: shiftmsa models" in text and "Traceback" in text and "raise TypeError" in text


@pytest.mark.parametrize("how", ["--debug before the command", "--debug after it", "SHIFTMSA_DEBUG=1"])
def test_debug_prints_the_traceback_above_the_line(how, broken_models_command, tmp_path, monkeypatch, capsys):
    argv = {"--debug before the command": ["--debug", "models"], "--debug after it": ["models", "--debug"],
            "SHIFTMSA_DEBUG=1": ["models"]}[how]
    if how.startswith("SHIFTMSA_DEBUG"):
        monkeypatch.setenv("SHIFTMSA_DEBUG", "1")
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback") and "raise TypeError" in err
    assert err.strip().splitlines()[-1].startswith("shiftmsa models: internal error")
    assert not list(tmp_path.glob("shiftmsa-models-*.txt"))  # shown, so not written


def test_debug_shows_the_traceback_of_a_user_error_too(tmp_path, capsys):
    assert main(["data", "synth", str(tmp_path / "ds"), "--n", "0", "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "DataError" in err
    assert err.strip().splitlines()[-1] == "shiftmsa data: error: field 'n': the synthetic corpus needs an integer >= 3, got 0"


def test_ctrl_c_ends_in_one_line(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr("shiftmsa.cli.models.list_models", interrupted)
    assert main(["models"]) == 130
    assert stderr_lines(capsys) == ["shiftmsa models: interrupted"]


def test_a_torn_store_line_is_one_notice_once(text_only_run, tmp_path, capsys):
    folder = shutil.copytree(text_only_run.finished, tmp_path / "run")
    with open(folder / "results.jsonl", "a") as store:
        store.write('{"model": "text-only", "seed": 1, "finger')  # a run killed mid-write
    capsys.readouterr()
    assert main([*text_only_run.train_argv(folder), "--seeds", "0,1"]) == 0  # seed 0 skipped, seed 1 trained
    assert [record["seed"] for record in map(json.loads, (folder / "results.jsonl").read_text().splitlines()[::2])
            ] == [0, 1]  # the new record on a line of its own after the torn one
    assert stderr_lines(capsys) == [
        f"shiftmsa train: notice: {folder / 'results.jsonl'}: line 2 is not valid JSON (torn by a run interrupted "
        f"while writing it?); that line is skipped, the other records are used"]


def test_streams_a_text_only_checkpoint_ignores_are_a_notice(text_only_run, tmp_path, capsys):
    rng = np.random.default_rng(0)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "so good", "acoustic": rng.normal(size=(2, 16)).tolist()}))
    capsys.readouterr()
    assert main(["predict", str(text_only_run.checkpoint), "--input", str(source)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)[0]["id"] == "a"
    assert captured.err.strip().splitlines() == [
        f"shiftmsa predict: notice: {source}: the checkpoint's model uses text only; the acoustic features given "
        f"are not used"]


def test_msg_mba_narrowed_to_a_corpus_streams_says_so_once(tiny_bert_dir, tmp_path, capsys):
    corpus = generate_synthetic(12, seed=2)
    visual_only = dataclasses.replace(corpus, acoustic_dim=None, splits={
        split: [dataclasses.replace(u, acoustic=None) for u in utterances] for split, utterances in corpus.splits.items()})
    write_native_dataset(visual_only, tmp_path / "visual-only")
    capsys.readouterr()
    assert main(["train", "--data", str(tmp_path / "visual-only"), "--seeds", "0", "--epochs", "1", "--output",
                 str(tmp_path / "run"), "--set", f"model.params.encoder={tiny_bert_dir}", "--set", "train.batch_size=16",
                 "--set", "data.max_length=12"]) == 0
    assert stderr_lines(capsys) == [
        "shiftmsa train: notice: msg-mba: corpus synthetic has no acoustic stream, so the model runs on text + visual "
        "(set model.params.modalities to choose)"]
