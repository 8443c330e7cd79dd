"""Many clips listed in a manifest -> a native shiftmsa dataset folder, resumable.

Manifest: a CSV with a header and columns ``clip`` (media path, relative to the manifest's folder
or absolute) and ``transcript`` (the words), optional ``id`` (default: the clip's file stem),
``label`` (default 0.0) and ``split`` (default ``test``).

Each clip's result is saved in ``DATASET/cache/<id>.npz`` + ``.json`` together with a key of
the clip (path, size, modification time), its transcript and the settings; a rerun reuses every
cached result whose key still matches, so an interrupted run resumes where it stopped. One
aligner (``pipeline.shared_aligner``) serves every clip: its start-up is paid once. A clip with
words the aligner could not place is cached but, unless ``allow_fallback``, counted as failed;
clips that fail are listed in ``DATASET/failures.json`` and left out; the others are written with
``write_native_dataset``, whose provenance lists the words placed by the fallback rule per clip.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from shiftmsa.data.contract import LABEL_RANGE, SPLITS, Corpus, DataError, DataReport, Utterance, group_by_split
from shiftmsa.data.readers.native import write_native_dataset
from shiftmsa.data.readers.text_files import read_utf8
from shiftmsa.features.forced_alignment import DecodingConfig
from shiftmsa.features.clip_io import clip_paths, load_clip_features, save_clip_features
from shiftmsa.features.pipeline import ClipFeatures, check_placement, extract_clip, feature_identity
from shiftmsa.features.settings import ExtractionSettings
from shiftmsa.files import write_text

CACHE_FOLDER = "cache"
FAILURES_FILE = "failures.json"
FALLBACK_COUNT_MARKERS = ("out_of_dictionary", "fallback", "alignment_failed", "nearest_frame", "no_frame",
                          "without_face")
Progress = Callable[[int, int, str, str], None]


@dataclass(frozen=True)
class ManifestRow:
    """One clip to extract: ``id``, media ``clip`` path, ``transcript``, ``label`` and ``split``."""

    id: str
    clip: Path
    transcript: str
    label: float
    split: str


def _parse_row(row: dict, manifest: Path, line: int) -> ManifestRow:
    clip_text = (row.get("clip") or "").strip()
    utterance_id = (row.get("id") or "").strip() or Path(clip_text).stem or f"line {line}"
    if not clip_text:
        raise DataError(f"line {line}: empty clip path", path=str(manifest), utterance_id=utterance_id, field_name="clip")
    try:
        label = float(row.get("label") or 0.0)
    except ValueError:
        raise DataError(f"line {line}: label {row['label']!r} is not a number", path=str(manifest),
                        utterance_id=utterance_id, field_name="label") from None
    if not LABEL_RANGE[0] <= label <= LABEL_RANGE[1]:
        raise DataError(f"line {line}: label {label} outside {LABEL_RANGE}", path=str(manifest),
                        utterance_id=utterance_id, field_name="label")
    split = (row.get("split") or "test").strip()
    if split not in SPLITS:
        raise DataError(f"line {line}: split {split!r} not in {SPLITS}", path=str(manifest),
                        utterance_id=utterance_id, field_name="split")
    return ManifestRow(id=utterance_id, clip=(manifest.parent / clip_text).resolve(),
                       transcript=row.get("transcript") or "", label=label, split=split)


def read_manifest(path: str | Path) -> list[ManifestRow]:
    """The rows of a manifest CSV (see the module docstring), checked: unique ids, labels, splits."""
    path = Path(path)
    try:
        text = read_utf8(path)
    except OSError as error:
        raise DataError(f"cannot read manifest ({error})", path=str(path)) from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"clip", "transcript"} - set(reader.fieldnames or ())
    if missing:
        raise DataError(f"missing column(s) {sorted(missing)}", path=str(path), field_name=sorted(missing)[0])
    rows = [_parse_row(row, path, line) for line, row in enumerate(reader, start=2)]
    seen: set[str] = set()
    for row in rows:
        if row.id in seen:
            raise DataError("duplicate id", path=str(path), utterance_id=row.id, field_name="id")
        seen.add(row.id)
    return rows


def cache_key(row: ManifestRow, settings: ExtractionSettings) -> str:
    """What a cached result depends on: the clip file (path, size, mtime), transcript, settings and
    the aligner's decoding configuration."""
    stat = row.clip.stat() if row.clip.exists() else None
    described = {"clip": str(row.clip), "size": stat and stat.st_size, "mtime_ns": stat and stat.st_mtime_ns,
                 "transcript": row.transcript, "settings": settings.to_dict(), "decoding": DecodingConfig().to_dict()}
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def _cached_or_extracted(row: ManifestRow, cache: Path, settings: ExtractionSettings) -> tuple[ClipFeatures, str]:
    key = cache_key(row, settings)
    stem = cache / row.id
    if clip_paths(stem)[1].exists():
        features, metadata = load_clip_features(stem)
        if metadata.get("cache_key") == key:
            return features, "cached"
    features = extract_clip(row.clip, row.transcript, settings=settings, allow_fallback=True)
    save_clip_features(features, stem, cache_key=key, clip=str(row.clip))
    return features, "extracted"


