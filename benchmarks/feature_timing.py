"""Seconds of compute per second of media for each feature stage, and an objective alignment check.

    .venv/bin/python benchmarks/feature_timing.py [--repeats 3] [--check-alignment]

Stages (each timed alone, after one warm-up run that pays numba's and MediaPipe's start-up):
decode (audio to 16 kHz mono, plus every video frame to RGB), acoustic (librosa; openSMILE
eGeMAPSv02 and ComParE_2016 when installed), visual (face mesh + geometry on every frame,
decoding excluded), alignment (pocketsphinx). The alignment check compares word spans with the
audio's silences and re-recognises each word cut at its boundaries (see docs/features.md).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from shiftmsa.features.forced_alignment import PocketsphinxAligner, speech_region
from shiftmsa.features.media import SAMPLE_RATE, decode_audio, has_video_stream, iter_video_frames
from shiftmsa.features.transcript import split_words

SHARED_MEDIA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mosi" / "media"
CLIPS = {  # MOSI gold transcripts (mosi_utterances.csv, column text)
    "03bSnISJMiM_1.wav": "anyhow it was really good",
    "Oz06ZWiO20M_6.mp4": "and sucker punch is a failer but like a really ambitious weird the interesting "
                         "idiosyncratic failure",
}


def median_seconds(run, repeats: int) -> float:
    run()
    durations = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def stage_runs(path: Path, words: tuple[str, ...]) -> dict:
    samples = decode_audio(path)
    aligner = PocketsphinxAligner()
    runs = {"decode audio": lambda: decode_audio(path), "alignment": lambda: aligner(samples, words)}
    from shiftmsa.features.acoustic import LibrosaAcoustic

    librosa_extractor = LibrosaAcoustic()
    runs["acoustic librosa"] = lambda: librosa_extractor(samples, SAMPLE_RATE)
    try:
        from shiftmsa.features.opensmile_acoustic import OpenSmileAcoustic

        for feature_set in ("eGeMAPSv02", "ComParE_2016"):
            runs[f"acoustic opensmile {feature_set}"] = (lambda e: lambda: e(samples, SAMPLE_RATE))(OpenSmileAcoustic(feature_set))
    except ImportError:
        pass
    if has_video_stream(path):
        from shiftmsa.features.face_geometry import visual_descriptors
        from shiftmsa.features.face_landmarks import FaceMeshLandmarker

        images = [frame.image for frame in iter_video_frames(path)]
        landmarker = FaceMeshLandmarker()

        def visual() -> None:
            found = [landmarker(image) for image in images]
            visual_descriptors(np.stack([points for points in found if points is not None]))

        runs["decode video"] = lambda: list(iter_video_frames(path))
        runs["visual face mesh + geometry"] = visual
    return runs


def check_alignment(path: Path, words: tuple[str, ...]) -> None:
    """Print each word's span, the share of its 10 ms frames that are speech, and what pocketsphinx
    recognises in the audio cut at the span (free decoding with its bundled language model)."""
    from pocketsphinx import Decoder

    samples = decode_audio(path)
    result = PocketsphinxAligner()(samples, words)
    hop = SAMPLE_RATE // 100
    level = 10 * np.log10(np.mean(samples[: len(samples) // hop * hop].reshape(-1, hop) ** 2, axis=1) + 1e-12)
    speech = level >= level.max() - 30
    region = speech_region(samples, SAMPLE_RATE)
    print(f"{path.name}: speech region {region[0]:.2f}-{region[1]:.2f} s, counts {result.counts}")
    recogniser = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL", dither=True, seed=1)
    for word, (start, end) in zip(words, result.times):
        piece = samples[int(start * SAMPLE_RATE): int(end * SAMPLE_RATE)]
        recogniser.start_utt()
        recogniser.process_raw((np.clip(piece, -1, 1) * 32767).astype("<i2").tobytes(), full_utt=True)
        recogniser.end_utt()
        heard = recogniser.hyp().hypstr if recogniser.hyp() else ""
        share = speech[int(start * 100): max(int(start * 100) + 1, int(end * 100))].mean()
        print(f"  {word:>14} {start:5.2f}-{end:5.2f}  speech {share:4.0%}  re-recognised: {heard!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--check-alignment", action="store_true")
    args = parser.parse_args()
    for name, text in CLIPS.items():
        path = SHARED_MEDIA / name
        words = split_words(text)
        seconds = len(decode_audio(path)) / SAMPLE_RATE
        print(f"{name} ({seconds:.2f} s of media, {len(words)} words)")
        for stage, run in stage_runs(path, words).items():
            spent = median_seconds(run, args.repeats)
            print(f"  {stage:32s} {spent:7.3f} s  = {spent / seconds:6.3f} s per second of media")
        if args.check_alignment:
            check_alignment(path, words)


if __name__ == "__main__":
    main()
