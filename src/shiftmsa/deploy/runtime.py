"""Scoring with an ONNX Runtime bundle (``shiftmsa.deploy.bundle``): numpy, ``tokenizers`` and
``onnxruntime`` only. This module must import neither torch nor transformers (a test runs
``shiftmsa predict BUNDLE`` in a subprocess and looks at ``sys.modules``); what it shares with
training (word-piece alignment, standardisation, input checks) comes from the torch-free modules
of ``shiftmsa.data``.

A bundle is checked before anything is read from it: its kind and format, the SHA-256 of every
file against the manifest, the model the graph was exported from against the one the manifest
names, and the graph's inputs against the manifest's. Each refusal is a ``DataError`` naming the
file and the field, which the command line prints as one line (exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from shiftmsa.data.compatibility import check_streams, stream_widths
from shiftmsa.data.contract import DataError, Utterance
from shiftmsa.data.piece_alignment import EncodedUtterance, SpecialTokens, align_stream, align_tokens, encode_pieces
from shiftmsa.data.standardization import FeatureStandardizer
from shiftmsa.deploy.bundle import (BUNDLE_FORMAT, BUNDLE_KIND, MANIFEST, MODEL_FILE, MODEL_NAME_PROPERTY,
                                    STANDARDIZATION_FILE, TEXT_SHIFT, TOKENIZER_FILE)
from shiftmsa.files import checksum_problem

BATCH_SIZE = 64


def is_bundle(folder: str | Path) -> bool:
    """Whether ``folder`` holds a bundle's manifest (rather than a training checkpoint)."""
    return (Path(folder) / MANIFEST).is_file()


def read_manifest(folder: Path) -> dict:
    """The manifest, after checking its kind, format and the SHA-256 of every file it lists."""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"not a readable bundle manifest ({' '.join(str(error).split())})", path=str(path)) from None
    if not isinstance(manifest, dict) or manifest.get("kind") != BUNDLE_KIND:
        found = manifest.get("kind") if isinstance(manifest, dict) else None
        raise DataError(f"is {found!r}, not {BUNDLE_KIND!r}: not a bundle written by `shiftmsa export`",
                        path=str(path), field_name="kind")
    if manifest.get("format") != BUNDLE_FORMAT:
        raise DataError(f"bundle format {manifest.get('format')!r} is not supported (expected {BUNDLE_FORMAT}): "
                        f"export the checkpoint again", path=str(path), field_name="format")
    recorded = manifest.get("sha256") or {}
    for name in (MODEL_FILE, TOKENIZER_FILE):
        if name not in recorded:
            raise DataError(f"lists no SHA-256 for {name}", path=str(path), field_name=f"sha256.{name}")
    problem = checksum_problem(folder, recorded)
    if problem is not None:
        name, file, kind = problem
        raise DataError(f"is missing (listed in {path})" if kind == "missing" else
                        f"its SHA-256 differs from the one recorded in {path} when the bundle was written "
                        f"(damaged or replaced)", path=str(file), field_name=f"sha256.{name}")
    return manifest