def _with_visual_placeholder(features: ClipFeatures, visual_dim: int | None) -> np.ndarray | None:
    """The clip's visual rows, or zero rows (face_present 0) for a clip without video in a corpus with video."""
    if visual_dim is None or features.visual is not None:
        return features.visual
    return np.zeros((len(features.words), visual_dim), dtype=np.float32)


def extract_dataset(manifest: str | Path, dataset: str | Path, *, settings: ExtractionSettings | None = None,
                    progress: Progress | None = None, allow_fallback: bool = False) -> tuple[Corpus, list[dict]]:
    """Extract every manifest clip (reusing cached results) and write the native dataset folder.

    Args:
        manifest: the CSV (see the module docstring).
        dataset: the output folder; its ``cache`` subfolder keeps per-clip results.
        settings: extraction settings (defaults of ``ExtractionSettings``).
        progress: called as ``progress(done, total, clip_id, status)`` with status ``"cached"``,
            ``"extracted"`` or ``"failed: <reason>"``.
        allow_fallback: keep clips with words placed by the fallback rule (listed in the
            provenance's ``unplaced_words``) instead of counting them as failed.

    Returns:
        the corpus written and the failures (``{"id", "clip", "error"}``), also in failures.json.
    """
    settings = settings or ExtractionSettings()
    rows = read_manifest(manifest)
    dataset = Path(dataset)
    cache = dataset / CACHE_FOLDER
    done: list[tuple[ManifestRow, ClipFeatures]] = []
    failures: list[dict] = []
    for index, row in enumerate(rows, start=1):
        try:
            features, status = _cached_or_extracted(row, cache, settings)
            if not allow_fallback:
                check_placement(features.unplaced_words, len(features.words), row.clip)
            done.append((row, features))
        except DataError as error:
            failures.append({"id": row.id, "clip": str(row.clip), "error": str(error)})
            status = f"failed: {error}"
        if progress is not None:
            progress(index, len(rows), row.id, status)
    dataset.mkdir(parents=True, exist_ok=True)
    write_text(dataset / FAILURES_FILE, json.dumps(failures, indent=1))
    if not done:
        raise DataError("no clip could be extracted (see failures.json)", path=str(manifest))
    corpus = _corpus(done, dataset, Path(manifest))
    unplaced = {row.id: list(f.unplaced_words) for row, f in done if f.unplaced_words}
    provenance = {"manifest": str(Path(manifest).resolve()), "extractor": done[0][1].extractor,
                  "fallbacks": corpus.report.repairs, "clips": len(done), "failures": len(failures),
                  "unplaced_words": unplaced, "fallback_words": sum(map(len, unplaced.values()))}
    write_native_dataset(corpus, dataset, provenance=provenance)
    return corpus, failures


def _corpus(done: list[tuple[ManifestRow, ClipFeatures]], dataset: Path, manifest: Path) -> Corpus:
    identities = {json.dumps(feature_identity(f.extractor).get("acoustic")) for _, f in done}
    if len(identities) > 1:
        raise DataError(f"cached clips were extracted with different acoustic extractors {sorted(identities)}; "
                        "delete the cache folder", path=str(dataset / CACHE_FOLDER))
    with_video = [f for _, f in done if f.visual is not None]
    visual_dim = with_video[0].visual.shape[1] if with_video else None
    totals: dict[str, int] = {}
    for _, features in done:
        for rule, n in features.counts.items():
            totals[rule] = totals.get(rule, 0) + n
    report = DataReport(notes=[f"extraction counts over all clips: {totals}"])
    for rule, n in totals.items():
        if any(marker in rule for marker in FALLBACK_COUNT_MARKERS):
            report.count(rule, n)
    report.count("clips without a video stream (visual rows zero, face_present 0)",
                 sum(f.visual is None for _, f in done) if visual_dim else 0)
    utterances = [Utterance(id=row.id, words=f.words, acoustic=f.acoustic,
                            visual=_with_visual_placeholder(f, visual_dim), label=row.label, split=row.split)
                  for row, f in done]
    identity = feature_identity(with_video[0].extractor if with_video else done[0][1].extractor)
    return Corpus(name=dataset.name, source=str(manifest), splits=group_by_split(utterances),
                  acoustic_dim=done[0][1].acoustic.shape[1], visual_dim=visual_dim, word_aligned=True,
                  feature_names=identity, report=report)
