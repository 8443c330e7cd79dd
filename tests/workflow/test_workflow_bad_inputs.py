"""A catalogue of bad inputs through the command line: each ends with exit status 2 and one line
on stderr that names the file, the utterance and the field where they are known; no traceback."""

import json
import os
import pickle
import shutil

import numpy as np
import pytest

from shiftmsa.cli import main

MAG_WIDTHS = {"visual": 47, "acoustic": 74}


class WritesMarker:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def mag_sample(words, label, segment, visual_dim=MAG_WIDTHS["visual"]):
    rng = np.random.default_rng(0)
    features = (np.array(words), rng.standard_normal((len(words), visual_dim)).astype(np.float32),
                rng.standard_normal((len(words), MAG_WIDTHS["acoustic"])).astype(np.float32))
    return features, np.array([[label]], dtype=np.float32), segment


def mag_pickle(path, **replace):
    """A MAG-BERT pickle of three utterances; ``replace`` swaps a split's only sample."""
    content = {"train": [mag_sample(["so", "good"], 1.0, "v_1")], "dev": [mag_sample(["meh"], -0.5, "v_2")],
               "test": [mag_sample(["bad"], -2.0, "v_3")]}
    content.update({split: [sample] for split, sample in replace.items()})
    path.write_bytes(pickle.dumps(content, protocol=4))
    return path


def mosi_table(folder, audio_rows):
    """The shared MOSI table layout with 3 utterances and ``audio_rows`` openSMILE rows."""
    folder.mkdir()
    rows = [f"vid_{i},vid,{i},0,1,{i - 1}.0,{split},{split},words {i},words {i}\n"
            for i, split in enumerate(("train", "valid", "test"))]
    (folder / "mosi_utterances.csv").write_text(
        "id,video,segment,start,end,label,sdk_fold,bclstm_split,text,text_aligned\n" + "".join(rows))
    np.savez(folder / "mosi_utterance_features.npz", id=np.array([f"vid_{i}" for i in range(3)]),
             audio_opensmile=np.zeros((audio_rows, 73), dtype=np.float32))
    return folder


def openface_subset(folder):
    """The OpenFace subset layout (text + visual only) with 3 utterances."""
    folder.mkdir()
    records = [{"id": f"v_{i}", "label": 1.0, "sdk_fold": split, "asr_words": ["fine", "thanks"], "gold_text": "",
                "word_times": [[0, 1]] * 2, "match_score": 1.0} for i, split in enumerate(("train", "valid", "test"))]
    (folder / "mosi_openface_words.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    np.savez(folder / "mosi_openface_visual.npz", id=np.array(["v_0", "v_1", "v_2"]),
             offsets=np.array([0, 2, 4, 6]), visual=np.zeros((6, 22), dtype=np.float32),
             columns=np.array([f"c{i}" for i in range(22)]), n_frames=np.ones(6, dtype=np.int16))
    return folder


def written(path, data: bytes):
    path.write_bytes(data)
    return path


def latin1_label_csv(path):
    path.write_bytes("video_id,clip_id,text,label,mode\nv,1,caf\xe9 ok,1.0,train\n".encode("latin-1"))
    return path


def copied_checkpoint(trained, tmp_path):
    return shutil.copytree(trained[1], tmp_path / "best")


def damaged(trained, tmp_path, name, change):
    checkpoint = copied_checkpoint(trained, tmp_path)
    path = checkpoint / name
    path.write_bytes(change(path.read_bytes()))
    return checkpoint


