"""Run a plan of `shiftmsa train` runs side by side, one process each, within a time budget.

    python benchmarks/run_plan.py benchmarks/plans/gpu_2026-11-27.txt --output /tmp/runs --jobs 16 \
        --start-deadline 330 --hard-deadline 450 --set model.params.encoder=.carry/minilm \
        --set train.accelerator=gpu

A plan file has one run per line, `<store> <shiftmsa train arguments>` (blank lines and `#`
comments are skipped); `<store>` names the experiment folder under --output, so runs of one
comparison share one append-safe results.jsonl. Lines run in the plan's order (put the most
important first) with at most --jobs at a time; no run starts after --start-deadline seconds and
every run still going at --hard-deadline is stopped (an unfinished run leaves no record, so every
store holds finished runs only). This is how a lent GPU's fixed minutes are spent: one small
encoder uses a sliver of an H100, so many runs share it. Exit status: 0 when every started run
succeeded, 1 otherwise (with --require-all, also when a run was skipped or stopped).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def plan_lines(path: Path) -> list[tuple[str, list[str]]]:
    runs = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            store, *arguments = shlex.split(line)
            runs.append((store, arguments))
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan", type=Path)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--start-deadline", type=float, default=float("inf"), help="seconds; no run starts later")
    parser.add_argument("--hard-deadline", type=float, default=float("inf"), help="seconds; running ones are stopped")
    parser.add_argument("--set", action="append", default=[], help="a --set passed to every run")
    parser.add_argument("--require-all", action="store_true", help="fail unless every run finished")
    args = parser.parse_args()
    started = time.monotonic()
    runs = plan_lines(args.plan)
    args.output.mkdir(parents=True, exist_ok=True)

    def run(index: int, store: str, arguments: list[str]) -> str:
        elapsed = time.monotonic() - started
        if elapsed > args.start_deadline:
            return "skipped (start deadline)"
        command = [sys.executable, "-m", "shiftmsa", "train", *arguments, "--output", str(args.output / store)]
        for override in args.set:
            command += ["--set", override]
        with open(args.output / f"{store}.log", "a") as log:
            log.write(f"\n### run {index}: {shlex.join(command)}\n")
            log.flush()
            try:
                code = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT,
                                      timeout=max(1.0, args.hard_deadline - elapsed)).returncode
            except subprocess.TimeoutExpired:
                return "stopped (hard deadline)"
        return "ok" if code == 0 else f"failed (exit {code})"

    with ThreadPoolExecutor(args.jobs) as pool:
        futures = [(i, store, arguments, pool.submit(run, i, store, arguments))
                   for i, (store, arguments) in enumerate(runs)]
        outcomes = []
        for index, store, arguments, future in futures:
            outcome = future.result()
            outcomes.append(outcome)
            print(f"[{time.monotonic() - started:6.0f} s] run {index} {store} {' '.join(arguments)}: {outcome}",
                  flush=True)
    failed = [o for o in outcomes if o.startswith("failed")]
    unfinished = [o for o in outcomes if o != "ok"]
    print(f"{outcomes.count('ok')} of {len(runs)} runs finished, {len(failed)} failed, "
          f"{len(unfinished) - len(failed)} skipped or stopped, {time.monotonic() - started:.0f} s")
    return 1 if failed or (args.require_all and unfinished) else 0


if __name__ == "__main__":
    sys.exit(main())
