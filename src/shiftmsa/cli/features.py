"""``shiftmsa extract`` and ``shiftmsa extract-dataset``: word-level features from the user's own media."""

from __future__ import annotations

import argparse
import json
import sys
import time

from shiftmsa.cli.config_help import field_default, option_help
from shiftmsa.cli.outputs import check_output_file, check_output_folder
from shiftmsa.features.settings import ACOUSTIC_EXTRACTORS, ExtractionSettings


def _add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--acoustic", choices=ACOUSTIC_EXTRACTORS, default=field_default(ExtractionSettings, "acoustic"),
                        help=option_help((ExtractionSettings, "acoustic"), "acoustic extractor (openSMILE ones need "
                                                                           "the opensmile extra)"))
    parser.add_argument("--no-visual", action="store_true", help="skip the video stream even when present")
    parser.add_argument("--video-fps", type=float, default=None,
                        help="analyse at most this many video frames per second (default: all)")
    parser.add_argument("--allow-fallback", action="store_true",
                        help="accept words the aligner could not place, timed by the length rule and marked "
                             "placed_by=fallback (default: refuse the clip, naming the words)")


def warn_of_fallback_words(clip, features) -> None:
    """One stderr line naming the words of ``clip`` that the fallback rule placed (none: silent)."""
    if features.unplaced_words:
        print(f"warning: {clip}: {len(features.unplaced_words)} of {len(features.words)} words placed by the "
              f"fallback rule, not the aligner: {' '.join(features.unplaced_words)}", file=sys.stderr)


def _settings(args: argparse.Namespace) -> ExtractionSettings:
    return ExtractionSettings(acoustic=args.acoustic, visual=not args.no_visual, video_fps=args.video_fps)


def _word_line(record: dict) -> str:
    """One word's times, what placed it, how a number was spoken and what replaced a missing token."""
    notes = ["placed by the fallback rule"] if record["placed_by"] == "fallback" else []
    if "spoken_as" in record:
        notes.append("spoken as " + " ".join(record["spoken_as"]))
    for missing in record.get("out_of_dictionary", ()):
        borrowed = f" of {missing['pronunciation_of']}" if missing["pronunciation_of"] else ""
        notes.append(f"{missing['token']} not in the dictionary: {missing['handling']}{borrowed}")
    return f"  {record['start']:7.2f} {record['end']:7.2f}  {record['word']}" + "".join(f"  [{n}]" for n in notes)


def _extract(args: argparse.Namespace) -> int:
    check_output_file(f"{args.output}.npz", "-o")
    from shiftmsa.features.clip_io import save_clip_features
    from shiftmsa.features.pipeline import extract_clip, feature_identity
    from shiftmsa.features.transcript import read_transcript

    started = time.perf_counter()
    features = extract_clip(args.clip, read_transcript(args.transcript), settings=_settings(args),
                            allow_fallback=args.allow_fallback)
    warn_of_fallback_words(args.clip, features)
    npz_path, json_path = save_clip_features(features, args.output, clip=str(args.clip),
                                             feature_identity=feature_identity(features.extractor))
    print(f"{len(features.words)} words, acoustic {features.acoustic.shape}, visual "
          f"{None if features.visual is None else features.visual.shape} in {time.perf_counter() - started:.1f} s")
    for record in features.alignment:
        print(_word_line(record))
    print(f"counts: {json.dumps(features.counts)}")
    print(f"wrote {npz_path} and {json_path}")
    return 0


def _extract_dataset(args: argparse.Namespace) -> int:
    check_output_folder(args.output, "-o")
    from shiftmsa.features.dataset import FAILURES_FILE, extract_dataset

    def report(done: int, total: int, clip_id: str, status: str) -> None:
        print(f"[{done}/{total}] {clip_id}: {status}", file=sys.stderr, flush=True)

    corpus, failures = extract_dataset(args.manifest, args.output, settings=_settings(args), progress=report,
                                       allow_fallback=args.allow_fallback)
    print(f"wrote {args.output}: {len(corpus)} utterances {corpus.split_sizes()}, acoustic_dim "
          f"{corpus.acoustic_dim}, visual_dim {corpus.visual_dim}; fallbacks {corpus.report.repairs}")
    fallback_words = corpus.report.repairs.get("placed_by_fallback", 0)
    if fallback_words:
        print(f"warning: {fallback_words} word(s) in {corpus.report.repairs.get('alignment_failed', 0)} clip(s) placed "
              f"by the fallback rule, not the aligner (listed per clip in {args.output}/meta.json, provenance "
              "unplaced_words)", file=sys.stderr)
    if failures:
        print(f"{len(failures)} clip(s) failed, listed in {args.output}/{FAILURES_FILE}", file=sys.stderr)
    return 1 if failures else 0


def register(subparsers) -> None:
    """Add ``extract`` (one clip) and ``extract-dataset`` (a manifest of clips)."""
    clip = subparsers.add_parser("extract", help="word-aligned acoustic/visual features of one clip (.npz + .json)")
    clip.add_argument("clip", help="media file: mp4, mkv, webm, wav, ...")
    clip.add_argument("--transcript", required=True, help="the words spoken, or a text file holding them")
    clip.add_argument("-o", "--output", required=True, help="output stem: writes OUT.npz and OUT.json")
    _add_settings_arguments(clip)
    clip.set_defaults(handler=_extract)

    dataset = subparsers.add_parser("extract-dataset", help="features of every clip of a manifest CSV into a dataset "
                                                            "folder (resumes from its cache)")
    dataset.add_argument("manifest", help="CSV with columns clip, transcript and optional id, label, split")
    dataset.add_argument("-o", "--output", required=True, help="dataset folder (native shiftmsa format)")
    _add_settings_arguments(dataset)
    dataset.set_defaults(handler=_extract_dataset)
