"""Figures that show what a trained model does (Section IV-G of the paper) and the numbers behind them.

- ``attention``: the encoder's self-attention at chosen layers, tokens on both axes (Fig. 6);
- ``p_att``: the Masked Bimodal Adjustment's p_att = p_t (.) p_m for t-a and t-v (Eq. 15, Fig. 8);
- ``shifts``: per word, the magnitude of the applied shift eta * ||h_s|| (Eq. 7-8) of each gate;
- ``tsne``: a 2-D t-SNE of M_t*, M_a*, M_v* at the position the prediction reads, coloured by
  label sign, for one checkpoint or side by side with a second (Fig. 7, with and without MSG).

The data of a figure is a ``FigureData`` (arrays and labels); ``drawing`` turns it into a
matplotlib figure (Agg, no display), ``writing`` saves both. Models do not know this package:
it reads ``RegressionOutput.extras`` and records attention through ``text.backbone``.
"""

from shiftmsa.explain.explanation import FIGURES, ExplainOptions, explain_model
from shiftmsa.explain.figure_data import FigureData, UnavailableFigure
from shiftmsa.explain.writing import write_figures

__all__ = ["FIGURES", "ExplainOptions", "explain_model", "FigureData", "UnavailableFigure", "write_figures"]
