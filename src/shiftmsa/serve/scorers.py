"""The served model, loaded once: a training checkpoint (PyTorch) or an ONNX Runtime bundle.

Both score utterances and clips through the code ``shiftmsa predict`` uses (``training.loop``'s
``predict_utterances``, ``deploy.runtime.DeployedModel``); a checkpoint also explains an
utterance with ``explain.explain_model``, the code behind ``shiftmsa explain``. A bundle holds no
attention, p_att nor the shifts of MSG-A / MSG-V, so it gives no explanation (``needs_checkpoint``).

The model's calls take turns (a lock per model): explaining wraps the encoder to record attention,
and tokenizers are not meant to be shared by concurrent calls; each call uses every core.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Sequence

from shiftmsa.data.compatibility import check_streams, stream_widths
from shiftmsa.data.contract import DataError, Utterance
from shiftmsa.deploy.runtime import DeployedModel, is_bundle
from shiftmsa.serve.model_card import model_card
from shiftmsa.serve.problems import RequestProblem

BATCH_SIZE = 64


def needs_checkpoint(folder: Path) -> str:
    """Why a bundle gives no explanation."""
    return (f"{folder} is an ONNX Runtime bundle, which keeps the score and the text shift only: explanations "
            f"(per-gate shifts, p_att, attention) need a training checkpoint; serve the checkpoint the bundle "
            f"was exported from")


class BundleScorer:
    """An ONNX Runtime bundle (``shiftmsa export``); imports neither torch nor transformers."""

    kind = "bundle"
    explains = False

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.model = DeployedModel(self.folder)
        self.modalities = self.model.modalities
        self._lock = threading.Lock()
        manifest = self.model.manifest
        source = manifest.get("source", {})
        self.card = model_card("bundle", self.folder, manifest["model"], manifest["data"], source.get("training", {}),
                               Path(source["checkpoint"]) if source.get("checkpoint") else None,
                               extra={"quantize": manifest.get("quantize")})

    def check(self, utterance: Utterance, feature_names: dict[str, str], source: str) -> None:
        self.model.check_inputs(utterance, feature_names, source)

    def predict(self, utterances: Sequence[Utterance]) -> list[float]:
        with self._lock:
            return self.model.predict(utterances, BATCH_SIZE)

    def score_clip(self, utterance: Utterance, word_times: list) -> tuple[float, list[dict]]:
        """The score and, per word, its time span and text shift |eta * h_s| (Eq. 7) when the
        model shifts text, as ``shiftmsa predict BUNDLE --video`` gives them."""
        with self._lock:
            return self.model.predict([utterance])[0], self.model.word_shifts(utterance, word_times)


class CheckpointScorer:
    """A training checkpoint (``<run>/<model>/seed-<n>/best``), rebuilt as ``shiftmsa predict`` does."""

    kind = "checkpoint"
    explains = True

    def __init__(self, folder: str | Path):
        from shiftmsa.training.modelling import load_bundle

        self.folder = Path(folder)
        self.prepared, self.metadata = load_bundle(self.folder)
        self.modalities = tuple(self.metadata["model"]["config"].get("modalities", ("text",)))
        self._lock = threading.Lock()
        self.card = model_card("checkpoint", self.folder, self.metadata["model"], self.metadata["data"],
                               self.metadata.get("training", {}), self.folder)

    def check(self, utterance: Utterance, feature_names: dict[str, str], source: str) -> None:
        check_streams(self.metadata["data"], self.modalities, feature_names=feature_names, source=source,
                      utterance_id=utterance.id, **stream_widths(utterance))

    def predict(self, utterances: Sequence[Utterance]) -> list[float]:
        import torch

        from shiftmsa.training.loop import predict_utterances

        with self._lock:
            return predict_utterances(self.prepared, list(utterances), BATCH_SIZE, torch.device("cpu")).predictions

    def score_clip(self, utterance: Utterance, word_times: list) -> tuple[float, list[dict]]:
        """The score and, per word, its time span and the text shift eta * ||h_s|| (Eq. 7-8)
        averaged over its pieces when the model shifts text (one forward pass)."""
        from shiftmsa.explain.figures import shift_data
        from shiftmsa.explain.trace import trace_utterance

        with self._lock:
            trace = trace_utterance(self.prepared, utterance, record_attention=False, labelled=False)
        shifts = (shift_data(trace, ("text",)).arrays["shift/text"].tolist()
                  if "shift/text" in trace.extras else [])  # words cut by max_length have none
        words = [{"word": word, "start": round(start, 3), "end": round(end, 3)}
                 for word, (start, end) in zip(utterance.words, word_times)]
        for entry, shift in zip(words, shifts):
            entry["text_shift"] = round(float(shift), 6)
        return trace.prediction, words

    def explain(self, utterance: Utterance, layers: str | None) -> dict:
        """The figures ``shiftmsa explain`` draws for one utterance, as the JSON it writes beside
        them (``FigureData.to_json``): per-word shifts of each gate, p_att, attention at
        ``layers`` (default: ``ExplainOptions``'); plus the figures the model cannot give, and why."""
        from shiftmsa.explain import ExplainOptions, explain_model

        unavailable: list[str] = []
        try:
            options = ExplainOptions() if layers is None else ExplainOptions(layers=layers)
            with self._lock:
                figures = explain_model(self.prepared, [utterance], labelled=False, options=options,
                                        log=unavailable.append)
        except DataError:
            raise
        except ValueError as error:  # the layers asked for are not the encoder's
            raise RequestProblem(422, str(error), "layers") from None
        score = figures[0].labels["prediction"] if figures else self.predict([utterance])[0]
        return {"score": score, "figures": {figure.kind: figure.to_json() for figure in figures},
                "unavailable": [line.removeprefix("skipped ") for line in unavailable]}


def load_scorer(folder: str | Path) -> BundleScorer | CheckpointScorer:
    """The model in ``folder``: a bundle when it holds a bundle manifest, else a checkpoint."""
    return BundleScorer(folder) if is_bundle(folder) else CheckpointScorer(folder)
