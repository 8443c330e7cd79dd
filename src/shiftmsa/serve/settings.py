"""What the service accepts and how much work it takes on at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServeSettings:
    """Limits and concurrency of the scoring service (each one a ``shiftmsa serve`` option).

    Args:
        workers: threads that do requests' work (reading uploads, feature extraction, scoring)
            beside the event loop. The model is loaded once and its calls take turns; each uses
            every core (torch's or ONNX Runtime's own threads), so more workers overlap a clip's
            feature extraction with other requests' scoring.
        queue: requests admitted beyond those the workers are on; one more gets 503 with
            Retry-After.
        max_body_mb: the largest request body, in MiB (uploads included); larger gets 413.
        max_clip_seconds: the longest clip accepted (its audio as decoded); longer gets 422.
        max_utterances: the most utterances one ``POST /predict`` may score; more gets 413.
    """

    workers: int = 2
    queue: int = 16
    max_body_mb: float = 25.0
    max_clip_seconds: float = 60.0
    max_utterances: int = 256

    def __post_init__(self) -> None:
        for name in ("workers", "max_utterances"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("queue", "max_body_mb", "max_clip_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1024 * 1024)
