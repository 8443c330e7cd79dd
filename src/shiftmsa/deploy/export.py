"""``shiftmsa export``: a trained checkpoint as an ONNX Runtime bundle (layout: ``bundle.py``).

The whole model is one graph: the text encoder with MSG-T inside it, the RNNs, MSG-A/V, MBA and
the head, or whatever the registered model has. It is traced with token length and batch size
free (dynamic axes) on one batch, then checked with ONNX Runtime against the PyTorch model on
another batch of other sizes (fp32: max abs difference < ``FP32_TOLERANCE``); a model whose
graph disagrees there, or one that ``REFUSED`` names, is refused with a one-line reason instead
of being written.

``--quantize int8`` stores the weights of every matrix product and the embedding tables as int8
with one scale per output channel (ONNX Runtime dynamic quantization: activations quantized per
batch at run time). One scale per whole matrix cost a trained msg-mba 0.028 of test mae on MOSI
against its float32 bundle, one per channel 0.007 (docs/results/provenance/
2026-12-05_cpu2_deploy-bundle-trained/); ``fp16``
stores every float weight as float16, cast back to float32 in the graph (half the size, fp32
arithmetic, which is what ONNX Runtime's CPU kernels run).
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn

from shiftmsa.data.compatibility import utterance_from_text
from shiftmsa.data.contract import Utterance
from shiftmsa.deploy.bundle import (BUNDLE_FORMAT, BUNDLE_KIND, MANIFEST, MODEL_FILE, MODEL_NAME_PROPERTY, PREDICTION,
                                    QUANTIZATIONS, STANDARDIZATION_FILE, TEXT_SHIFT, TOKENIZER_FILE)
from shiftmsa.files import file_sha256, write_folder_atomically, write_json
from shiftmsa.models.modalities import NON_TEXT
from shiftmsa.models.registry import available_models
from shiftmsa.training.checkpoint import MODEL_WEIGHTS, checksums
from shiftmsa.training.modelling import PreparedModel, load_bundle

FP32_TOLERANCE = 1e-4
OPSET = 17
# Models whose forward ONNX cannot follow, with the reason (said in one line by ``export``).
REFUSED: dict[str, str] = {
    "mfn": "its memory recurrence (modules/memory_fusion.py) is a Python loop over the token positions, which "
           "tracing unrolls to the traced length; the graph would only score utterances of that one length",
    "mult": "the crossmodal transformers' torch.nn.MultiheadAttention (modules/crossmodal_transformer.py) traces "
            "its head reshapes with the traced batch size and length as constants; the graph fails on any other",
}
TRACE_TEXTS = ("that was sick", "i loved the movie and the acting was not bad at all")
CHECK_TEXTS = ("great", "what a wonderful film honestly the best thing i have seen this year",
               "the plot made no sense and the characters were dull and lifeless but the music was good")


class ExportRefused(ValueError):
    """A model that cannot be exported (the message says why, in one line)."""


class _Graph(nn.Module):
    """The model as ONNX sees it: positional tensors in, ``prediction`` (and ``text_shift``) out."""

    def __init__(self, model: nn.Module, input_names: tuple[str, ...], text_shift: bool) -> None:
        super().__init__()
        self.model = model
        self.input_names = input_names
        self.text_shift = text_shift

    def forward(self, *tensors: torch.Tensor):
        output = self.model(**dict(zip(self.input_names, tensors)))
        prediction = output.prediction.reshape(-1).float()
        if not self.text_shift:
            return prediction
        shift, eta = output.extras["shift/text"], output.extras["eta/text"]
        eta = eta.unsqueeze(-1) if eta.dim() == shift.dim() - 1 else eta
        return prediction, (eta * shift).norm(dim=-1).float()


def export_refusals() -> dict[str, str | None]:
    """Every registered model -> None (it exports) or the reason it is refused."""
    return {spec.name: REFUSED.get(spec.name) for spec in available_models()}


def input_names(modalities: tuple[str, ...]) -> tuple[str, ...]:
    """The graph's inputs for a model using ``modalities``, in order."""
    text = ("input_ids", "attention_mask", "token_type_ids") if "text" in modalities else ("attention_mask",)
    return (*text, *(m for m in NON_TEXT if m in modalities), "cls_index")


