"""Every failure a user can cause ends in one line naming the file / utterance / field, exit 2,
no traceback (the catalogue of issue 25); a byte-flipped last/ is refused saying how to restart;
outputs are checked before any work; a full disk leaves the old file whole."""

import json
import shutil

import pytest

from shiftmsa.cli import main


def written(path, data: bytes):
    path.write_bytes(data)
    return path


def synthetic_train(*options):
    return ["train", "--data", "synthetic", "--data-option", "n=30", "--epochs", "1", *options]


def copied_checkpoint(run, tmp_path, name, data: bytes):
    """The run's checkpoint copied into ``tmp_path/best`` with ``name`` replaced by ``data``."""
    checkpoint = shutil.copytree(run.checkpoint, tmp_path / "best")
    (checkpoint / name).write_bytes(data)
    return checkpoint


def flipped_last(run, tmp_path):
    """The interrupted experiment folder copied, one byte of last/model.safetensors flipped."""
    folder = shutil.copytree(run.interrupted, tmp_path / "interrupted")
    weights = folder / "text-only" / "seed-0" / "last" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    return folder


# name -> make(tmp_path, run, read_only) -> (argv, what stderr must name); `run` is the text-only run
CATALOGUE = {
    "--config with malformed YAML": lambda t, run, ro: (
        synthetic_train("--config", str(written(t / "bad.yaml", b"train: [1\n"))),
        [str(t / "bad.yaml"), "not valid YAML", "line 2"]),
    "--config with a list at top level": lambda t, run, ro: (
        synthetic_train("--config", str(written(t / "list.yaml", b"- 1\n- 2\n"))),
        [str(t / "list.yaml"), "top level is a list"]),
    "--config with a 0xFF byte": lambda t, run, ro: (
        synthetic_train("--config", str(written(t / "ff.yaml", b"train:\n  epochs: \xff\n"))),
        [str(t / "ff.yaml"), "not UTF-8", "0xff"]),
    "--set with a malformed YAML value": lambda t, run, ro: (
        synthetic_train("--set", "train.epochs=[1"), ["train.epochs", "'[1'", "not a valid YAML value"]),
    "--format mag-pkl given a folder": lambda t, run, ro: (
        ["train", "--format", "mag-pkl", "--data", str(run.data), "--output", str(t / "out")],
        [str(run.data), "is a folder"]),
    "--data-option n=abc": lambda t, run, ro: (
        ["train", "--data", "synthetic", "--data-option", "n=abc", "--output", str(t / "out")], ["'n'", "'abc'"]),
    "--data-option n=0": lambda t, run, ro: (
        ["train", "--data", "synthetic", "--data-option", "n=0", "--output", str(t / "out")], ["'n'", ">= 3, got 0"]),
    "data synth --n 0": lambda t, run, ro: (["data", "synth", str(t / "ds"), "--n", "0"], ["'n'", "got 0"]),
    "data synth --n -5": lambda t, run, ro: (["data", "synth", str(t / "ds"), "--n", "-5"], ["'n'", "got -5"]),
    "--seeds ''": lambda t, run, ro: (synthetic_train("--seeds", ""), ["--seeds ''"]),
    "train --output naming an existing file": lambda t, run, ro: (
        synthetic_train("--output", str(written(t / "taken", b"x"))), [str(t / "taken"), "a file is there"]),
    "data synth OUT naming an existing file": lambda t, run, ro: (
        ["data", "synth", str(written(t / "taken", b"x"))], [str(t / "taken"), "a file is there"]),
    # the data and inputs below do not exist: the output is refused before anything is read
    "train into a read-only folder": lambda t, run, ro: (
        ["train", "--data", str(t / "nowhere"), "--output", str(ro / "run")], [str(ro / "run"), "cannot write"]),
    "predict into a read-only folder": lambda t, run, ro: (
        ["predict", str(t / "no-checkpoint"), "--text", "good", "--output", str(ro / "p.json")],
        [str(ro / "p.json"), "cannot write"]),
    "data synth into a read-only folder": lambda t, run, ro: (
        ["data", "synth", str(ro / "ds")], [str(ro / "ds"), "cannot write"]),
    "extract into a read-only folder": lambda t, run, ro: (
        ["extract", str(t / "no-clip.mp4"), "--transcript", "hi", "-o", str(ro / "clip")],
        [str(ro / "clip.npz"), "cannot write"]),
    "extract-dataset into a read-only folder": lambda t, run, ro: (
        ["extract-dataset", str(t / "no-manifest.csv"), "-o", str(ro / "dataset")],
        [str(ro / "dataset"), "cannot write"]),
    "predict --output x.txt": lambda t, run, ro: (
        ["predict", str(run.checkpoint), "--text", "good", "--output", str(t / "x.txt")],
        [str(t / "x.txt"), ".json or .csv"]),
    "checkpoint whose shiftmsa.json is []": lambda t, run, ro: (
        ["predict", str(copied_checkpoint(run, t, "shiftmsa.json", b"[]")), "--text", "good"],
        [str(t / "best" / "shiftmsa.json"), "JSON list"]),
    "corrupt encoder/tokenizer.json of a checkpoint": lambda t, run, ro: (
        ["predict", str(copied_checkpoint(run, t, "encoder/tokenizer.json", b"{oops")), "--text", "good"],
        [str(t / "best" / "encoder" / "tokenizer.json"), "not valid JSON"]),
    "byte-flipped last/ of an interrupted run": lambda t, run, ro: (
        run.train_argv(flipped_last(run, t)),
        [str(t / "interrupted" / "text-only" / "seed-0" / "last"), "corrupted", "rm -r", "from its first epoch"]),
    "--set model.params.encoder=/nonexistent": lambda t, run, ro: (
        synthetic_train("--set", "model.params.encoder=/nonexistent", "--output", str(t / "out")),
        ["/nonexistent", "does not exist"]),
    "non-UTF-8 extract-dataset manifest": lambda t, run, ro: (
        ["extract-dataset", str(written(t / "clips.csv", b"clip,transcript\ncaf\xe9.mp4,hi\n")), "-o", str(t / "ds")],
        [str(t / "clips.csv"), "line 2 is not UTF-8"]),
    "data check --tokenizer nope": lambda t, run, ro: (
        ["data", "check", str(run.data), "--tokenizer", "nope"], ["--tokenizer nope", "--tokenizer none"]),
}
NEEDS_NO_GPU = {"--set train.accelerator=gpu without a GPU": lambda t, run, ro: (
    synthetic_train("--set", "train.accelerator=gpu", "--output", str(t / "out")), ["train.accelerator=gpu"])}


