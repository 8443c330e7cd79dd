"""The optional openSMILE extractor: eGeMAPSv02 or ComParE_2016 low-level descriptors (10 ms hop).

openSMILE is free for research and education only (audEERING's licence), hence an extra:
``pip install 'shiftmsa[opensmile]'``.
"""

from __future__ import annotations

import numpy as np

from shiftmsa.features.extras import require
from shiftmsa.features.series import FrameSeries

FEATURE_SETS = ("eGeMAPSv02", "ComParE_2016")


class OpenSmileAcoustic:
    """openSMILE low-level descriptors of one of ``FEATURE_SETS`` per 10 ms frame.

    Args:
        feature_set: ``"eGeMAPSv02"`` (25 descriptors) or ``"ComParE_2016"`` (65 descriptors).
    """

    def __init__(self, feature_set: str = "eGeMAPSv02"):
        if feature_set not in FEATURE_SETS:
            raise ValueError(f"unknown openSMILE feature set {feature_set!r}; expected one of {FEATURE_SETS}")
        self._opensmile = require("opensmile", "opensmile")
        self.feature_set = feature_set
        self.name = f"opensmile-{feature_set}"
        self._smile = self._opensmile.Smile(feature_set=getattr(self._opensmile.FeatureSet, feature_set),
                                            feature_level=self._opensmile.FeatureLevel.LowLevelDescriptors)
        self.feature_names: tuple[str, ...] = tuple(self._smile.feature_names)

    @property
    def version(self) -> str:
        return self._opensmile.__version__

    def describe(self) -> dict:
        """Name, library version, settings and column names, as stored with the features."""
        return {"name": self.name, "version": self.version,
                "settings": {"feature_set": self.feature_set, "feature_level": "LowLevelDescriptors"},
                "feature_names": list(self.feature_names)}

    def __call__(self, samples: np.ndarray, sample_rate: int) -> FrameSeries:
        table = self._smile.process_signal(samples, sample_rate)
        starts = table.index.get_level_values("start").total_seconds().to_numpy()
        ends = table.index.get_level_values("end").total_seconds().to_numpy()
        values = np.nan_to_num(table.to_numpy(dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        return FrameSeries(values=values, times=(starts + ends) / 2, names=self.feature_names,
                           present=np.ones(len(values), dtype=bool))