def example_utterances(texts: tuple[str, ...], data: dict, seed: int) -> list[Utterance]:
    """Utterances of ``texts`` with random rows of every stream the training data had."""
    rng = np.random.default_rng(seed)
    utterances = []
    for index, text in enumerate(texts):
        words = text.split()
        steps = len(words) if data.get("word_aligned", True) else 1
        streams = {s: None if data.get(f"{s}_dim") is None
                   else rng.normal(size=(steps, data[f"{s}_dim"])).astype(np.float32) for s in NON_TEXT}
        utterances.append(utterance_from_text(f"example-{index}", text, streams["acoustic"], streams["visual"]))
    return utterances


def _tensors(prepared: PreparedModel, utterances: list[Utterance], names: tuple[str, ...]) -> tuple[torch.Tensor, ...]:
    inputs = prepared.batch_builder(utterances).model_inputs()
    return tuple(inputs[name] for name in names)


def _torch_outputs(graph: _Graph, tensors) -> list[np.ndarray]:
    with torch.no_grad():
        outputs = graph(*tensors)
    return [o.numpy() for o in (outputs if isinstance(outputs, tuple) else (outputs,))]


def _onnx_outputs(path: Path, names: tuple[str, ...], tensors) -> list[np.ndarray]:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    feed = {name: tensor.numpy() for name, tensor in zip(names, tensors)}
    wanted = {i.name for i in session.get_inputs()}
    return session.run(None, {name: value for name, value in feed.items() if name in wanted})


def max_difference(expected: list[np.ndarray], got: list[np.ndarray]) -> dict[str, float]:
    """Max abs difference per output (prediction, text_shift)."""
    return {name: float(np.max(np.abs(e - g))) if e.size else 0.0
            for name, e, g in zip((PREDICTION, TEXT_SHIFT), expected, got)}


def trace(graph: _Graph, names: tuple[str, ...], tensors, path: Path) -> None:
    """``graph`` as ONNX at ``path``, batch size and token length free."""
    outputs = (PREDICTION, TEXT_SHIFT) if graph.text_shift else (PREDICTION,)
    axes = {name: {0: "batch", 1: "tokens"} for name in names if name != "cls_index"}
    axes.update({"cls_index": {0: "batch"}, PREDICTION: {0: "batch"}})
    if graph.text_shift:
        axes[TEXT_SHIFT] = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings on shape checks that hold for every shape
        torch.onnx.export(graph, tensors, str(path), input_names=list(names), output_names=list(outputs),
                          dynamic_axes=axes, opset_version=OPSET, dynamo=False)


def quantize(source: Path, target: Path, how: str) -> None:
    """``source`` with int8 or fp16 weights at ``target`` (see the module docstring)."""
    if how == "int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul", "Gemm", "Gather"], per_channel=True,
                         extra_options={"WeightSymmetric": True})
    elif how == "fp16":
        _store_weights_as_fp16(source, target)
    else:
        target.write_bytes(source.read_bytes())


