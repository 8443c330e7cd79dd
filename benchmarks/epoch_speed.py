"""One training epoch of shiftmsa against a plain Hugging Face fine-tune of the same encoder
(benchmarks/plain_finetune.py: torch + transformers only, batch 48, lr 5e-5, text only, same
utterances), whole processes, wall time and peak RSS (``os.wait4``'s ``ru_maxrss`` of each
child), paired: each round runs every variant once, in a rotated order, so load from other
processes falls on all alike. Issue 21's targets: msg-mba <= 0.8x the plain fine-tune's time and
<= 1.1x its peak memory.

    PYTHONPATH=src .venv/bin/python benchmarks/epoch_speed.py [--rounds 2] [--base-src DIR]
        [--data /work/shared/data/mosi] [--mosei /work/shared/data/mosei]

Variants: ``shiftmsa train`` with msg-mba (SDK folds + openSMILE, cpu protocol, 1 epoch, seed
0, batch 48) with ``train.length_buckets`` off and on, text-only with it on, the plain
fine-tune, and, with ``--base-src DIR`` (a ``src`` folder of an older commit, e.g. from ``git
archive``), msg-mba at that commit. ``--mosei`` adds one text-only MOSEI epoch (mosei data, cpu
protocol) with and without length buckets, unpaired. Prints the load average before and after
and one line per variant with median wall and peak RSS, and ratios to the plain fine-tune.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def timed(command: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(command)}\n{process.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def shiftmsa(model: str, data: str, options: list[str], folder: str, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "shiftmsa", "train", "--model", model, "--data", data, "--protocol", "cpu",
               "--epochs", "1", "--seeds", "0", "--output", folder, "--set", "train.batch_size=48"]
    for option in options:
        command += ["--data-option", option]
    for setting in extra:
        command += ["--set", setting]
    return command


def write_plain_data(data: str, options: list[str], path: Path) -> str:
    """The corpus as shiftmsa reads it, as text and label rows; returns the encoder's folder."""
    sys.path.insert(0, str(SRC))
    from shiftmsa.config import load_config
    from shiftmsa.data.reading import load_corpus
    from shiftmsa.defaults import DEFAULT_ENCODER
    from shiftmsa.text.encoders import resolve_encoder

    config = load_config(None, [f"data.path={data}"] + [f"data.options.{o}" for o in options])
    corpus = load_corpus(config)
    path.write_text(json.dumps({split: [[" ".join(u.words), float(u.label)] for u in corpus.splits[split]]
                                for split in ("train", "valid", "test")}))
    return resolve_encoder(DEFAULT_ENCODER)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data", default="/work/shared/data/mosi")
    parser.add_argument("--base-src", help="src folder of an older commit: msg-mba there as one more variant")
    parser.add_argument("--mosei", help="MOSEI folder: one text-only epoch with and without buckets")
    parser.add_argument("--variants", help="comma-separated subset of the variants (plain always runs)")
    parser.add_argument("--threads", type=int, default=0,
                        help="OMP_NUM_THREADS for every process (0: torch's default); on a shared machine 1 "
                             "avoids oversubscribed spinning threads")
    args = parser.parse_args()
    options = ["split=sdk_fold", "features=[audio_opensmile]"]
    env = {**os.environ, "PYTHONPATH": str(SRC), "TOKENIZERS_PARALLELISM": "false"}
    if args.threads:
        env["OMP_NUM_THREADS"] = str(args.threads)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        encoder = write_plain_data(args.data, options, scratch / "data.json")
        plain = [sys.executable, str(HERE / "plain_finetune.py"), str(scratch / "data.json"), encoder]
        variants = {
            "plain": (plain, env),
            "msg-mba": (shiftmsa("msg-mba", args.data, options, str(scratch / "a")), env),
            "msg-mba+buckets": (shiftmsa("msg-mba", args.data, options, str(scratch / "b"),
                                         "train.length_buckets=true"), env),
            "text-only+buckets": (shiftmsa("text-only", args.data, options, str(scratch / "c"),
                                           "train.length_buckets=true"), env),
        }
        if args.base_src:
            variants["msg-mba@base"] = (shiftmsa("msg-mba", args.data, options, str(scratch / "d")),
                                        {**env, "PYTHONPATH": str(Path(args.base_src).resolve())})
        if args.variants:
            keep = {"plain", *args.variants.split(",")}
            variants = {name: value for name, value in variants.items() if name in keep}
        print(f"load average before: {load()}", flush=True)
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        names = list(variants)
        for round_number in range(args.rounds):
            turn = names[round_number % len(names):] + names[:round_number % len(names)]
            for name in turn:
                command, variant_env = variants[name]
                folder = command[command.index("--output") + 1] if "--output" in command else None
                if folder:
                    subprocess.run(["rm", "-rf", folder], check=True)
                results[name].append(timed(command, variant_env))
                print(f"round {round_number} {name}: wall {results[name][-1][0]:.1f} s, "
                      f"peak {results[name][-1][1]:.0f} MiB (load {load()})", flush=True)
        print(f"load average after: {load()}")
        plain_wall = [w for w, _ in results["plain"]]
        plain_rss = [m for _, m in results["plain"]]
        for name in names:
            walls = [w for w, _ in results[name]]
            rss = [m for _, m in results[name]]
            time_ratio = statistics.median(w / p for w, p in zip(walls, plain_wall))
            rss_ratio = statistics.median(m / p for m, p in zip(rss, plain_rss))
            print(f"{name}: wall {statistics.median(walls):.1f} s, peak {statistics.median(rss):.0f} MiB, "
                  f"time_ratio={time_ratio:.2f} peak_mem_ratio={rss_ratio:.2f} (paired, median of {len(walls)})")
        if args.mosei:
            for extra in ([], ["train.length_buckets=true"]):
                wall, rss = timed(shiftmsa("text-only", args.mosei, [], str(scratch / "m"), *extra), env)
                subprocess.run(["rm", "-rf", str(scratch / "m")], check=True)
                print(f"mosei text-only {' '.join(extra) or 'default'}: wall {wall:.1f} s, peak {rss:.0f} MiB "
                      f"(load {load()})", flush=True)


if __name__ == "__main__":
    main()
