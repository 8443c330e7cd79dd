"""shiftmsa.deploy: a trained model as an ONNX Runtime bundle, and scoring with it.

``export`` (torch) writes the bundle from a checkpoint; ``runtime`` (numpy, ``tokenizers``,
``onnxruntime``; never torch nor transformers) reads and scores it. ``bundle`` holds the layout
both agree on. Nothing is imported here, so that importing the runtime stays light.
"""
