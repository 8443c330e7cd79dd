"""``shiftmsa explain``: the paper's analysis figures (Fig. 6-8) and per-word shifts of a checkpoint."""

from __future__ import annotations

import argparse

from shiftmsa.cli import CommandError
from shiftmsa.cli.config_help import option_help
from shiftmsa.cli.outputs import check_output_folder
from shiftmsa.cli.run import _config_from_args, _prediction_inputs
from shiftmsa.data.contract import SPLITS


def _names(value: str | None) -> tuple[str, ...] | None:
    """``"a,b"`` -> ("a", "b"); None stays None (ExplainOptions checks the names)."""
    return None if value is None else tuple(v.strip() for v in value.split(",") if v.strip())


def _explain(args: argparse.Namespace) -> int:
    from shiftmsa import api

    new_inputs = [flag for flag in ("input", "text", "video") if getattr(args, flag) is not None]
    if args.data and new_inputs or len(new_inputs) > 1:
        raise CommandError("give --data (a labelled split) or one of --input, --text, --video")
    if args.video and not args.transcript:
        raise CommandError("--video needs --transcript TEXT_OR_FILE")
    check_output_folder(args.folder, "--output")
    try:
        given = {name: getattr(args, name) for name in ("layers", "seed", "perplexity")
                 if getattr(args, name) is not None}  # the others: ExplainOptions' defaults
        options = api.ExplainOptions(figures=_names(args.figures), per_head=args.per_head,
                                     modalities=_names(args.modalities), **given)
        common = {"compare": args.compare, "options": options, "output": args.folder,
                  "log": lambda line: print(line, flush=True)}
        if new_inputs:
            utterances, feature_names, _ = _prediction_inputs(args)
            figures = api.explain(args.checkpoint, utterances, feature_names=feature_names,
                                  source=args.input or args.video or "--text", **common)
        else:
            ids = [i.strip() for i in args.ids.split(",") if i.strip()] if args.ids else None
            figures = api.explain(args.checkpoint, config=_config_from_args(args), split=args.split, ids=ids,
                                  limit=args.limit, **common)
    except (FileNotFoundError, ValueError) as error:
        raise CommandError(str(error)) from None
    for data in figures:
        print(f"{args.folder}/{data.name}.png (+ .json)")
    return 0


def register(subparsers) -> None:
    explain = subparsers.add_parser(
        "explain", help="draw attention (Fig. 6), t-SNE (Fig. 7), MBA p_att (Fig. 8) and per-word shifts",
        description="Draw the paper's analysis figures for a checkpoint, each as PNG with the numbers "
                    "behind it as JSON: the encoder's self-attention at chosen layers (Fig. 6), a t-SNE "
                    "of M_t*, M_a*, M_v* over a split coloured by label sign (Fig. 7), MBA's p_att "
                    "(Fig. 8) and the applied shift eta*||h_s|| per word. Without --figures, every "
                    "figure the model can give; a figure named that the model cannot give is an error.")
    explain.add_argument("checkpoint", help="a model bundle folder (<run>/<model>/seed-<n>/best)")
    explain.add_argument("--output", required=True, metavar="DIR", dest="folder",
                         help="folder for the PNG and JSON files")
    explain.add_argument("--figures", metavar="LIST",
                         help="comma-separated, from attention, p_att, shifts, tsne (default: all the model gives)")
    explain.add_argument("--layers", metavar="LIST",
                         help="attention layers, 1-based, 'last' = the last (default: api.ExplainOptions.layers, "
                              "those of the paper's Fig. 6)")
    explain.add_argument("--per-head", action="store_true", help="draw every attention head besides their mean")
    explain.add_argument("--modalities", metavar="LIST",
                         help="modalities for shifts, p_att and t-SNE (default: all the model gives)")
    explain.add_argument("--compare", metavar="CHECKPOINT",
                         help="a second checkpoint drawn beside the first in the t-SNE (e.g. one without MSG)")
    explain.add_argument("--seed", type=int, help="t-SNE random state (default: api.ExplainOptions.seed)")
    explain.add_argument("--perplexity", type=float,
                         help="t-SNE perplexity, lowered for fewer utterances (default: "
                              "api.ExplainOptions.perplexity)")
    data = explain.add_argument_group("a labelled split (t-SNE over all of it; the other figures per utterance)")
    data.add_argument("--data", metavar="PATH", help=option_help("data.path", "dataset file or folder, or 'synthetic'"))
    data.add_argument("--format", help=option_help("data.format", "reader name"))
    data.add_argument("--data-option", action="append", default=[], metavar="KEY=VALUE",
                      help="reader option, e.g. split=sdk_fold or features=[audio_opensmile]")
    data.add_argument("--config", metavar="YAML", help="a run configuration file whose data section to use")
    data.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                      help="any config value by dotted key, e.g. data.max_length=64")
    data.add_argument("--split", choices=SPLITS, default="test", help="the split to draw (default: %(default)s)")
    data.add_argument("--ids", metavar="LIST", help="comma-separated utterance ids (default: the first --limit)")
    data.add_argument("--limit", type=int, default=3, help="utterances drawn without --ids (default: %(default)s)")
    new = explain.add_argument_group("new utterances (no labels: no t-SNE)")
    new.add_argument("--input", help="JSONL (id, text|words, acoustic?, visual?) or CSV (id, text)")
    new.add_argument("--text", help="one utterance's text (text-only models)")
    new.add_argument("--video", help="a clip to extract features from")
    new.add_argument("--transcript", help="the clip's transcript, as text or a file")
    explain.set_defaults(handler=_explain, protocol=None)
