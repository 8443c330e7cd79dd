"""Run the comparisons of docs/results.md: text-only vs mag vs msg-mba on each dataset.

    python benchmarks/reproduce_results.py --protocol mosi --data-root ../shared/data \
        --output runs/results --jobs 4

Each (comparison, model, seed) run is one `shiftmsa train` process writing to the comparison's
append-safe result store; `--jobs` runs them side by side, which pays on a GPU that one small
encoder cannot fill. The tables (paired t-tests against text-only) are then made from the stores. Resumable: run the same command again after an
interruption and finished runs are skipped. Prints each comparison's table at the end.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MODELS = "text-only,mag,msg-mba"

# name -> (data folder under --data-root or "synthetic", reader options, seeds)
COMPARISONS: dict[str, tuple[str, list[str], str]] = {
    "mosi_sdk_text_audio": ("mosi", ["split=sdk_fold", "features=[audio_opensmile]"], "0,1,2,3,4"),
    "mosi_bclstm_text_audio_video": ("mosi", ["split=bclstm_split",
                                              "features=[audio_opensmile,video_3dcnn]"], "0,1,2"),
    "mosi_openface_text_visual": ("mosi_openface", [], "0,1,2"),
    "synthetic": ("synthetic", [], "0,1,2"),
}


def command(name: str, model: str, seeds: str, args: argparse.Namespace) -> list[str]:
    folder, options, _ = COMPARISONS[name]
    data = folder if folder == "synthetic" else str(Path(args.data_root) / folder)
    cmd = [sys.executable, "-m", "shiftmsa", "train", "--model", model, "--protocol", args.protocol, "--data", data,
           "--seeds", seeds, "--output", str(Path(args.output) / name),
           "--set", "train.keep_checkpoint=false", "--set", f"train.num_threads={args.threads}"]
    for option in options:
        cmd += ["--data-option", option]
    if args.encoder:
        cmd += ["--set", f"model.params.encoder={args.encoder}"]
    for override in args.set:
        cmd += ["--set", override]
    return cmd


def run(name: str, model: str, seeds: str, args: argparse.Namespace) -> tuple[str, int, float]:
    log_path = Path(args.output) / f"{name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    with open(log_path, "a") as log:
        code = subprocess.call(command(name, model, seeds, args), stdout=log, stderr=subprocess.STDOUT)
    return name, code, time.time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--protocol", default="mosi", help="mosi (paper: 40 epochs) or cpu (short)")
    parser.add_argument("--data-root", default="../shared/data")
    parser.add_argument("--output", default="runs/results")
    parser.add_argument("--only", default=",".join(COMPARISONS), help="comma-separated comparison names")
    parser.add_argument("--encoder", help="encoder folder or hub name (default: the offline MiniLM)")
    parser.add_argument("--jobs", type=int, default=1, help="(comparison, model, seed) runs side by side")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads per comparison")
    parser.add_argument("--set", action="append", default=[], help="extra config overrides")
    parser.add_argument("--seeds", help="comma-separated seeds for every comparison (default: its own)")
    parser.add_argument("--tabulate-only", action="store_true",
                        help="train nothing: write the tables of the runs already in the stores")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(names) - set(COMPARISONS))
    if unknown:
        parser.error(f"unknown comparison(s) {unknown}; choose from {sorted(COMPARISONS)}")
    if not args.tabulate_only:
        jobs = [(name, model, seed) for name in names for model in MODELS.split(",")
                for seed in (args.seeds or COMPARISONS[name][2]).split(",")]
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            list(pool.map(lambda job: run(*job, args), jobs))
    for name in names:
        print(f"\n## {name}\n")
        print(tabulate(Path(args.output) / name))
    return 0


def tabulate(folder: Path) -> str:
    """The comparison table of the runs in ``folder``'s result store (trains nothing)."""
    from shiftmsa.training.experiment import compare_records, write_table
    from shiftmsa.training.results import ResultStore

    records = ResultStore(folder).records()
    if not records:
        return f"(no finished run in {folder})"
    reference = "text-only" if any(r["model"] == "text-only" for r in records) else None
    return write_table(folder, compare_records(records, reference), reference)


if __name__ == "__main__":
    sys.exit(main())
