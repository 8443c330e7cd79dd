"""``shiftmsa data check PATH`` and ``shiftmsa data synth OUT``: look at data before training on it."""

from __future__ import annotations

import argparse

from shiftmsa.data.reading import FORMATS, detect_format, read_corpus
from shiftmsa.data.readers.csd import read_computational_sequence
from shiftmsa.data.readers.native import write_native_dataset
from shiftmsa.data.readers.mosi_table import SPLIT_SCHEMES
from shiftmsa.data.summary import summarize_corpus, summarize_sequence
from shiftmsa.data.synthetic import generate_synthetic
from shiftmsa.data.validation import INF_POLICIES
from shiftmsa.text.encoders import DEFAULT_ENCODER, load_tokenizer

NO_TOKENIZER = "none"


def _reader_options(args: argparse.Namespace, format_name: str) -> dict:
    options: dict = {}
    if format_name == "mosi-table":
        options.update(split=args.split, features=args.features)
    if format_name == "csd":
        options.update(folds=args.folds, texts=args.texts, words=args.words, acoustic=args.acoustic,
                       visual=args.visual)
    if format_name not in ("mmsa-csv", "synthetic"):
        options["inf_policy"] = args.inf_policy
    return options


def _tokenizer(name: str):
    return None if name == NO_TOKENIZER else load_tokenizer(name)


def check(args: argparse.Namespace) -> int:
    """Read PATH with full validation and print its summary (exit 2 with one clear line if unusable)."""
    format_name = detect_format(args.path) if args.format == "auto" else args.format
    if format_name == "csd" and args.folds is None:
        print(summarize_sequence(read_computational_sequence(args.path)))
        print("hint         to check it as a corpus, add --folds (and --words or --texts)")
        return 0
    corpus = read_corpus(args.path, format=format_name, **_reader_options(args, format_name))
    print(summarize_corpus(corpus, format_name=format_name, tokenizer=_tokenizer(args.tokenizer),
                           tokenizer_name=args.tokenizer, max_length=args.max_length))
    return 0


def synth(args: argparse.Namespace) -> int:
    """Generate the synthetic corpus and write it as a native dataset folder."""
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

    check_parser = commands.add_parser("check", help="read a dataset with full validation and summarise it")
    check_parser.add_argument("path", help="file or folder (or 'synthetic')")
    check_parser.add_argument("--format", choices=FORMATS, default="auto")
    check_parser.add_argument("--split", choices=SPLIT_SCHEMES, default="sdk_fold", help="MOSI table split scheme")
    check_parser.add_argument("--features", default="audio_opensmile",
                              help="MOSI table feature sets, comma-separated (video_3dcnn is refused: it "
                                   "leaks labels)")
    check_parser.add_argument("--inf-policy", choices=INF_POLICIES, default="zero",
                              help="what to do with +/-inf feature values (zero: replace and count)")
    check_parser.add_argument("--folds", help=".csd corpus: folds file (CSV id/video + split column, or JSON)")
    check_parser.add_argument("--texts", help=".csd corpus without a words sequence: CSV with id,text")
    check_parser.add_argument("--words", help=".csd corpus: the words .csd")
    check_parser.add_argument("--acoustic", help=".csd corpus: acoustic .csd aligned to the words")
    check_parser.add_argument("--visual", help=".csd corpus: visual .csd aligned to the words")
    check_parser.add_argument("--tokenizer", default=DEFAULT_ENCODER,
                              help=f"count word pieces with this encoder's tokenizer ('{NO_TOKENIZER}' to skip)")
    check_parser.add_argument("--max-length", type=int, default=50)
    check_parser.set_defaults(handler=check)

    synth_parser = commands.add_parser("synth", help="write the synthetic dataset as a native folder")
    synth_parser.add_argument("out", help="destination folder")
    synth_parser.add_argument("--n", type=int, default=3000, help="utterances (2/3 train, 1/6 valid, 1/6 test)")
    synth_parser.add_argument("--seed", type=int, default=0)
    synth_parser.add_argument("--acoustic-dim", type=int, default=16)
    synth_parser.add_argument("--visual-dim", type=int, default=12)
    synth_parser.set_defaults(handler=synth)
