"""The default config of every model as the first fingerprinted release (85d8207) built it.

A run's fingerprint holds the model defaults that differ from these (``training.fingerprint``):
changing a default changes the fingerprint of the runs that use it, while runs stored before
the change keep theirs. A field added to a model later must be listed here with the value that
reproduces the first release's behaviour (a test checks that every field is): at that value it
changes no fingerprint, and a default that behaves differently gives new fingerprints.
"""

MODEL_DEFAULTS_V1: dict[str, dict] = {
    "mag": {
        "acoustic_dim": None,
        "beta_shift": 1.0,
        "encoder": "minilm",
        "head_dropout": 0.1,
        "modalities": ["text", "acoustic", "visual"],
        "partner_bias": False,
        "pretrained_pooler": False,
        "shift_dropout": 0.5,
        "shift_layer": None,
        "visual_dim": None,
    },
    "msg-mba": {
        "acoustic_dim": None,
        "acoustic_hidden": 32,
        "encoder": "minilm",
        "fusion_dim": None,
        "gate": "scalar",
        "gate_bias_init": 1.0,
        "head_dropout": 0.1,
        "huber_acoustic_weight": 0.1,
        "huber_delta": 1.0,
        "huber_text_weight": 0.1,
        "huber_visual_weight": 0.1,
        "layer_norm_after_shift": False,
        "learnable_threshold": True,
        "max_length": 50,
        "mba": True,
        "mba_dim": 40,
        "mba_other_kernel": 1,
        "mba_text_kernel": 1,
        "modalities": ["text", "acoustic", "visual"],
        "msg_acoustic": True,
        "msg_text": True,
        "msg_visual": True,
        "pooling": "cls",
        "rnn": "blstm",
        "rnn_summary": "per_step",
        "shift_dropout": 0.1,
        "shift_layer": 2,
        "shift_threshold": 1.0,
        "shifting_huber": True,
        "start_from_text": False,
        "visual_dim": None,
        "visual_hidden": 32,
    },
    "text-only": {
        "encoder": "minilm",
        "head_dropout": 0.1,
        "max_length": 50,
        "modalities": ["text"],
    },
}