class DeployedModel:
    """A bundle loaded for scoring: ``predict(utterances)`` gives one score per utterance, as
    ``shiftmsa.api.predict`` does for the checkpoint it was exported from.

    Args:
        folder: the bundle folder.
        threads: ONNX Runtime's intra-op threads (0: its default, one per core).
    """

    def __init__(self, folder: str | Path, threads: int = 0) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.folder = Path(folder)
        manifest = read_manifest(self.folder)
        self.manifest = manifest
        self.name = manifest["model"]["name"]
        self.modalities = tuple(manifest["model"]["modalities"])
        self.data = manifest["data"]
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        model_path = self.folder / MODEL_FILE
        try:
            self.session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # noqa: BLE001 (ONNX Runtime's failures share no class)
            raise DataError(f"not a loadable ONNX graph ({' '.join(str(error).split())[:200]})",
                            path=str(model_path)) from None
        graph_model = self.session.get_modelmeta().custom_metadata_map.get(MODEL_NAME_PROPERTY)
        if graph_model != self.name:
            raise DataError(f"the graph was exported from model {graph_model!r} but the manifest "
                            f"{self.folder / MANIFEST} says {self.name!r}: a bundle of another model kind",
                            path=str(model_path), field_name=MODEL_NAME_PROPERTY)
        self.inputs = tuple(i.name for i in self.session.get_inputs())
        if set(self.inputs) - set(manifest["inputs"]):
            raise DataError(f"the graph takes {list(self.inputs)} but the manifest lists {manifest['inputs']}",
                            path=str(model_path), field_name="inputs")
        self.outputs = tuple(o.name for o in self.session.get_outputs())
        self.tokenizer = Tokenizer.from_file(str(self.folder / TOKENIZER_FILE))
        self.special = SpecialTokens.from_dict(manifest["alignment"]["special_tokens"])
        self.max_length = int(manifest["alignment"]["max_length"])
        statistics = self.folder / STANDARDIZATION_FILE
        self.standardizer = (FeatureStandardizer.from_dict(json.loads(statistics.read_text()))
                             if STANDARDIZATION_FILE in manifest["sha256"] else None)
        self._pieces: dict[str, list[int]] = {}

    def check_inputs(self, utterance: Utterance, feature_names: dict[str, str], source: str) -> None:
        """Refuse inputs the model was not trained for (a missing stream, another width or
        extractor), as ``shiftmsa.api.check_compatible`` does for a checkpoint."""
        check_streams(self.data, self.modalities, feature_names=feature_names, source=source,
                      utterance_id=utterance.id, made_for=f"the bundle {self.folder}", **stream_widths(utterance))

    def encode(self, utterance: Utterance) -> EncodedUtterance:
        """Word pieces of each word tokenised alone (cached per word), cut to ``max_length``."""
        missing = [w for w in dict.fromkeys(utterance.words) if w not in self._pieces]
        if missing:
            for word, encoding in zip(missing, self.tokenizer.encode_batch(missing, add_special_tokens=False)):
                self._pieces[word] = encoding.ids
        return encode_pieces([self._pieces[w] for w in utterance.words], self.max_length - self.special.count)

    def feed(self, utterances: Sequence[Utterance]) -> tuple[dict[str, np.ndarray], list[EncodedUtterance]]:
        """The graph's inputs for ``utterances`` (one padded batch)."""
        encoded = [self.encode(u) for u in utterances]
        arrays = align_tokens(encoded, self.special)
        values = {"input_ids": arrays.input_ids, "attention_mask": arrays.attention_mask,
                  "token_type_ids": arrays.token_type_ids, "cls_index": arrays.cls_index}
        for stream in ("acoustic", "visual"):
            if stream in self.inputs:
                values[stream] = align_stream(utterances, arrays.rows, stream, self.data.get(f"{stream}_dim"),
                                              self.standardizer)
        return {name: values[name] for name in self.inputs}, encoded

    def run(self, utterances: Sequence[Utterance]) -> dict[str, np.ndarray]:
        """The graph's outputs for one batch, by name."""
        feed, _ = self.feed(utterances)
        return dict(zip(self.outputs, self.session.run(None, feed)))

    def predict(self, utterances: Sequence[Utterance], batch_size: int = BATCH_SIZE) -> list[float]:
        """One score per utterance, in order; batches are formed by length, so little is padding."""
        utterances = list(utterances)
        order = sorted(range(len(utterances)), key=lambda i: len(self.encode(utterances[i]).piece_ids))
        scores = np.zeros(len(utterances), dtype=np.float64)
        for start in range(0, len(order), batch_size):
            chosen = order[start: start + batch_size]
            scores[chosen] = self.run([utterances[i] for i in chosen])["prediction"]
        return scores.tolist()

    def word_shifts(self, utterance: Utterance, word_times: Sequence[Sequence[float]]) -> list[dict]:
        """Per word: its time span and, when the model shifts text, the mean magnitude of the
        shift eta * h_s (Eq. 7) over its word pieces (as ``shiftmsa predict`` on a checkpoint)."""
        shift = self.run([utterance]).get(TEXT_SHIFT)  # one utterance: no padding
        word_of_piece = self.encode(utterance).word_index
        first_piece = len(self.special.prefix_ids)
        words = []
        for index, (word, (start, end)) in enumerate(zip(utterance.words, word_times)):
            entry = {"word": word, "start": round(start, 3), "end": round(end, 3)}
            positions = first_piece + np.nonzero(word_of_piece == index)[0]
            if shift is not None and len(positions):
                entry["text_shift"] = round(float(shift[0, positions].mean()), 6)
            words.append(entry)
        return words
