"""``shiftmsa plan PLAN.txt --output DIR``: the runs of a plan file (``shiftmsa train`` arguments,
one run per line) through the runner, side by side, within a time budget (``DESCRIPTION``).

``shiftmsa.experiments`` (and with it torch) is imported inside the handler, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from shiftmsa.cli import CommandError, build_parser
from shiftmsa.cli.outputs import check_output_folder
from shiftmsa.cli.run import _config_from_args
from shiftmsa.config import ModelConfig
from shiftmsa.data.readers.text_files import read_utf8

DESCRIPTION = """Train the runs of a plan file: one run per line, `<store> <shiftmsa train arguments>`
(`#` comments and blank lines skipped), `<store>` naming the experiment folder under --output. Runs
go in the plan's order, --jobs at a time (one worker process each; 1: one after another in this
process); finished runs are skipped, an interrupted one resumes. No run starts after
--start-deadline seconds and every run still going at --hard-deadline is stopped (an unfinished run
leaves no record, so every store holds finished runs only): how a lent GPU's fixed minutes are
spent, many small runs sharing it. Exit status 0 when every started run finished, 1 otherwise
(with --require-all, also when a run did not start or was stopped), 2 for a bad plan."""


def plan_lines(path: Path) -> list[tuple[int, str, list[str]]]:
    """The runs of a plan file: (line number, store, ``shiftmsa train`` arguments)."""
    lines = []
    for number, line in enumerate(read_utf8(path).splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            store, *arguments = shlex.split(line)
            lines.append((number, store, arguments))
    return lines


def _line_runs(plan: Path, number: int, store: str, arguments: list[str], output: Path, sets: list[str]):
    """The planned runs of one plan line, into ``output/store``; later ``--set`` values win."""
    from shiftmsa.experiments.runner import plan_runs

    try:
        args = build_parser().parse_args(["train", *arguments])
    except SystemExit:
        raise CommandError(f"{plan}:{number}: not `shiftmsa train` arguments (see the message above)") from None
    args.output = str(output / store)
    args.overrides += sets
    try:
        return plan_runs(_config_from_args(args), [ModelConfig(args.model, args.preset)])
    except (CommandError, ValueError) as error:
        raise CommandError(f"{plan}:{number}: {error}") from None


def _plan(args: argparse.Namespace) -> int:
    from shiftmsa.experiments.runner import FAILED, FINISHED_EARLIER, NOT_STARTED, STOPPED, TRAINED, run_planned

    if args.jobs < 1:
        raise CommandError("--jobs must be >= 1")
    if not args.plan.is_file():
        raise CommandError(f"no plan file {args.plan}")
    check_output_folder(args.output, "--output")
    runs = {}
    for number, store, arguments in plan_lines(args.plan):
        for run in _line_runs(args.plan, number, store, arguments, args.output, args.set):
            runs.setdefault((run.folder, run.key), run)
    results = run_planned(list(runs.values()), jobs=args.jobs, start_deadline=args.start_deadline,
                          hard_deadline=args.hard_deadline, log=lambda m: print(m, flush=True))
    counts = {status: sum(r.status == status for r in results)
              for status in (TRAINED, FINISHED_EARLIER, FAILED, NOT_STARTED, STOPPED)}
    print(f"{len(results)} run(s): " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    unfinished = counts[FAILED] + (counts[NOT_STARTED] + counts[STOPPED] if args.require_all else 0)
    return 1 if unfinished else 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("plan", help="train the runs of a plan file side by side, within a time budget",
                                   description=DESCRIPTION)
    parser.add_argument("plan", type=Path, help="the plan file")
    parser.add_argument("--output", type=Path, required=True, metavar="DIR", help="the folder of the stores")
    parser.add_argument("--jobs", type=int, default=1, help="runs side by side, one process each (default 1)")
    parser.add_argument("--start-deadline", type=float, metavar="S", help="seconds; no run starts later")
    parser.add_argument("--hard-deadline", type=float, metavar="S", help="seconds; runs still going are stopped")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a config value for every run (repeatable; wins over the plan's)")
    parser.add_argument("--require-all", action="store_true",
                        help="exit 1 also when a run did not start or was stopped")
    parser.set_defaults(handler=_plan)
