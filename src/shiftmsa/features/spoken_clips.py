"""Synthetic speech with exactly known word times, for checking a forced aligner.

Each word is synthesised alone by espeak-ng (a Debian package, not a Python one), trimmed to its
audible samples and concatenated with pauses of chosen lengths, so the true start and end of every
word are known to the sample. Leading and trailing silence and additive noise at a chosen
signal-to-noise ratio make the clip harder to align; the whole clip is reproducible from its
``SpeechConditions`` and the seed of its noise.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

SAMPLE_RATE = 16_000
ESPEAK_VOICES = ("en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-us-nyc", "en-029")
ESPEAK_VARIANTS = ("", "+m3", "+f2", "+f4", "+m7")
AUDIBLE_FRACTION = 0.02


@dataclass(frozen=True)
class SpeechConditions:
    """How a clip is spoken and degraded.

    Args:
        voice: an espeak-ng voice, optionally with a variant ("en-gb+f2").
        words_per_minute: espeak-ng speed (``-s``).
        pitch: espeak-ng pitch, 0-99 (``-p``).
        pauses: seconds of silence after each word but the last (one per word gap).
        lead_silence: seconds of silence before the first word.
        trail_silence: seconds of silence after the last word.
        snr_db: white noise over the whole clip at this ratio to the speech power (None: none).
        noise_seed: seed of the noise.
    """

    voice: str = "en-us"
    words_per_minute: int = 150
    pitch: int = 50
    pauses: tuple[float, ...] = ()
    lead_silence: float = 0.2
    trail_silence: float = 0.2
    snr_db: float | None = None
    noise_seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SpokenClip:
    """A synthetic clip and its reference word times.

    Args:
        samples: float32 mono samples at ``SAMPLE_RATE``.
        words: the words spoken.
        times: float (words, 2) true start and end of each word in seconds.
        conditions: how it was spoken.
    """

    samples: np.ndarray
    words: tuple[str, ...]
    times: np.ndarray
    conditions: SpeechConditions


def espeak_available() -> bool:
    """Whether the ``espeak-ng`` program is on the PATH."""
    return shutil.which("espeak-ng") is not None


@lru_cache(maxsize=1024)
def spoken_word(word: str, voice: str, words_per_minute: int, pitch: int) -> np.ndarray:
    """``word`` synthesised alone, resampled to 16 kHz and trimmed to its audible samples.

    Args:
        word: the text to speak (espeak-ng reads digits and abbreviations its own way).
        voice: espeak-ng voice (``-v``).
        words_per_minute: speed (``-s``).
        pitch: pitch (``-p``).
    """
    import soundfile
    from scipy.signal import resample_poly

    if not espeak_available():
        raise RuntimeError("espeak-ng is not installed (Debian: apt-get install -y espeak-ng)")
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-p", str(pitch), "--stdout", word],
                         check=True, capture_output=True).stdout
    audio, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    audio = resample_poly(audio, SAMPLE_RATE, rate).astype(np.float32)
    audible = np.flatnonzero(np.abs(audio) >= AUDIBLE_FRACTION * np.abs(audio).max())
    return audio[audible[0]: audible[-1] + 1] if len(audible) else audio[:0]


def synthesise(words: tuple[str, ...], conditions: SpeechConditions) -> SpokenClip:
    """The words spoken one after another under ``conditions``, with their true times.

    Args:
        words: the words, each spoken by espeak-ng alone.
        conditions: voice, speed, pauses (one per gap between words), silences and noise.
    """
    if len(conditions.pauses) != max(len(words) - 1, 0):
        raise ValueError(f"{len(words)} words need {len(words) - 1} pauses, got {len(conditions.pauses)}")
    pieces = [np.zeros(round(conditions.lead_silence * SAMPLE_RATE), dtype=np.float32)]
    times, position = [], len(pieces[0])
    for index, word in enumerate(words):
        audio = spoken_word(word, conditions.voice, conditions.words_per_minute, conditions.pitch)
        times.append((position / SAMPLE_RATE, (position + len(audio)) / SAMPLE_RATE))
        pause = conditions.pauses[index] if index < len(conditions.pauses) else conditions.trail_silence
        pieces += [audio, np.zeros(round(pause * SAMPLE_RATE), dtype=np.float32)]
        position += len(audio) + len(pieces[-1])
    samples = np.concatenate(pieces)
    if conditions.snr_db is not None:
        speech_power = np.mean(np.concatenate(pieces[1::2]) ** 2)
        noise = np.random.default_rng(conditions.noise_seed).standard_normal(len(samples))
        samples = samples + np.sqrt(speech_power / 10 ** (conditions.snr_db / 10)) * noise.astype(np.float32)
    peak = np.abs(samples).max()
    samples = samples * (0.9 / peak) if peak > 0.9 else samples
    return SpokenClip(samples=samples.astype(np.float32), words=tuple(words), times=np.array(times).reshape(-1, 2),
                      conditions=conditions)


def random_conditions(n_words: int, rng: np.random.Generator) -> SpeechConditions:
    """Varied conditions for a clip of ``n_words`` words: voice and variant, speed 120-210 words per
    minute, pitch 30-70, mostly short pauses with some long ones, 0-2 s of trailing silence and, in
    two clips of three, white noise at 5-30 dB SNR.

    Args:
        n_words: words in the clip.
        rng: the source of every choice.
    """
    pauses = np.where(rng.random(n_words - 1) < 0.15, rng.uniform(0.25, 0.9, n_words - 1),
                      rng.uniform(0.0, 0.08, n_words - 1))
    return SpeechConditions(
        voice=str(rng.choice(ESPEAK_VOICES)) + str(rng.choice(ESPEAK_VARIANTS)),
        words_per_minute=int(rng.integers(120, 211)), pitch=int(rng.integers(30, 71)),
        pauses=tuple(round(float(p), 3) for p in pauses), lead_silence=round(float(rng.uniform(0.0, 0.6)), 3),
        trail_silence=round(float(rng.uniform(0.0, 2.0)), 3),
        snr_db=round(float(rng.uniform(5.0, 30.0)), 1) if rng.random() < 2 / 3 else None,
        noise_seed=int(rng.integers(0, 2**31)))
