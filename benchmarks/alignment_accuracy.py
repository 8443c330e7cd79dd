"""Word-time error of the forced aligner on synthetic speech with known word times.

    .venv/bin/python benchmarks/alignment_accuracy.py choose  [--clips 60]   # validation set: pick a decoding
    .venv/bin/python benchmarks/alignment_accuracy.py report  [--clips 60]   # held-out set: chosen vs baselines
    .venv/bin/python benchmarks/alignment_accuracy.py startup [--clips 10]   # one warm aligner vs one per clip
    .venv/bin/python benchmarks/alignment_accuracy.py real                   # the two shared MOSI clips

Clips: MOSI gold transcripts (5-30 words) spoken word by word by espeak-ng under random
conditions (``spoken_clips.random_conditions``: 6 voices x 5 variants, 120-210 words per
minute, pauses, 0-0.6 s before and 0-2 s after the speech, white noise at 5-30 dB SNR in two clips
of three). The validation set takes its sentences from the SDK train and valid folds with seed
``--seed`` (default 0); the held-out set takes them from the SDK test fold with seed 1000 +
``--seed``, so no sentence, noise or condition of the report was seen while choosing.

Errors are absolute differences of each word's start and end from the truth; a clip fails when
any of its words was placed by the fallback rule. Baselines: ``uniform`` divides the speech
region (see ``alignment.speech_region``) into equal spans, ``length rule`` in proportion to
letters + 1 (the aligner's fallback rule); ``legacy`` is the aligner of commit 85d8207 (before
issue 16: bestpath, default beams, PocketSphinx's own dither, no padding, no retry, every word by
the fallback rule when the path is incomplete), loaded from git.

``real`` aligns the two MOSI clips of shared/data/mosi/media with the legacy and the chosen
aligner and compares the word starts of Oz06ZWiO20M_6 with the Whisper word times of
shared/data/mosi_openface (an approximate reference: its per-video time shift was estimated on a
0.05 s grid, so the median difference is removed before comparing).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
import types
from dataclasses import replace
from pathlib import Path

import numpy as np

from shiftmsa.features.forced_alignment import DecodingConfig, PocketsphinxAligner, speech_region, spread_words
from shiftmsa.features.media import decode_audio
from shiftmsa.features.spoken_clips import SAMPLE_RATE, SpokenClip, random_conditions, synthesise
from shiftmsa.features.transcript import split_words

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
MOSI_UTTERANCES = SHARED_DATA / "mosi" / "mosi_utterances.csv"
LEGACY_COMMIT = "85d8207"
FALLBACK_COUNTS = ("placed_by_fallback", "fallback")  # the current aligner's count, the legacy one's
REAL_CLIPS = {"03bSnISJMiM_1.wav": "anyhow it was really good",
              "Oz06ZWiO20M_6.mp4": "and sucker punch is a failer but like a really ambitious weird the interesting "
                                   "idiosyncratic failure"}
REAL_CLIP_START = {"Oz06ZWiO20M_6": 66.8705}  # MOSI utterance start (mosi_utterances.csv)
VALIDATION_FOLDS, HELD_OUT_FOLDS = ("train", "valid"), ("test",)
WIDE_BEAMS = {"beam": 1e-80, "wbeam": 1e-60, "pbeam": 1e-80}
DEFAULT_BEAMS = {"beam": 1e-48, "wbeam": 7e-29, "pbeam": 1e-48}


def make_clips(folds: tuple[str, ...], n_clips: int, seed: int) -> list[SpokenClip]:
    """``n_clips`` synthetic clips of MOSI sentences from ``folds``, all choices drawn from ``seed``."""
    with MOSI_UTTERANCES.open(newline="", encoding="utf-8") as handle:
        sentences = [split_words(row["text"]) for row in csv.DictReader(handle) if row["sdk_fold"] in folds]
    sentences = [words for words in sentences if 5 <= len(words) <= 30]
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(sentences), size=n_clips, replace=False)
    return [synthesise(sentences[i], random_conditions(len(sentences[i]), rng)) for i in chosen]


def summarise(predicted: list[np.ndarray], clips: list[SpokenClip], failed: list[int]) -> dict:
    """Median and 90th percentile of start and end errors (ms), share within 100 ms, failures."""
    errors = np.abs(np.concatenate(predicted) - np.concatenate([clip.times for clip in clips])) * 1000
    return {"start_median_ms": np.median(errors[:, 0]), "start_p90_ms": np.quantile(errors[:, 0], 0.9),
            "end_median_ms": np.median(errors[:, 1]), "end_p90_ms": np.quantile(errors[:, 1], 0.9),
            "start_within_100ms": np.mean(errors[:, 0] <= 100), "end_within_100ms": np.mean(errors[:, 1] <= 100),
            "failed_clips": sum(n > 0 for n in failed), "fallback_words": sum(failed), "words": len(errors)}


def legacy_aligner():
    """The aligner of commit LEGACY_COMMIT (before issue 16), loaded from git into a module of its own."""
    source = subprocess.run(["git", "show", f"{LEGACY_COMMIT}:src/shiftmsa/features/forced_alignment.py"], cwd=REPOSITORY,
                            check=True, capture_output=True, text=True).stdout
    module = sys.modules.setdefault("legacy_alignment", types.ModuleType("legacy_alignment"))
    exec(compile(source, f"{LEGACY_COMMIT}:alignment.py", "exec"), module.__dict__)
    return module.PocketsphinxAligner(SAMPLE_RATE)


def fallback_words(result) -> int:
    return next(result.counts[name] for name in FALLBACK_COUNTS if name in result.counts)


def run_aligner(aligner, clips: list[SpokenClip]) -> dict:
    started = time.perf_counter()
    results = [aligner(clip.samples, clip.words) for clip in clips]
    seconds = time.perf_counter() - started
    summary = summarise([r.times for r in results], clips, [fallback_words(r) for r in results])
    return {**summary, "seconds_per_audio_second": seconds / sum(len(c.samples) / SAMPLE_RATE for c in clips)}


def run_baseline(clips: list[SpokenClip], by_length: bool) -> dict:
    predicted = []
    for clip in clips:
        start, end = speech_region(clip.samples, SAMPLE_RATE)
        words = clip.words if by_length else tuple("x" for _ in clip.words)
        predicted.append(spread_words(words, start, end))
    return summarise(predicted, clips, [len(c.words) for c in clips])


def selection_key(decoding: DecodingConfig, summary: dict) -> tuple:
    """Fewest fallback words, then most starts and ends within 100 ms, then the smallest median start +
    end error; on a tie the decoding with more tail retries (a safety net that costs nothing unused)."""
    return (summary["fallback_words"], -(summary["start_within_100ms"] + summary["end_within_100ms"]),
            summary["start_median_ms"] + summary["end_median_ms"], -decoding.tail_retries)


def print_row(name: str, summary: dict) -> None:
    speed = summary.get("seconds_per_audio_second")
    print(f"| {name} | {summary['start_median_ms']:.0f} | {summary['start_p90_ms']:.0f} | "
          f"{summary['end_median_ms']:.0f} | {summary['end_p90_ms']:.0f} | {summary['start_within_100ms']:.1%} | "
          f"{summary['end_within_100ms']:.1%} | {summary['failed_clips']} ({summary['fallback_words']} words) | "
          f"{'-' if speed is None else f'{speed:.3f}'} |", flush=True)


def print_header(clips: list[SpokenClip], title: str) -> None:
    seconds = sum(len(c.samples) for c in clips) / SAMPLE_RATE
    print(f"{title}: {len(clips)} clips, {sum(len(c.words) for c in clips)} words, {seconds:.0f} s of audio")
    print("| decoding | start median ms | start p90 ms | end median ms | end p90 ms | starts <= 100 ms | "
          "ends <= 100 ms | failed clips | s per audio s |")
    print("|---|---|---|---|---|---|---|---|---|")


def score_all(decodings: list[DecodingConfig], clips: list[SpokenClip], scored: dict) -> DecodingConfig:
    """Run and print every decoding not yet in ``scored`` (filled in place); the best of ``decodings``."""
    for decoding in decodings:
        if decoding not in scored:
            scored[decoding] = run_aligner(PocketsphinxAligner(SAMPLE_RATE, decoding), clips)
            print_row(str(decoding), scored[decoding])
    return min(decodings, key=lambda d: selection_key(d, scored[d]))


def choose(args: argparse.Namespace) -> None:
    """Stage 1: dither x padding (wide beams, no bestpath, 2 retries); stage 2: search settings and
    retries at the best of stage 1. Prints every row and the chosen decoding."""
    clips = make_clips(VALIDATION_FOLDS, args.clips, args.seed)
    print_header(clips, "validation")
    print_row("legacy", run_aligner(legacy_aligner(), clips))
    scored: dict = {}
    best = score_all([DecodingConfig(dither=dither, pad_seconds=pad) for dither in (8.0, 32.0, 128.0, 512.0)
                      for pad in (0.0, 0.5, 1.0)], clips, scored)
    best = score_all([replace(best, bestpath=bestpath, tail_retries=retries, **beams) for bestpath in (False, True)
                      for retries in (0, 2) for beams in (WIDE_BEAMS, DEFAULT_BEAMS)], clips, scored)
    print(f"chosen: {best}")


def report(args: argparse.Namespace) -> None:
    clips = make_clips(HELD_OUT_FOLDS, args.clips, 1000 + args.seed)
    print_header(clips, "held-out")
    print_row(f"chosen {DecodingConfig()}", run_aligner(PocketsphinxAligner(SAMPLE_RATE), clips))
    print_row(f"legacy ({LEGACY_COMMIT})", run_aligner(legacy_aligner(), clips))
    print_row("uniform spreading over the speech region", run_baseline(clips, by_length=False))
    print_row("length rule (letters + 1) over the speech region", run_baseline(clips, by_length=True))


def startup(args: argparse.Namespace) -> None:
    """Seconds to align ``--clips`` clips with one warm aligner, and with a new aligner for each clip."""
    clips = make_clips(HELD_OUT_FOLDS, args.clips, 2000 + args.seed)
    started = time.perf_counter()
    warm = PocketsphinxAligner(SAMPLE_RATE)
    created = time.perf_counter() - started
    results = [warm(clip.samples, clip.words) for clip in clips]
    warm_seconds = time.perf_counter() - started
    started = time.perf_counter()
    fresh = [PocketsphinxAligner(SAMPLE_RATE)(clip.samples, clip.words) for clip in clips]
    fresh_seconds = time.perf_counter() - started
    same = all(np.array_equal(a.times, b.times) for a, b in zip(results, fresh))
    print(f"{len(clips)} clips: one warm aligner {warm_seconds:.2f} s (of which creating it {created:.2f} s), "
          f"a new aligner per clip {fresh_seconds:.2f} s; saved {(fresh_seconds - warm_seconds) / len(clips):.2f} s "
          f"per clip; identical word times: {same}")


def whisper_starts(utterance_id: str) -> dict[str, float]:
    """Whisper's start of each word said once in an utterance, in seconds from its MOSI start."""
    with (SHARED_DATA / "mosi_openface" / "mosi_openface_words.jsonl").open(encoding="utf-8") as handle:
        row = next(r for r in map(json.loads, handle) if r["id"] == utterance_id)
    return {word: start - REAL_CLIP_START[utterance_id] for word, (start, _) in zip(row["asr_words"], row["word_times"])
            if row["asr_words"].count(word) == 1}


