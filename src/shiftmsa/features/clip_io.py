"""ClipFeatures on disk without pickles: arrays in ``<stem>.npz``, everything else in ``<stem>.json``.

The npz holds ``word_times``, ``acoustic``, ``visual`` (when the clip has video) and
``word_placed_by`` (per word ``"aligner"`` or ``"fallback"``); the json holds the words, their
times, the per-word ``alignment`` records (placed_by, spoken tokens, out-of-dictionary tokens), the
extractor description, the counts and any extra metadata.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from shiftmsa.data.contract import DataError
from shiftmsa.features.pipeline import ClipFeatures
from shiftmsa.files import replacing, write_text


def clip_paths(stem: str | Path) -> tuple[Path, Path]:
    """The .npz and .json paths of a clip saved at ``stem`` (a suffix on ``stem`` is dropped)."""
    stem = Path(stem)
    stem = stem.with_suffix("") if stem.suffix in (".npz", ".json") else stem
    return stem.with_name(stem.name + ".npz"), stem.with_name(stem.name + ".json")


def save_clip_features(features: ClipFeatures, stem: str | Path, **metadata) -> tuple[Path, Path]:
    """Write ``features`` (and any extra JSON-able ``metadata``) next to ``stem``; the .json last,
    so its presence marks a complete result."""
    npz_path, json_path = clip_paths(stem)
    npz_path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"word_times": features.word_times, "acoustic": features.acoustic,
              "word_placed_by": np.array(features.placed_by, dtype=str)}
    if features.visual is not None:
        arrays["visual"] = features.visual
    with replacing(npz_path, "wb") as handle:
        np.savez(handle, **arrays)
    description = {"words": list(features.words), "word_times": features.word_times.round(3).tolist(),
                   "alignment": list(features.alignment), "extractor": features.extractor,
                   "counts": features.counts, **metadata}
    write_text(json_path, json.dumps(description, indent=1))
    return npz_path, json_path


def load_clip_features(stem: str | Path) -> tuple[ClipFeatures, dict]:
    """The features saved at ``stem`` and the extra metadata saved with them."""
    npz_path, json_path = clip_paths(stem)
    try:
        description = json.loads(json_path.read_text())
        with np.load(npz_path, allow_pickle=False) as arrays:
            visual = arrays["visual"] if "visual" in arrays.files else None
            features = ClipFeatures(words=tuple(description.pop("words")), word_times=arrays["word_times"],
                                    acoustic=arrays["acoustic"], visual=visual,
                                    extractor=description.pop("extractor"), counts=description.pop("counts"),
                                    alignment=tuple(description.pop("alignment", ())))
    except (OSError, ValueError, KeyError) as error:
        raise DataError(f"unreadable saved features ({error})", path=str(json_path), utterance_id=npz_path.stem,
                        field_name="features") from error
    description.pop("word_times")
    return features, description
