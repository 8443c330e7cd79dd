"""shiftmsa: multimodal sentiment analysis with Multimodal Shifting Gates and Masked Bimodal
Adjustment (Lin & Hu, "Dynamically Shifting Multimodal Representations via Hybrid-Modal
Attention for Multimodal Sentiment Analysis", IEEE TMM 2023)."""

__version__ = "0.1.0"