def flip_4kb(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes(255 - b for b in data[middle:middle + 4096]) + data[middle + 4096:]


def garbage_without_checksum(trained, tmp_path):
    """Garbage weights in a checkpoint that predates recorded checksums."""
    checkpoint = copied_checkpoint(trained, tmp_path)
    metadata = json.loads((checkpoint / "shiftmsa.json").read_text())
    metadata.pop("sha256")
    (checkpoint / "shiftmsa.json").write_text(json.dumps(metadata))
    (checkpoint / "model.safetensors").write_bytes(b"not safetensors at all")
    return checkpoint


def check(path, *options):
    return ["data", "check", str(path), "--tokenizer", "none", *options]


def train(*options):
    return ["train", "--data", "synthetic", "--data-option", "n=30", "--epochs", "1", *options]


# name -> make(tmp_path, trained) -> (argv, what stderr must name)
CATALOGUE = {
    "malicious pickle": lambda t, _: (check(mag_pickle(t / "mosi.pkl", train=WritesMarker())),
                                      [str(t / "mosi.pkl"), "system", "refused"]),
    "truncated pickle": lambda t, _: (check(written(t / "mosi.pkl", mag_pickle(t / "full.pkl").read_bytes()[:300])),
                                      [str(t / "mosi.pkl"), "truncated"]),
    "empty pickle": lambda t, _: (check(written(t / "mosi.pkl", b"")), [str(t / "mosi.pkl"), "not a readable data pickle"]),
    "NaN label": lambda t, _: (check(mag_pickle(t / "mosi.pkl", dev=mag_sample(["meh"], np.nan, "v_2"))),
                               [str(t / "mosi.pkl"), "'v_2'", "'label'", "not a finite number"]),
    "label out of range": lambda t, _: (check(mag_pickle(t / "mosi.pkl", test=mag_sample(["bad"], 4.5, "v_3"))),
                                        [str(t / "mosi.pkl"), "'v_3'", "'label'", "outside [-3, 3]"]),
    "empty text": lambda t, _: (check(mag_pickle(t / "mosi.pkl", dev=mag_sample([], 0.5, "v_2"))),
                                [str(t / "mosi.pkl"), "'v_2'", "'words'", "empty text"]),
    "wrong feature width": lambda t, _: (check(mag_pickle(t / "mosi.pkl", test=mag_sample(["x"], 0.0, "v_3", 10))),
                                         [str(t / "mosi.pkl"), "'v_3'", "'visual'", "10"]),
    "non-UTF-8 CSV, data check": lambda t, _: (check(latin1_label_csv(t / "label.csv")),
                                               [str(t / "label.csv"), "line 2 is not UTF-8"]),
    "non-UTF-8 CSV, train": lambda t, _: (["train", "--data", str(latin1_label_csv(t / "label.csv"))],
                                          [str(t / "label.csv"), "line 2 is not UTF-8"]),
    "short MOSI feature array": lambda t, _: (check(mosi_table(t / "mosi", audio_rows=2)),
                                              ["mosi_utterance_features.npz", "'audio_opensmile'",
                                               "2 rows for the 3 utterances"]),
    "--set train.epochs=abc": lambda t, _: (train("--set", "train.epochs=abc"), ["train.epochs must be int, got 'abc'"]),
    "--set train.epochs=1.5": lambda t, _: (train("--set", "train.epochs=1.5"), ["train.epochs must be int, got 1.5"]),
    "--set train.batch_size=big": lambda t, _: (train("--set", "train.batch_size=big"), ["train.batch_size must be int"]),
    "--set train.learning_rate=fast": lambda t, _: (train("--set", "train.learning_rate=fast"),
                                                    ["train.learning_rate must be float"]),
    "--seeds a": lambda t, _: (train("--seeds", "a"), ["--seeds 'a' is not a comma-separated list of integers"]),
    "encoder not available offline": lambda t, _: (
        train("--set", "model.params.encoder=xlnet-base-cased", "--output", str(t / "run")),
        ["encoder xlnet-base-cased is not available offline", "pass a local folder"]),
    "typo in compare --models": lambda t, _: (["compare", "--models", "text-only,msg-mbaa", "--data", "synthetic",
                                               "--data-option", "n=30", "--output", str(t / "run")],
                                              ["unknown model 'msg-mbaa'"]),
    "preset needing a stream the corpus lacks": lambda t, _: (
        ["train", "--preset", "table3.msg_t_a", "--data", str(openface_subset(t / "openface")),
         "--output", str(t / "run")], ["table3.msg_t_a", "has no acoustic stream", "model.params.modalities"]),
    "4 KB flipped in model.safetensors": lambda t, run: (
        ["predict", str(damaged(run, t, "model.safetensors", flip_4kb)), "--text", "good"],
        [str(t / "best" / "model.safetensors"), "is corrupted"]),
    "truncated model.safetensors": lambda t, run: (
        ["evaluate", str(damaged(run, t, "model.safetensors", lambda d: d[:1000]))],
        [str(t / "best" / "model.safetensors"), "is corrupted"]),
    "garbage model.safetensors of an older checkpoint": lambda t, run: (
        ["predict", str(garbage_without_checksum(run, t)), "--text", "good"],
        [str(t / "best" / "model.safetensors"), "not a readable safetensors file"]),
    "truncated shiftmsa.json": lambda t, run: (
        ["predict", str(damaged(run, t, "shiftmsa.json", lambda d: d[:50])), "--text", "good"],
        [str(t / "best" / "shiftmsa.json"), "is not valid JSON"]),
    "non-UTF-8 predict input": lambda t, run: (
        ["predict", str(run[1]), "--input", str(written(t / "in.jsonl", b'{"text": "ok"}\n{"text": "caf\xe9"}\n'))],
        [str(t / "in.jsonl"), "line 2 is not UTF-8"]),
}


@pytest.mark.parametrize("case", list(CATALOGUE))
def test_bad_input_gives_one_line_naming_where(case, tmp_path, trained, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where a malicious pickle would leave its marker
    argv, names = CATALOGUE[case](tmp_path, trained)
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    for name in names:
        assert name in err, (name, err)
    assert not (tmp_path / "pwned").exists()
