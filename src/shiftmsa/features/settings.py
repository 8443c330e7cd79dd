"""What to extract from a clip, recorded with the features so they can be reproduced."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ACOUSTIC_EXTRACTORS = ("librosa", "opensmile-eGeMAPSv02", "opensmile-ComParE_2016")


@dataclass(frozen=True)
class ExtractionSettings:
    """Choices of ``extract_clip``.

    Args:
        acoustic: one of ``ACOUSTIC_EXTRACTORS``; the openSMILE ones need the ``opensmile`` extra.
        visual: extract visual features when the clip has a video stream (needs the ``face`` extra).
        video_fps: analyse at most this many video frames per second (None: every frame).
    """

    acoustic: str = "librosa"
    visual: bool = True
    video_fps: float | None = None

    def __post_init__(self) -> None:
        if self.acoustic not in ACOUSTIC_EXTRACTORS:
            raise ValueError(f"unknown acoustic extractor {self.acoustic!r}; expected one of {ACOUSTIC_EXTRACTORS}")
        if self.video_fps is not None and self.video_fps <= 0:
            raise ValueError(f"video_fps must be positive, got {self.video_fps}")

    def to_dict(self) -> dict:
        return asdict(self)


def build_acoustic_extractor(settings: ExtractionSettings):
    """The acoustic extractor named by ``settings.acoustic``."""
    if settings.acoustic == "librosa":
        from shiftmsa.features.acoustic import LibrosaAcoustic

        return LibrosaAcoustic()
    from shiftmsa.features.opensmile_acoustic import OpenSmileAcoustic

    return OpenSmileAcoustic(settings.acoustic.removeprefix("opensmile-"))
