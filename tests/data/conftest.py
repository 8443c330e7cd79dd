"""Fixtures of the data tests: tiny files in the exact layouts of the real ones."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest
from data_helpers import WORD_INTERVALS, mag_sample, mmsa_split, write_csd, write_csv, write_pickle


@pytest.fixture
def mag_pickle(tmp_path) -> Path:
    """A MAG-BERT ``mosi.pkl`` with 3 utterances (one -inf in train acoustic)."""
    train = mag_sample(["that", "was", "sick"], 0, 2.0, "vid_1")
    train[0][2][1, 3] = -np.inf
    content = {"train": [train], "dev": [mag_sample(["so", "boring"], 1, -1.5, "vid_2")],
               "test": [mag_sample(["fine"], 2, 0.4, "vid_3")]}
    return write_pickle(tmp_path / "mosi.pkl", content)


@pytest.fixture
def mmsa_unaligned_pickle(tmp_path) -> Path:
    """An MMSA ``unaligned_50.pkl``: frame counts unrelated to the words."""
    content = {
        "train": mmsa_split(["a$_$1", "a$_$2"], ["it was good", "bad"], [1.0, -2.0], [4, 2], [5, 3]),
        "valid": mmsa_split(["b$_$1"], ["okay then"], [0.2], [5], [1], seed=1),
        "test": mmsa_split(["c$_$1"], ["really great movie"], [2.6], [3], [2], seed=2),
    }
    return write_pickle(tmp_path / "unaligned_50.pkl", content)


@pytest.fixture
def mmsa_aligned_pickle(tmp_path) -> Path:
    """An MMSA ``aligned_50.pkl`` whose true lengths equal the word counts."""
    content = {
        "train": mmsa_split(["a_1", "a_2"], ["it was good", "bad"], [1.0, -2.0], [3, 1], [3, 1]),
        "valid": mmsa_split(["b_1"], ["okay then"], [0.2], [2], [2], seed=1),
        "test": mmsa_split(["c_1"], ["really great movie"], [2.6], [3], [3], seed=2),
    }
    return write_pickle(tmp_path / "aligned_50.pkl", content)


@pytest.fixture
def mosi_table_dir(tmp_path) -> Path:
    """A 6-utterance copy of the shared MOSI table layout (csv + npz with an object id array)."""
    folder = tmp_path / "mosi"
    folder.mkdir()
    videos = ["vidA", "vidA", "vidB", "vidC", "vidD", "vidE"]
    sdk = ["train", "train", "valid", "test", "train", "test"]
    bclstm = ["train", "train", "train", "test", "train", "test"]
    rows = [[f"{v}_{i}", v, i, 0.0, 1.0, round(-2.5 + i, 1), s, b, f"words of utterance {i}", f"words {i}"]
            for i, (v, s, b) in enumerate(zip(videos, sdk, bclstm))]
    write_csv(folder / "mosi_utterances.csv",
              ["id", "video", "segment", "start", "end", "label", "sdk_fold", "bclstm_split", "text", "text_aligned"], rows)
    rng = np.random.default_rng(0)
    np.savez(folder / "mosi_utterance_features.npz", id=np.array([r[0] for r in rows], dtype=object),
             audio_opensmile=rng.standard_normal((6, 73)).astype(np.float32),
             video_3dcnn=rng.standard_normal((6, 100)).astype(np.float32))
    return folder


@pytest.fixture
def openface_dir(tmp_path) -> Path:
    """A 3-utterance copy of the shared OpenFace subset layout."""
    folder = tmp_path / "mosi_openface"
    folder.mkdir()
    records = [{"id": "v_1", "label": 1.0, "sdk_fold": "train", "asr_words": ["i", "liked", "it"], "gold_text": "",
                "word_times": [[0, 1]] * 3, "match_score": 1.0},
               {"id": "v_2", "label": -0.5, "sdk_fold": "valid", "asr_words": ["meh"], "gold_text": "",
                "word_times": [[1, 2]], "match_score": 0.9},
               {"id": "w_1", "label": 3.0, "sdk_fold": "test", "asr_words": ["great", "fun"], "gold_text": "",
                "word_times": [[0, 1]] * 2, "match_score": 0.8}]
    (folder / "mosi_openface_words.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    visual = np.arange(6 * 22, dtype=np.float32).reshape(6, 22)
    np.savez(folder / "mosi_openface_visual.npz", id=np.array(["v_1", "v_2", "w_1"]),
             offsets=np.array([0, 3, 4, 6], dtype=np.int64), visual=visual,
             columns=np.array([f"c{i}" for i in range(22)]), n_frames=np.ones(6, dtype=np.int16))
    return folder


@pytest.fixture
def csd_files(tmp_path) -> dict[str, Path]:
    """Labels (2 segments of one video), words with a silence token, acoustic and visual on the word intervals."""
    labels = write_csd(tmp_path / "labels.csd", "Opinion Segment Labels",
                       {"vid": (np.array([[1.5], [-2.0]], dtype=np.float32), np.array([[0.0, 1.05], [1.05, 3.0]]))})
    words = np.array([[b"that"], [b"was"], [b"sp"], [b"sick"], [b"indeed"]], dtype=object)
    word_file = tmp_path / "words.csd"
    with h5py.File(word_file, "w") as handle:
        group = handle.create_group("words")
        group.create_dataset("data/vid/features", data=words, dtype=h5py.special_dtype(vlen=bytes))
        group["data/vid/intervals"] = WORD_INTERVALS
        group.create_dataset("metadata/root name", data=np.array([b"words"], dtype=object),
                             dtype=h5py.special_dtype(vlen=bytes))
    acoustic = write_csd(tmp_path / "covarep.csd", "COVAREP",
                         {"vid": (np.arange(5 * 4, dtype=np.float32).reshape(5, 4), WORD_INTERVALS)})
    visual = write_csd(tmp_path / "facet.csd", "FACET",
                       {"vid": (np.ones((5, 3), dtype=np.float32), WORD_INTERVALS)})
    return {"labels": labels, "words": word_file, "acoustic": acoustic, "visual": visual}

