"""Run the comparisons of docs/results.md: text-only vs mag vs msg-mba on each dataset.

    python benchmarks/reproduce_results.py --protocol mosi --data-root ../shared/data \
        --output runs/results --jobs 4

A thin caller of ``shiftmsa.experiments``: each comparison is Table I's rows (the three models)
on one dataset, trained by the package's runner (``--jobs`` runs side by side, one process each;
resumable: finished runs are skipped) into ``<output>/<comparison>/``, then tabulated with paired
t-tests against text-only. ``shiftmsa reproduce table1`` does the same for one dataset with the
paper's numbers beside. ``video_3dcnn`` is no longer read (label leak, see README), so the bc-LSTM
comparison is text + audio.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shiftmsa.config import load_config
from shiftmsa.data.reading import load_corpus
from shiftmsa.experiments.experiment import compare_records, write_table
from shiftmsa.experiments.runner import plan_jobs, run_jobs
from shiftmsa.experiments.specs import Row
from shiftmsa.store.records import ResultStore

ROWS = tuple(Row(name, name, model=name) for name in ("text-only", "mag", "msg-mba"))

# name -> (data folder under --data-root or "synthetic", reader options, seeds)
COMPARISONS: dict[str, tuple[str, list[str], str]] = {
    "mosi_sdk_text_audio": ("mosi", ["split=sdk_fold", "features=[audio_opensmile]"], "0,1,2,3,4"),
    "mosi_bclstm_text_audio": ("mosi", ["split=bclstm_split", "features=[audio_opensmile]"], "0,1,2"),
    "mosi_openface_text_visual": ("mosi_openface", [], "0,1,2"),
    "synthetic": ("synthetic", [], "0,1,2"),
}


def comparison_config(name: str, args: argparse.Namespace):
    folder, options, seeds = COMPARISONS[name]
    data = folder if folder == "synthetic" else str(Path(args.data_root) / folder)
    overrides = [f"data.path={data}", f"train.seeds=[{args.seeds or seeds}]", f"output_dir={Path(args.output) / name}",
                 "train.keep_checkpoint=false", f"train.num_threads={args.threads}"]
    overrides += [f"data.options.{option}" for option in options]
    overrides += [f"model.params.encoder={args.encoder}"] if args.encoder else []
    return load_config(None, overrides + args.set, protocol=args.protocol)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--protocol", default="mosi", help="mosi (paper: 40 epochs) or cpu (short)")
    parser.add_argument("--data-root", default="../shared/data")
    parser.add_argument("--output", default="runs/results")
    parser.add_argument("--only", default=",".join(COMPARISONS), help="comma-separated comparison names")
    parser.add_argument("--encoder", help="encoder folder or hub name (default: the offline MiniLM)")
    parser.add_argument("--jobs", type=int, default=1, help="(model, seed) runs side by side")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads per run")
    parser.add_argument("--set", action="append", default=[], help="extra config overrides")
    parser.add_argument("--seeds", help="comma-separated seeds for every comparison (default: its own)")
    parser.add_argument("--tabulate-only", action="store_true",
                        help="train nothing: write the tables of the runs already in the stores")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(names) - set(COMPARISONS))
    if unknown:
        parser.error(f"unknown comparison(s) {unknown}; choose from {sorted(COMPARISONS)}")
    for name in names:
        config = comparison_config(name, args)
        if not args.tabulate_only:
            corpus = load_corpus(config) if args.jobs == 1 else None
            run_jobs(plan_jobs(config, ROWS), Path(config.output_dir), corpus, parallel=args.jobs)
        print(f"\n## {name}\n")
        print(tabulate(Path(config.output_dir)))
    return 0


def tabulate(folder: Path) -> str:
    """The comparison table of the runs in ``folder``'s result store (trains nothing)."""
    records = ResultStore(folder).records()
    if not records:
        return f"(no finished run in {folder})"
    reference = "text-only" if any(r["model"] == "text-only" for r in records) else None
    return write_table(folder, compare_records(records, reference), reference)


if __name__ == "__main__":
    sys.exit(main())
