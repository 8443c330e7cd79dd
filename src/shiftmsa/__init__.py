"""shiftmsa: multimodal sentiment analysis with Multimodal Shifting Gates and Masked Bimodal
Adjustment (Lin & Hu, "Dynamically Shifting Multimodal Representations via Hybrid-Modal
Attention for Multimodal Sentiment Analysis", IEEE TMM 2023)."""

__version__ = "0.1.0"

import sys as _sys

from shiftmsa.moved import MovedModuleFinder as _MovedModuleFinder

if not any(isinstance(finder, _MovedModuleFinder) for finder in _sys.meta_path):
    _sys.meta_path.append(_MovedModuleFinder())
