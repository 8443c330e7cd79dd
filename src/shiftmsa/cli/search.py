"""``shiftmsa search``: the paper's grid search on the validation split (Section IV-E), on Optuna.

``shiftmsa.api`` (and with it torch and Optuna) is imported inside the handler, so ``--help``
stays fast.
"""

from __future__ import annotations

import argparse

from shiftmsa.cli import CommandError
from shiftmsa.cli.config_help import field_default, option_help
from shiftmsa.cli.outputs import check_output_folder
from shiftmsa.cli.run import _add_config_options, _add_model_options, _config_from_args
from shiftmsa.config import ConfigError
from shiftmsa.experiments.search.options import PRUNERS, STUDY_FILE, SearchOptions  # cheap: no torch, no Optuna
from shiftmsa.experiments.search.space import shipped_spaces  # cheap: no torch, no Optuna


def _seeds(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of integers") from None


def _search(args: argparse.Namespace) -> int:
    if args.output is None:
        raise CommandError("give --output DIR: the study, its trials and the chosen configuration go there")
    if args.jobs < 1:
        raise CommandError(f"--jobs must be >= 1, got {args.jobs}")
    args.overrides = [f"model.name={args.model}", *([f"model.preset={args.preset}"] if args.preset else []),
                      *args.overrides]
    config = _config_from_args(args)
    check_output_folder(config.output_dir, "--output")
    try:
        from shiftmsa import api
        from shiftmsa.experiments.search.driver import SearchOptions
        from shiftmsa.experiments.search.space import load_space
    except ImportError as error:
        raise CommandError(f"{error}: install the search extra (pip install -e '.[search]')") from None
    options = SearchOptions(trials=args.trials, study=args.study, storage=args.storage, jobs=args.jobs,
                            final_seeds=args.final_seeds, final=args.final, pruner=args.pruner,
                            prune_from_epoch=args.prune_from_epoch, sampler_seed=args.sampler_seed)
    try:
        space = load_space(args.space, sampler=args.sampler)
        outcome = api.search(config, space, options, log=lambda m: print(m, flush=True))
    except (ConfigError, ValueError, FileNotFoundError, RuntimeError) as error:
        raise CommandError(str(error)) from None
    print(f"\nTrials ({config.output_dir}/trials.md, trials.csv):\n\n{outcome.trials_table}")
    if outcome.final_table is not None:
        print(f"\nChosen configuration: {config.output_dir}/best.yaml (shiftmsa train --config takes it)."
              f"\nIts test metrics over seeds {list(args.final_seeds)}, the only time the search "
              f"scores the test split ({config.output_dir}/final/table.md):\n\n{outcome.final_table}")
    return 0


def register(subparsers) -> None:
    search = subparsers.add_parser(
        "search", help="grid / TPE search on the validation split, then the chosen config's test metrics",
        description="Search hyper-parameters as Section IV-E does: every trial is a training run over "
                    "--seeds scored by its mean validation objective (the test split is withheld), "
                    "hopeless trials are pruned by epoch, and only at the end the best configuration "
                    "is written as best.yaml and trained over --final-seeds to report test metrics. "
                    "Rerun the same command to continue; run it on several machines with one "
                    "--storage postgresql://... and --study NAME to share the work (docs/search.md).")
    _add_model_options(search)
    search.add_argument("--space", required=True, metavar="YAML|NAME",
                        help=f"search space file, or a shipped one: {', '.join(shipped_spaces())}")
    search.add_argument("--sampler", choices=("grid", "tpe"), help="override the space's sampler")
    search.add_argument("--trials", type=int, help="trial budget (tpe: required; grid: its size, the default)")
    search.add_argument("--study", help="study name (default: the model label)")
    search.add_argument("--storage", metavar="URL",
                        help=f"Optuna storage (default: sqlite:///OUTPUT/{STUDY_FILE}); postgresql://user@host/db "
                             "for a study shared by machines")
    search.add_argument("--jobs", type=int, default=field_default(SearchOptions, "jobs"),
                        help=option_help((SearchOptions, "jobs"), "trial worker processes on this machine"))
    search.add_argument("--final-seeds", type=_seeds, default=field_default(SearchOptions, "final_seeds"),
                        metavar="LIST", help=option_help((SearchOptions, "final_seeds"), separator=","))
    search.add_argument("--no-final", dest="final", action="store_false",
                        help="only run trials (helper machines of a shared study)")
    search.add_argument("--pruner", choices=PRUNERS, default=field_default(SearchOptions, "pruner"),
                        help=option_help((SearchOptions, "pruner"), "prune trials whose validation objective "
                                                                    "trails the median, or none"))
    search.add_argument("--prune-from-epoch", type=int, default=field_default(SearchOptions, "prune_from_epoch"),
                        metavar="E", help=option_help((SearchOptions, "prune_from_epoch"),
                                                      "no pruning before this epoch of a trial's first seed"))
    search.add_argument("--sampler-seed", type=int, default=field_default(SearchOptions, "sampler_seed"),
                        help=option_help((SearchOptions, "sampler_seed")))
    _add_config_options(search)
    search.set_defaults(handler=_search)
