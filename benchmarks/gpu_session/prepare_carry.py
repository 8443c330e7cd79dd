"""Fill ``.carry/`` for a lent GPU: the offline MiniLM encoder as a float16 safetensors copy (about
45 MB; loaded as float32 there) and copies of the shared data sets the plans read, all within the
64 MiB that travel with the working tree. Run from the repository root:

    PYTHONPATH=src python benchmarks/gpu_session/prepare_carry.py [--data ../shared/data] [--sets mosi]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from shiftmsa.text.encoders import resolve_encoder

CARRY = Path(".carry")
ENCODER_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")
WEIGHTS = "model.safetensors"
LIMIT_BYTES = 64 * 2**20


def copy_encoder(target: Path) -> None:
    """The default encoder's files, its floating weights stored as float16."""
    source = Path(resolve_encoder("minilm"))
    target.mkdir(parents=True, exist_ok=True)
    for name in ENCODER_FILES:
        shutil.copy2(source / name, target / name)
    weights = load_file(source / WEIGHTS)
    save_file({name: (t.to(torch.float16) if t.is_floating_point() else t).contiguous() for name, t in weights.items()},
              target / WEIGHTS, metadata={"format": "pt"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"), help="the shared data folder")
    parser.add_argument("--sets", default="mosi", help="comma-separated data sets to copy (default: mosi)")
    args = parser.parse_args()
    copy_encoder(CARRY / "minilm")
    for name in args.sets.split(","):
        shutil.copytree(args.data / name, CARRY / "data" / name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("media"))
    size = sum(path.stat().st_size for path in CARRY.rglob("*") if path.is_file())
    print(f"{CARRY}: {size / 2**20:.1f} MiB")
    if size > LIMIT_BYTES:
        raise SystemExit(f"{CARRY} holds {size / 2**20:.1f} MiB, more than the 64 MiB that travel")


if __name__ == "__main__":
    main()
