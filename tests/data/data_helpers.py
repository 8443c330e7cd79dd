"""Writers of tiny data files in the exact layouts of the real ones (and ``shared_data_path``)."""

from __future__ import annotations

import csv
import pickle
from pathlib import Path

import h5py
import numpy as np
from shared_data import shared_data_path  # noqa: F401  (re-exported for the tests here)

MAG_VISUAL_DIM, MAG_ACOUSTIC_DIM = 47, 74
WORD_INTERVALS = np.array([[0.0, 0.5], [0.5, 1.0], [1.0, 1.2], [1.2, 2.0], [2.5, 3.0]])



def mag_sample(words, seed, label=1.2, segment="vid_1", visual_dim=MAG_VISUAL_DIM, acoustic_dim=MAG_ACOUSTIC_DIM):
    rng = np.random.default_rng(seed)
    visual = rng.standard_normal((len(words), visual_dim)).astype(np.float32)
    acoustic = rng.standard_normal((len(words), acoustic_dim)).astype(np.float32)
    return ((np.array(words), visual, acoustic), np.array([[label]], dtype=np.float32), segment)


def write_pickle(path: Path, content) -> Path:
    with path.open("wb") as stream:
        pickle.dump(content, stream, protocol=4)
    return path


def mmsa_split(ids, texts, labels, audio_lengths, vision_lengths, steps=5, d_a=5, d_v=3, seed=0):
    rng = np.random.default_rng(seed)
    n = len(ids)
    return {
        "raw_text": np.array(texts, dtype=object), "id": np.array(ids, dtype=object),
        "audio": rng.standard_normal((n, steps, d_a)).astype(np.float32),
        "vision": rng.standard_normal((n, steps, d_v)).astype(np.float32),
        "regression_labels": np.array(labels, dtype=np.float32),
        "classification_labels": np.zeros(n, dtype=np.float32),
        "text_bert": np.zeros((n, 3, steps), dtype=np.float32),
        "audio_lengths": list(audio_lengths), "vision_lengths": list(vision_lengths),
    }


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_csd(path: Path, root: str, data: dict[str, tuple[np.ndarray, np.ndarray]]) -> Path:
    """A computational sequence in the SDK's HDF5 layout (metadata strings stored as object arrays)."""
    with h5py.File(path, "w") as handle:
        group = handle.create_group(root)
        for video, (features, intervals) in data.items():
            video_group = group.create_group(f"data/{video}")
            video_group["features"] = features
            video_group["intervals"] = intervals
        for key, value in {"root name": root, "dimension names": "[]", "dataset name": "tiny"}.items():
            group.create_dataset(f"metadata/{key}", data=np.array([value.encode()], dtype=object),
                                 dtype=h5py.special_dtype(vlen=bytes))
    return path