def needs_read_only(case: str) -> bool:
    return "read-only" in case


@pytest.mark.parametrize("case", [*CATALOGUE, *NEEDS_NO_GPU])
def test_a_user_error_ends_in_one_line_naming_where(case, tmp_path, text_only_run, request, capsys):
    if case in NEEDS_NO_GPU:
        import torch

        if torch.cuda.is_available():
            pytest.skip("this machine has a GPU")
    read_only = request.getfixturevalue("read_only_folder") if needs_read_only(case) else None
    argv, names = {**CATALOGUE, **NEEDS_NO_GPU}[case](tmp_path, text_only_run, read_only)
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and err.startswith("shiftmsa ") and ": error: " in err
    for name in names:
        assert name in err, (name, err)


@pytest.mark.parametrize("command", ["train", "predict"])
def test_a_full_disk_leaves_the_old_file_whole_and_names_it(command, tmp_path, text_only_run, full_disk, capsys):
    old = {"train": ("run/config.yaml", "# the configuration of an earlier command\n"),
           "predict": ("scores.json", json.dumps([{"id": "a", "score": 1.5}]))}[command]
    folder = full_disk(dict([old]))
    argv = (text_only_run.train_argv(folder / "run") if command == "train" else
            ["predict", str(text_only_run.checkpoint), "--text", "good", "--output", str(folder / old[0])])
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert str(folder / old[0]) in err and "No space left on device" in err
    assert (folder / old[0]).read_text() == old[1]
    assert not [p.name for p in (folder / old[0]).parent.iterdir() if p.name.endswith(".tmp")]