def real(args: argparse.Namespace) -> None:
    """Fallback words of the legacy and the chosen aligner on the shared MOSI clips, and word starts
    against Whisper's where available."""
    aligners = {f"legacy ({LEGACY_COMMIT})": legacy_aligner(), "chosen": PocketsphinxAligner(SAMPLE_RATE)}
    for name, text in REAL_CLIPS.items():
        samples, words = decode_audio(SHARED_DATA / "mosi" / "media" / name), split_words(text)
        reference = whisper_starts(Path(name).stem) if Path(name).stem in REAL_CLIP_START else {}
        for label, aligner in aligners.items():
            result = aligner(samples, words)
            line = f"{name} {label}: {fallback_words(result)} of {len(words)} words by the fallback rule"
            shared = [(start, reference[w]) for w, (start, _) in zip(words, result.times)
                      if w in reference and words.count(w) == 1]
            if shared:
                differences = np.array([a - b for a, b in shared])
                residual = np.abs(differences - np.median(differences)) * 1000
                line += (f"; vs Whisper ({len(shared)} words): median offset {np.median(differences) * 1000:.0f} ms, "
                         f"then median {np.median(residual):.0f} ms, max {residual.max():.0f} ms, "
                         f"{np.mean(residual <= 100):.0%} within 100 ms")
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("choose", "report", "startup", "real"))
    parser.add_argument("--clips", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    {"choose": choose, "report": report, "startup": startup, "real": real}[args.what](args)


if __name__ == "__main__":
    main()
