"""``shiftmsa export``: a checkpoint as an ONNX Runtime bundle; and ``shiftmsa predict`` on one.

Exporting goes through ``shiftmsa.api`` (torch). Scoring a bundle does not: ``shiftmsa.api``
imports torch, and a bundle is scored with ONNX Runtime alone (``shiftmsa.deploy.runtime``), so
``predict_with_bundle`` is the one handler that reads the runtime directly.
"""

from __future__ import annotations

import argparse
from typing import Callable

from shiftmsa.cli import CommandError
from shiftmsa.cli.outputs import check_output_folder
from shiftmsa.deploy.bundle import QUANTIZATIONS


def _export(args: argparse.Namespace) -> int:
    from shiftmsa import api

    if args.models:
        for name, reason in api.export_refusals().items():
            print(f"{name}: {'exports' if reason is None else 'refused: ' + reason}")
        return 0
    if not args.checkpoint or not args.output:
        raise CommandError("give CHECKPOINT and -o DIR (or --models to list which models export)")
    check_output_folder(args.output, "-o")
    try:
        api.export(args.checkpoint, args.output, quantize=args.quantize, log=lambda m: print(m, flush=True))
    except (FileNotFoundError, ValueError) as error:
        raise CommandError(str(error)) from None
    return 0


def predict_with_bundle(args: argparse.Namespace, prediction_inputs: Callable, write: Callable) -> int:
    """``shiftmsa predict BUNDLE ...``: the same inputs and output as on a checkpoint."""
    from shiftmsa.deploy.runtime import DeployedModel

    model = DeployedModel(args.checkpoint)
    utterances, feature_names, clip = prediction_inputs(args)
    model.check_inputs(utterances[0], feature_names, source=args.input or args.video or "--text")
    scores = model.predict(utterances)
    rows = [{"id": u.id, "score": round(float(s), 6)} for u, s in zip(utterances, scores)]
    if clip is not None:
        rows[0]["words"] = model.word_shifts(utterances[0], clip.word_times.tolist())
    write(rows, args.output)
    return 0


def register(subparsers) -> None:
    export = subparsers.add_parser(
        "export", help="a checkpoint as an ONNX Runtime bundle (for `shiftmsa predict`)",
        description="Write CHECKPOINT (<run>/<model>/seed-<n>/best) as an ONNX Runtime bundle: the whole model "
                    "as model.onnx, its tokenizer as tokenizer.json, the feature standardisation statistics and "
                    "a manifest with checksums. `shiftmsa predict DIR` scores with it without torch. Needs the "
                    "deploy extra (pip install '.[deploy]').")
    export.add_argument("checkpoint", nargs="?", help="a model bundle folder (<run>/<model>/seed-<n>/best)")
    export.add_argument("-o", "--output", metavar="DIR", help="the bundle folder to write")
    export.add_argument("--quantize", choices=QUANTIZATIONS, default="none",
                        help="int8: int8 weights of matrix products and embeddings (dynamic quantization); "
                             "fp16: float16 weights, float32 arithmetic; none: float32 (default: %(default)s)")
    export.add_argument("--models", action="store_true", help="list which registered models export, and why not")
    export.set_defaults(handler=_export)
