"""Whether new inputs suit a trained model: the streams it uses, their widths and extractors.

Torch-free, so that a checkpoint (``shiftmsa.api.check_compatible``) and an ONNX Runtime bundle
(``shiftmsa.deploy.runtime``) refuse the same inputs with the same one-line errors.
"""

from __future__ import annotations

from typing import Sequence

from shiftmsa.data.contract import DataError, Utterance
from shiftmsa.notices import notify


def check_streams(trained: dict, uses: Sequence[str], *, acoustic_dim: int | None, visual_dim: int | None,
                  feature_names: dict[str, str], source: str, utterance_id: str | None = None,
                  made_for: str = "the checkpoint") -> None:
    """Refuse inputs that lack a stream the model uses, have another feature width, or come from
    another feature extractor than its training data; a ``Notice`` names streams given that the
    model does not use (they are ignored).

    Args:
        trained: the model's ``data`` record (``acoustic_dim``, ``visual_dim``, ``feature_names``).
        uses: the modalities the model uses.
        acoustic_dim / visual_dim: the inputs' widths (None: the stream is absent).
        feature_names: the inputs' extractor per stream, when known.
        source: where the inputs came from (a file, ``--text``), named in the error.
        utterance_id: the utterance the widths were read from.
        made_for: what was trained on the data, as the error names it.
    """
    given = {"acoustic": acoustic_dim, "visual": visual_dim}
    unused = [stream for stream, dim in given.items() if dim is not None and stream not in uses]
    if unused:
        notify(f"{source}: {made_for}'s model uses {' + '.join(uses)} only; "
               f"the {' and '.join(unused)} features given are not used")
    for stream, dim in given.items():
        if stream not in uses:
            continue
        expected, trained_name = trained[f"{stream}_dim"], trained["feature_names"].get(stream)

        def refuse(message: str) -> DataError:
            return DataError(message, path=source, utterance_id=utterance_id, field_name=stream)

        if dim is None:
            raise refuse(f"the model uses {stream} features ({expected}-d) and the input has none")
        if dim != expected:
            raise refuse(f"{stream} features are {dim}-d but {made_for} was trained on {expected}-d "
                         f"{stream} features ({trained_name or 'unnamed'})")
        given_name = feature_names.get(stream)
        if trained_name and given_name and given_name != trained_name:
            raise refuse(f"{stream} features come from {given_name!r} but {made_for} was trained on "
                         f"{trained_name!r}: use features from the same extractor")


def stream_widths(utterance: Utterance) -> dict[str, int | None]:
    """``{"acoustic_dim": d_a or None, "visual_dim": d_v or None}`` of one utterance."""
    return {f"{s}_dim": None if getattr(utterance, s) is None else getattr(utterance, s).shape[1]
            for s in ("acoustic", "visual")}


def utterance_from_text(utterance_id: str, text: str, acoustic=None, visual=None) -> Utterance:
    """An utterance to score: whitespace-split words and optional (steps, d) feature arrays."""
    words = tuple(text.split())
    if not words:
        raise DataError("empty text", utterance_id=utterance_id, field_name="text")
    return Utterance(utterance_id, words, acoustic, visual, 0.0, "test")