def _store_weights_as_fp16(source: Path, target: Path) -> None:
    """Every float32 initializer stored as float16 and cast back to float32 where it is read."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    casts, kept = [], []
    for initializer in graph.initializer:
        if initializer.data_type != TensorProto.FLOAT:
            kept.append(initializer)
            continue
        values = numpy_helper.to_array(initializer)
        half = numpy_helper.from_array(values.astype(np.float16), initializer.name + "/fp16")
        kept.append(half)
        casts.append(helper.make_node("Cast", [half.name], [initializer.name], to=TensorProto.FLOAT,
                                      name=initializer.name + "/to_fp32"))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    onnx.save(model, str(target))


def _write_tokenizer(prepared: PreparedModel, path: Path, utterances: list[Utterance]) -> None:
    """The encoder's tokenizer as a ``tokenizers`` JSON, checked to split words as it does."""
    from tokenizers import Tokenizer

    backend = getattr(prepared.tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise ExportRefused(f"the encoder's tokenizer ({type(prepared.tokenizer).__name__}) has no fast "
                            f"(tokenizers) form to save as {TOKENIZER_FILE}")
    backend.save(str(path))
    reloaded = Tokenizer.from_file(str(path))
    for utterance in utterances:
        words = list(utterance.words)
        theirs = prepared.tokenizer(words, add_special_tokens=False)["input_ids"]
        ours = [e.ids for e in reloaded.encode_batch(words, add_special_tokens=False)]
        if theirs != ours:
            raise ExportRefused(f"the saved {TOKENIZER_FILE} splits {words!r} otherwise than the encoder's tokenizer")


def export_bundle(checkpoint: str | Path, output: str | Path, quantize_as: str = "none",
                  log: Callable[[str], None] = print) -> dict:
    """Write the ONNX Runtime bundle of ``checkpoint`` (a ``<run>/<model>/seed-<n>/best`` folder)
    into ``output``; returns its manifest.

    Raises:
        ExportRefused: the model cannot be exported (``REFUSED``, or its graph disagrees with
            PyTorch), with the reason.
    """
    if quantize_as not in QUANTIZATIONS:
        raise ValueError(f"--quantize must be one of {', '.join(QUANTIZATIONS)}, got {quantize_as!r}")
    checkpoint = Path(checkpoint)
    prepared, metadata = load_bundle(checkpoint)
    name = metadata["model"]["name"]
    if name in REFUSED:
        raise ExportRefused(f"model {name} cannot be exported to ONNX: {REFUSED[name]}")
    model = prepared.model.eval()
    modalities = tuple(prepared.model_config.modalities)
    names = input_names(modalities)
    graph = _Graph(model, names, text_shift="text" in getattr(model, "gates", {})).eval()
    data = metadata["data"]
    trace_batch = example_utterances(TRACE_TEXTS, data, seed=0)
    check_batch = example_utterances(CHECK_TEXTS, data, seed=1)
    manifest: dict = {}

    def write(staging: Path) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            fp32 = Path(scratch) / MODEL_FILE
            trace(graph, names, _tensors(prepared, trace_batch, names), fp32)
            check = _tensors(prepared, check_batch, names)
            expected = _torch_outputs(graph, check)
            try:
                difference = max_difference(expected, _onnx_outputs(fp32, names, check))
            except Exception as error:  # noqa: BLE001 (ONNX Runtime's failures share no class)
                raise ExportRefused(f"model {name}: its ONNX graph fails on a batch of other sizes than the traced "
                                    f"one ({' '.join(str(error).split())[:200]})") from None
            if max(difference.values()) >= FP32_TOLERANCE:
                raise ExportRefused(f"model {name}: its ONNX graph differs from PyTorch by "
                                    f"{max(difference.values()):.3g} on a batch of other sizes than the traced one")
            _stamp(fp32, name)
            quantize(fp32, staging / MODEL_FILE, quantize_as)
        quantized = difference if quantize_as == "none" else max_difference(
            expected, _onnx_outputs(staging / MODEL_FILE, names, check))
        _write_tokenizer(prepared, staging / TOKENIZER_FILE, trace_batch + check_batch)
        files = [MODEL_FILE, TOKENIZER_FILE]
        if data.get("standardization"):
            write_json(staging / STANDARDIZATION_FILE, data["standardization"])
            files.append(STANDARDIZATION_FILE)
        manifest.update({
            "kind": BUNDLE_KIND, "format": BUNDLE_FORMAT,
            "model": {"name": name, "preset": metadata["model"]["preset"], "config": metadata["model"]["config"],
                      "modalities": list(modalities)},
            "quantize": quantize_as,
            "inputs": list(names), "outputs": [PREDICTION] + ([TEXT_SHIFT] if graph.text_shift else []),
            "alignment": {"max_length": prepared.batch_builder.max_length,
                          "special_tokens": prepared.batch_builder.special.to_dict()},
            "data": {key: value for key, value in data.items() if key != "standardization"},
            "check": {"fp32_max_abs_difference": difference, "max_abs_difference": quantized,
                      "batch_sizes": [len(trace_batch), len(check_batch)]},
            "source": {"checkpoint": str(checkpoint.resolve()), "training": metadata.get("training", {}),
                       MODEL_WEIGHTS: file_sha256(checkpoint / MODEL_WEIGHTS)},
            "versions": _versions(),
            "sha256": checksums(staging, tuple(files)),
        })
        write_json(staging / MANIFEST, manifest)

    write_folder_atomically(Path(output), write)
    log(f"exported {name} ({quantize_as}) to {output}: max abs difference to PyTorch "
        f"{max(manifest['check']['max_abs_difference'].values()):.3g}")
    return manifest


def _stamp(path: Path, name: str) -> None:
    """Record the model name inside the graph (``MODEL_NAME_PROPERTY``)."""
    import onnx

    model = onnx.load(str(path))
    entry = model.metadata_props.add()
    entry.key, entry.value = MODEL_NAME_PROPERTY, name
    onnx.save(model, str(path))


def _versions() -> dict[str, str]:
    import onnx
    import onnxruntime

    return {"torch": torch.__version__, "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__,
            "opset": str(OPSET)}


__all__ = ["export_bundle", "export_refusals", "ExportRefused", "REFUSED", "FP32_TOLERANCE"]
