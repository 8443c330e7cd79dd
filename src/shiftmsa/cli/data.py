"""``shiftmsa data check PATH`` and ``shiftmsa data synth OUT``: look at data before training on it."""

from __future__ import annotations

import argparse

from shiftmsa.cli import CommandError, add_data_option_argument, data_options
from shiftmsa.cli.config_help import config_default, describe_fields, field_default, option_help
from shiftmsa.cli.outputs import check_output_folder
from shiftmsa.config import parse_value
from shiftmsa.data.reading import FORMATS, detect_format, read_corpus
from shiftmsa.data.readers.csd import read_computational_sequence
from shiftmsa.data.readers.native import write_native_dataset
from shiftmsa.data.summary import summarize_corpus, summarize_sequence
from shiftmsa.data.synthetic import generate_synthetic
from shiftmsa.defaults import DEFAULT_ENCODER
from shiftmsa.text.encoders import check_encoder_available, load_tokenizer

NO_TOKENIZER = "none"
READER_OPTIONS_HELP = """reader options (--data-option KEY=VALUE, the same in train / compare / evaluate):
  mosi-table  split=sdk_fold|bclstm_split, features=audio_opensmile,video_3dcnn (or [..]), text_column=text
  csd         folds=FILE (CSV id/video + split column, or JSON), words=FILE.csd or texts=FILE.csv,
              acoustic=FILE.csd, visual=FILE.csd
  mmsa-pkl    sequences=auto|mean
  synthetic   {synthetic}
  every format with features: inf_policy=zero|error (replace +/-inf with 0 and count, or refuse)""".format(
    synthetic=", ".join(f"{item.name}={item.default}" for item in describe_fields(generate_synthetic)))


def _tokenizer(name: str):
    """The tokenizer ``--tokenizer`` names (None for ``none``), refused in one line when it
    cannot be loaded here."""
    if name == NO_TOKENIZER:
        return None
    try:
        check_encoder_available(name)
    except ValueError as error:
        raise CommandError(f"--tokenizer {name}: {error} (or --tokenizer {NO_TOKENIZER} to skip counting)") from None
    return load_tokenizer(name)


def check(args: argparse.Namespace) -> int:
    """Read PATH with full validation and print its summary (exit 2 with one clear line if unusable)."""
    format_name = detect_format(args.path) if args.format == "auto" else args.format
    options = {key: parse_value(value) for key, value in data_options(args.data_option)}
    if format_name == "csd" and "folds" not in options:
        print(summarize_sequence(read_computational_sequence(args.path)))
        print("hint         to check it as a corpus, add --data-option folds=FILE (and words= or texts=)")
        return 0
    tokenizer = _tokenizer(args.tokenizer)
    corpus = read_corpus(args.path, format=format_name, **options)
    print(summarize_corpus(corpus, format_name=format_name, tokenizer=tokenizer,
                           tokenizer_name=args.tokenizer, max_length=args.max_length))
    return 0


def synth(args: argparse.Namespace) -> int:
    """Generate the synthetic corpus and write it as a native dataset folder."""
    check_output_folder(args.out, "OUT")
    corpus = generate_synthetic(args.n, seed=args.seed, acoustic_dim=args.acoustic_dim, visual_dim=args.visual_dim)
    folder = write_native_dataset(corpus, args.out, provenance={
        "generator": "shiftmsa.data.synthetic", "n": args.n, "seed": args.seed,
        "acoustic_dim": args.acoustic_dim, "visual_dim": args.visual_dim})
    print(summarize_corpus(corpus, format_name="synthetic"))
    print(f"written      {folder}")
    return 0


def register(subparsers) -> None:
    """Add ``data check`` and ``data synth``."""
    parser = subparsers.add_parser("data", help="check datasets and generate the synthetic one")
    commands = parser.add_subparsers(dest="data_command", metavar="DATA_COMMAND", required=True)

    check_parser = commands.add_parser("check", help="read a dataset with full validation and summarise it",
                                       description="Read a dataset with full validation and summarise it.",
                                       epilog=READER_OPTIONS_HELP,
                                       formatter_class=argparse.RawDescriptionHelpFormatter)
    check_parser.add_argument("path", help="file or folder (or 'synthetic')")
    check_parser.add_argument("--format", choices=FORMATS, default=config_default("data.format"),
                              help="reader; auto decides from the path (default: %(default)s)")
    add_data_option_argument(check_parser)
    check_parser.add_argument("--tokenizer", default=DEFAULT_ENCODER,
                              help=f"count word pieces with this encoder's tokenizer ('{NO_TOKENIZER}' to skip) "
                                   "(default: %(default)s)")
    check_parser.add_argument("--max-length", type=int, default=config_default("data.max_length"),
                              help=option_help("data.max_length", "count utterances longer than this many word "
                                                                  "pieces (data.max_length of a run)"))
    check_parser.set_defaults(handler=check)

    synth_parser = commands.add_parser("synth", help="write the synthetic dataset as a native folder")
    synth_parser.add_argument("out", help="destination folder")
    for name in ("n", "seed", "acoustic_dim", "visual_dim"):  # generate_synthetic's parameters and defaults
        synth_parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=field_default(generate_synthetic, name),
                                  help=option_help((generate_synthetic, name)))
    synth_parser.set_defaults(handler=synth)
