"""The layout of an ONNX Runtime bundle, written by ``export`` and read by ``runtime``.

    DIR/
      model.onnx          the whole model: inputs (B, L) token arrays and (B, L, d) streams,
                          outputs ``prediction`` (B,) and, for a model that shifts text inside
                          its encoder, ``text_shift`` (B, L): |eta * h_s| per word piece (Eq. 7)
      tokenizer.json      the encoder's tokenizer (``tokenizers``)
      standardization.json  train-split mean and std per non-text stream (only when the run
                          standardised its features)
      shiftmsa-bundle.json  the manifest: kind, format, model, the alignment template, the data
                          it was trained on, the export check, and the SHA-256 of every file above
"""

from __future__ import annotations

MANIFEST = "shiftmsa-bundle.json"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
STANDARDIZATION_FILE = "standardization.json"
BUNDLE_KIND = "shiftmsa-onnx-bundle"
BUNDLE_FORMAT = 1
QUANTIZATIONS = ("none", "int8", "fp16")
# metadata_props of model.onnx, so that a graph copied into another bundle is recognised
MODEL_NAME_PROPERTY = "shiftmsa.model"
PREDICTION, TEXT_SHIFT = "prediction", "text_shift"
