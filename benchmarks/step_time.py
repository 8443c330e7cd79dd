"""Time one training step (forward + backward + AdamW) of msg-mba against the text-only model.

Batch 48 x 50 tokens on the default MiniLM encoder (or ``--encoder all-mpnet-base-v2``, the
12-layer, 768-wide offline encoder, once ``shiftmsa encoders install all-mpnet-base-v2`` has
run), with random 74-d acoustic and 47-d visual rows as in MOSI, 2 torch threads. Step times
come from one subprocess that alternates the two models step by step (so load from other
processes falls on both alike); peak memory comes from one fresh subprocess per model: the
process's peak resident set size (``resource.getrusage(...).ru_maxrss``, which covers torch's
native allocations, unlike tracemalloc), with the part the training steps add on top of the
built model also printed.

    .venv/bin/python benchmarks/step_time.py [--steps 10] [--warmup 2] [--encoder minilm] [--random-weights]

Ends with ``step_time_ratio=<x> peak_mem_ratio=<y>`` (msg-mba / text-only).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

BATCH_SIZE, LENGTH, ACOUSTIC_DIM, VISUAL_DIM = 48, 50, 74, 47
MODELS = {"text-only": ("text-only", None), "msg-mba": ("msg-mba", None)}  # label -> (model, preset)


def current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def random_batch(vocab_size: int, pad_id: int):
    """A BERT-style batch ([CLS] or <s> first, right padding with the encoder's pad id), lengths
    between 10 and 50 tokens."""
    import torch

    generator = torch.Generator().manual_seed(0)
    lengths = torch.randint(10, LENGTH + 1, (BATCH_SIZE,), generator=generator)
    lengths[0] = LENGTH
    attention_mask = (torch.arange(LENGTH)[None] < lengths[:, None]).long()
    real = attention_mask.unsqueeze(-1).float()
    inputs = {
        "input_ids": torch.randint(1000, vocab_size, (BATCH_SIZE, LENGTH), generator=generator).masked_fill(
            attention_mask == 0, pad_id),
        "attention_mask": attention_mask,
        "token_type_ids": torch.zeros(BATCH_SIZE, LENGTH, dtype=torch.long),
        "acoustic": torch.randn(BATCH_SIZE, LENGTH, ACOUSTIC_DIM, generator=generator) * real,
        "visual": torch.randn(BATCH_SIZE, LENGTH, VISUAL_DIM, generator=generator) * real,
        "cls_index": torch.zeros(BATCH_SIZE, dtype=torch.long),
    }
    return inputs, torch.randn(BATCH_SIZE, generator=generator).clamp(-3, 3)


def build(label: str, encoder: str, random_weights: bool):
    """The model, its AdamW optimizer and a fixed batch, seeded."""
    import torch

    from shiftmsa.models import build_model, make_config

    model_name, preset = MODELS[label]
    torch.manual_seed(0)
    config = make_config(model_name, preset, {"encoder": encoder}, acoustic_dim=ACOUSTIC_DIM, visual_dim=VISUAL_DIM)
    model = build_model(model_name, config, load_pretrained=not random_weights).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
    encoder_config = model.backbone.encoder.config
    return model, optimizer, random_batch(encoder_config.vocab_size, encoder_config.pad_token_id or 0)


def train_step(model, optimizer, batch) -> float:
    """One forward + backward + AdamW step; its wall-clock duration in seconds."""
    import torch

    from shiftmsa.models import TrainingStep

    inputs, labels = batch
    start = time.perf_counter()
    optimizer.zero_grad(set_to_none=True)
    output = model(**inputs)
    model.objective(output, labels, TrainingStep(torch.arange(len(labels)), 1)).backward()
    optimizer.step()
    return time.perf_counter() - start


def measure_memory(label: str, warmup: int, encoder: str, random_weights: bool) -> dict:
    """Worker: one model alone in this process; its peak RSS after ``warmup + 2`` steps."""
    setup = build(label, encoder, random_weights)
    rss_before_steps = current_rss_mib()
    for _ in range(warmup + 2):
        train_step(*setup)
    return {"peak_rss_mib": peak_rss_mib(), "steps_add_mib": peak_rss_mib() - rss_before_steps,
            "parameters": sum(p.numel() for p in setup[0].parameters())}


def measure_time(steps: int, warmup: int, encoder: str, random_weights: bool) -> dict:
    """Worker: both models in one process, steps alternated, so that load from other processes
    on the machine falls on both alike."""
    setups = {label: build(label, encoder, random_weights) for label in MODELS}
    durations: dict[str, list[float]] = {label: [] for label in MODELS}
    for step in range(warmup + steps):
        for label, setup in setups.items():
            duration = train_step(*setup)
            if step >= warmup:
                durations[label].append(duration)
    return durations


def run_worker(*worker_args: str) -> dict:
    command = [sys.executable, __file__, "--worker", *worker_args]
    completed = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--encoder", default="minilm", help="encoder name or folder (default: minilm)")
    parser.add_argument("--random-weights", action="store_true",
                        help="build the encoder from its config only (same cost, no weight files needed)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        import torch

        torch.set_num_threads(2)
        kind, *rest = args.worker
        model_args = (args.encoder, args.random_weights)
        result = (measure_time(args.steps, args.warmup, *model_args) if kind == "time"
                  else measure_memory(rest[0], args.warmup, *model_args))
        print(json.dumps(result))
        return
    load_before = os.getloadavg()[0]
    common = ["--steps", str(args.steps), "--warmup", str(args.warmup), "--encoder", args.encoder,
              *(["--random-weights"] if args.random_weights else [])]
    durations = run_worker("time", *common)
    memory = {label: run_worker("memory", label, *common) for label in MODELS}
    medians = {label: statistics.median(values) for label, values in durations.items()}
    for label in MODELS:
        values, used = durations[label], memory[label]
        print(f"{label:>9}: median step {medians[label] * 1000:.0f} ms over {len(values)} steps "
              f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f}); peak RSS "
              f"{used['peak_rss_mib']:.0f} MiB (training steps add {used['steps_add_mib']:.0f} MiB); "
              f"{used['parameters'] / 1e6:.2f} M parameters")
    print(f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after on {os.cpu_count()} cores "
          "(timings from a busy machine swing widely: rerun when it is quiet)")
    print(f"step_time_ratio={medians['msg-mba'] / medians['text-only']:.3f} "
          f"peak_mem_ratio={memory['msg-mba']['peak_rss_mib'] / memory['text-only']['peak_rss_mib']:.3f}")


if __name__ == "__main__":
    main()
