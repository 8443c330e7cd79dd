"""``shiftmsa train | compare | evaluate | predict``: the paper's protocol from one command.

``shiftmsa.api`` (and with it torch) is imported inside the handlers, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

from shiftmsa.cli import CommandError, add_data_option_argument, data_options
from shiftmsa.cli.config_help import HelpFormatter, config_default, config_keys_epilog, option_help, protocol_help
from shiftmsa.cli.outputs import check_output_file, check_output_folder
from shiftmsa.config import PROTOCOLS, ConfigError, RunConfig, load_config
from shiftmsa.data.contract import SPLITS
from shiftmsa.files import replacing, write_text

PREDICTION_SUFFIXES = (".json", ".csv")


def _add_config_options(parser: argparse.ArgumentParser, output_default: str = RunConfig.output_dir) -> None:
    """The configuration options; their help (and the list of --set keys after it) is generated
    from the run-config dataclasses and PROTOCOLS (``shiftmsa.cli.config_help``)."""
    parser.formatter_class = HelpFormatter
    parser.epilog = config_keys_epilog()
    group = parser.add_argument_group("configuration (later options win)")
    group.add_argument("--config", metavar="YAML", help="a run configuration file (see configs/)")
    group.add_argument("--protocol", choices=list(PROTOCOLS), help=protocol_help())
    group.add_argument("--data", metavar="PATH", help=option_help("data.path", "dataset file or folder, or 'synthetic'"))
    group.add_argument("--format", help=option_help("data.format", "reader name (see `shiftmsa data check --help`)"))
    add_data_option_argument(group)
    group.add_argument("--seeds", metavar="LIST", help=option_help("train.seeds", "comma-separated seeds, one run each",
                                                                   separator=","))
    group.add_argument("--epochs", type=int, help=option_help("train.epochs", "training epochs"))
    group.add_argument("--output", metavar="DIR", help=option_help("output_dir", "experiment folder",
                                                                   default=output_default))
    group.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                       help="any config value by dotted key, e.g. train.learning_rate=3e-5 (the keys are listed "
                            "below)")


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    """``--model`` and ``--preset``: the one model a command trains."""
    parser.add_argument("--model", default=config_default("model.name"),
                        help=option_help("model.name", "registered model (see `shiftmsa models`)"))
    parser.add_argument("--preset", help=option_help("model.preset", "one of the model's presets, e.g. "
                                                                     "table3.msg_t_a; null: the model's own defaults"))


def _config_from_args(args: argparse.Namespace) -> RunConfig:
    overrides = []
    for flag, key in (("data", "data.path"), ("format", "data.format"), ("epochs", "train.epochs"),
                      ("output", "output_dir")):
        value = getattr(args, flag, None)
        if value is not None:
            overrides.append(f"{key}={value}")
    if getattr(args, "seeds", None) is not None:
        if not re.fullmatch(r"\s*-?\d+(\s*,\s*-?\d+)*\s*", args.seeds):
            raise CommandError(f"--seeds {args.seeds!r} is not a comma-separated list of integers (e.g. 0,1,2)")
        overrides.append(f"train.seeds=[{args.seeds}]")
    overrides.extend(f"data.options.{key}={value}" for key, value in data_options(args.data_option))
    overrides.extend(args.overrides)
    try:
        return load_config(args.config, overrides, protocol=args.protocol)
    except ConfigError as error:
        raise CommandError(str(error)) from None


def _run_comparison(args: argparse.Namespace, models: list[str] | None, reference: str | None) -> int:
    from shiftmsa import api

    config = _config_from_args(args)
    check_output_folder(config.output_dir, "--output")
    try:
        _, table = api.compare(config, models, reference, log=lambda m: print(m, flush=True))
    except (ValueError, FileNotFoundError) as error:
        raise CommandError(str(error)) from None
    print(f"\nMean ± std over seeds {config.train.seeds} "
          f"({config.output_dir}/table.md, per-seed values in table.csv):\n")
    print(table)
    return 0


def _train(args: argparse.Namespace) -> int:
    models = [f"{args.model}:{args.preset}" if args.preset else args.model]
    return _run_comparison(args, models, None)


def _compare(args: argparse.Namespace) -> int:
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    reference = args.reference or models[0]
    if reference not in models:
        raise CommandError(f"--reference {reference!r} is not among --models {models}")
    return _run_comparison(args, models, reference)


def _load_checkpoint(path: str):
    from shiftmsa import api

    try:
        return api.load_checkpoint(path)
    except (FileNotFoundError, ValueError) as error:
        raise CommandError(str(error)) from None


def _evaluate(args: argparse.Namespace) -> int:
    """Score a checkpoint; without --data, --format, --data-option or --config, on the data its
    run was trained on (as the checkpoint recorded it)."""
    from shiftmsa import api

    config = _config_from_args(args)
    try:
        if not (args.data or args.format or args.data_option or args.config):
            config.data = api.recorded_data(args.checkpoint)
        metrics, _ = api.evaluate(args.checkpoint, config, split=args.split)
    except (FileNotFoundError, ValueError) as error:
        raise CommandError(str(error)) from None
    print(json.dumps({"checkpoint": args.checkpoint, "split": args.split, "data": config.data.path,
                      "data_options": config.data.options, "metrics": metrics}, indent=2))
    return 0


def _prediction_inputs(args: argparse.Namespace):
    """The utterances to score and, for clips, what their features came from."""
    from shiftmsa.data.compatibility import utterance_from_text
    from shiftmsa.data.readers.utterance_file import read_utterance_file

    if args.video:
        from shiftmsa.cli.features import warn_of_fallback_words
        from shiftmsa.features.pipeline import extract_clip, feature_identity
        from shiftmsa.features.transcript import read_transcript

        transcript = read_transcript(args.transcript)
        clip = extract_clip(args.video, transcript, allow_fallback=args.allow_fallback)
        warn_of_fallback_words(args.video, clip)
        return [clip.to_utterance(Path(args.video).stem)], feature_identity(clip.extractor), clip
    if args.text is not None:
        return [utterance_from_text("text", args.text)], {}, None
    return read_utterance_file(args.input), {}, None


def _predict(args: argparse.Namespace) -> int:
    if sum(x is not None for x in (args.input, args.text, args.video)) != 1:
        raise CommandError("give exactly one of --input FILE, --text TEXT or --video CLIP")
    if args.video and not args.transcript:
        raise CommandError("--video needs --transcript TEXT_OR_FILE")
    if args.output is not None:
        check_output_file(args.output, "--output", PREDICTION_SUFFIXES)
    from shiftmsa.deploy.runtime import is_bundle

    if is_bundle(args.checkpoint):  # an ONNX Runtime bundle (`shiftmsa export`): scored without torch
        from shiftmsa.cli.deploy import predict_with_bundle

        return predict_with_bundle(args, _prediction_inputs, _write_predictions)
    from shiftmsa import api

    prepared, metadata = _load_checkpoint(args.checkpoint)
    utterances, feature_names, clip = _prediction_inputs(args)
    first = utterances[0]  # every utterance of an input has the same streams and widths (checked)
    api.check_compatible(metadata, feature_names=feature_names, utterance_id=first.id,
                         source=args.input or args.video or "--text",
                         **{f"{s}_dim": None if getattr(first, s) is None else getattr(first, s).shape[1]
                            for s in ("acoustic", "visual")})
    scores = api.predict(prepared, utterances)
    rows = [{"id": u.id, "score": round(float(s), 6)} for u, s in zip(utterances, scores)]
    if clip is not None:
        rows[0]["words"] = _word_shifts(prepared, utterances[0], clip)
    _write_predictions(rows, args.output)
    return 0


def _word_shifts(prepared, utterance, clip) -> list[dict]:
    """Per word: its time span and the mean magnitude of the text shift eta*h_s (Eq. 7) over its
    word pieces, when the model shifts text."""
    import torch

    builder = prepared.batch_builder
    batch = builder([utterance])  # one utterance: no padding, pieces follow the prefix tokens
    with torch.no_grad():
        output = prepared.model(**batch.model_inputs())
    shift, eta = output.extras.get("shift/text"), output.extras.get("eta/text")
    word_of_piece = builder.encode(utterance).word_index
    first_piece = len(builder.special.prefix_ids)
    words = []
    for index, (word, (start, end)) in enumerate(zip(utterance.words, clip.word_times.tolist())):
        entry = {"word": word, "start": round(start, 3), "end": round(end, 3)}
        positions = first_piece + (word_of_piece == index).nonzero()[0]
        if shift is not None and len(positions):
            applied = eta[0, positions, None] * shift[0, positions]
            entry["text_shift"] = round(float(applied.norm(dim=-1).mean()), 6)
        words.append(entry)
    return words


def _write_predictions(rows: list[dict], output: str | None) -> None:
    """Print ``rows`` as JSON, or replace the file ``output`` (.json or .csv) with them."""
    if output is None:
        json.dump(rows, sys.stdout, indent=2)
        print()
        return
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with replacing(path, newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["id", "score"], extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    else:
        write_text(path, json.dumps(rows, indent=2) + "\n")
    print(f"wrote {len(rows)} score(s) to {path}")


def register(subparsers) -> None:
    train = subparsers.add_parser(
        "train", help="train one model over seeds; test metrics mean ± std",
        description="Train a model with the paper's protocol (AdamW, warm-up, best epoch by "
                    "validation objective, test scored once) over every seed, resuming finished or "
                    "interrupted runs in the output folder.")
    _add_model_options(train)
    _add_config_options(train)
    train.set_defaults(handler=_train)

    compare = subparsers.add_parser(
        "compare", help="several models on the same data and seeds, with paired t-tests",
        description="Train every model over the same seeds on the same data and print mean ± std of "
                    "acc7, acc2_non0, f1_non0, acc2_has0, f1_has0, mae, corr with paired t-test "
                    "p-values against the reference.")
    compare.add_argument("--models", default="text-only,mag,msg-mba",
                         help="comma-separated NAME or NAME:PRESET (default: %(default)s)")
    compare.add_argument("--reference", help="model the p-values compare against (default: the first of --models)")
    _add_config_options(compare)
    compare.set_defaults(handler=_compare)

    evaluate = subparsers.add_parser(
        "evaluate", help="score a checkpoint on one split of a dataset",
        description="Score a checkpoint on one split: of the data named by --data / --format / "
                    "--data-option / --config, or else of the data its run was trained on.")
    evaluate.add_argument("checkpoint", help="a model bundle folder (<run>/<model>/seed-<n>/best)")
    evaluate.add_argument("--split", choices=SPLITS, default="test", help="the split to score (default: %(default)s)")
    _add_config_options(evaluate)
    evaluate.set_defaults(handler=_evaluate)

    predict = subparsers.add_parser(
        "predict", help="score new utterances with a checkpoint",
        description="Score utterances from a JSONL/CSV file (--input), one text (--text), or a video "
                    "clip and its transcript (--video, --transcript). Prints JSON, or writes JSON / "
                    "CSV with --output.")
    predict.add_argument("checkpoint", help="a model bundle folder (<run>/<model>/seed-<n>/best), or an ONNX "
                                            "Runtime bundle written by `shiftmsa export`")
    predict.add_argument("--input", help="JSONL (id, text|words, acoustic?, visual?) or CSV (id, text)")
    predict.add_argument("--text", help="one utterance's text (text-only models)")
    predict.add_argument("--video", help="a clip (mp4, mkv, webm, wav) to extract features from")
    predict.add_argument("--transcript", help="the clip's transcript, as text or a file")
    predict.add_argument("--allow-fallback", action="store_true",
                         help="with --video: score even if the aligner could not place some words (they "
                              "get the length rule's times, said on stderr); by default such a clip is refused")
    predict.add_argument("--output", help="write scores to this .json or .csv file (any other name is refused) "
                                          "instead of printing them")
    predict.set_defaults(handler=_predict)
