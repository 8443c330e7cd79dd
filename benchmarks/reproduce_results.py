"""Run the comparisons of docs/results.md: text-only vs mag vs msg-mba on each dataset.

    python benchmarks/reproduce_results.py --protocol mosi --data-root ../shared/data \
        --output runs/results --jobs 4

Each comparison is one `shiftmsa compare` process (resumable: run the same command again after an
interruption and finished runs are skipped). `--jobs` runs comparisons side by side, which pays on
a GPU that one small encoder cannot fill. Prints each comparison's table at the end.
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


def command(name: str, args: argparse.Namespace) -> list[str]:
    folder, options, seeds = COMPARISONS[name]
    data = folder if folder == "synthetic" else str(Path(args.data_root) / folder)
    cmd = [sys.executable, "-m", "shiftmsa", "compare", "--models", MODELS,
           "--reference", "text-only", "--protocol", args.protocol, "--data", data,
           "--seeds", seeds, "--output", str(Path(args.output) / name),
           "--set", "train.keep_checkpoint=false", "--set", f"train.num_threads={args.threads}"]
    for option in options:
        cmd += ["--data-option", option]
    if args.encoder:
        cmd += ["--set", f"model.params.encoder={args.encoder}"]
    for override in args.set:
        cmd += ["--set", override]
    return cmd


def run(name: str, args: argparse.Namespace) -> tuple[str, int, float]:
    log_path = Path(args.output) / f"{name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    with open(log_path, "a") as log:
        code = subprocess.call(command(name, args), stdout=log, stderr=subprocess.STDOUT)
    return name, code, time.time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--protocol", default="mosi", help="mosi (paper: 40 epochs) or cpu (short)")
    parser.add_argument("--data-root", default="../shared/data")
    parser.add_argument("--output", default="runs/results")
    parser.add_argument("--only", default=",".join(COMPARISONS), help="comma-separated comparison names")
    parser.add_argument("--encoder", help="encoder folder or hub name (default: the offline MiniLM)")
    parser.add_argument("--jobs", type=int, default=1, help="comparisons run side by side")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads per comparison")
    parser.add_argument("--set", action="append", default=[], help="extra config overrides")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(names) - set(COMPARISONS))
    if unknown:
        parser.error(f"unknown comparison(s) {unknown}; choose from {sorted(COMPARISONS)}")
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(pool.map(lambda name: run(name, args), names))
    failed = 0
    for name, code, seconds in outcomes:
        print(f"\n## {name}: exit {code}, {seconds / 60:.1f} min wall")
        table = Path(args.output) / name / "table.md"
        print(table.read_text() if table.exists() else f"(no table; see {args.output}/{name}.log)")
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
