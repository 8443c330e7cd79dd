"""``shiftmsa reproduce TARGET``: a table or training figure of the paper, ours beside its numbers.

``shiftmsa.api`` (and with it torch) is imported inside the handler, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse

from shiftmsa.cli import CommandError
from shiftmsa.cli.outputs import check_output_folder
from shiftmsa.cli.run import _add_config_options, _config_from_args

DEFAULT_OUTPUT = "runs/reproduce"
TARGET_NAMES = ("table1", "table3", "table4", "table5", "table6", "fig5", "fig9", "all")


def _reproduce(args: argparse.Namespace) -> int:
    from shiftmsa import api

    config = _config_from_args(args)
    if args.output is None:
        config.output_dir = DEFAULT_OUTPUT
    if args.jobs < 1:
        raise CommandError("--jobs must be >= 1")
    check_output_folder(config.output_dir, "--output")
    try:
        result = api.reproduce(args.target, config, parallel=args.jobs, log=lambda m: print(m, flush=True))
    except (ValueError, FileNotFoundError) as error:
        raise CommandError(str(error)) from None
    for name, table in result.tables.items():
        print(f"\n{table}\n\n({config.output_dir}/{name}/)")
    for name, reason in result.skipped_targets.items():
        print(f"\n{name}: skipped ({reason})")
    if result.failed_runs:
        raise CommandError(f"{len(result.failed_runs)} run(s) failed ({', '.join(result.failed_runs)}); "
                           f"their logs are in {config.output_dir}/logs; run the command again to retry them")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "reproduce", help="a table or training figure of the paper, the paper's numbers beside ours",
        description="Train every row of a table of the paper (a preset of a registered model) over the "
                    "seeds, resumably (finished runs are skipped), then write <output>/<target>/table.md "
                    "and table.csv (ours: mean ± std, per-seed values, paired t-test against the table's "
                    "reference row; the paper's values beside) and, for fig5 / fig9, a PNG. Rows that "
                    "need a stream the data lacks are skipped with the reason. See docs/reproduction.md.")
    parser.add_argument("target", choices=TARGET_NAMES,
                        help="table1 (every registered model), table3 (components), table4 (modalities), "
                             "table5 (components on XLNet), table6 (RNN variants), fig5 (MSG-T layer), "
                             "fig9 (F1 per epoch with / without the Shifting HuberLoss), all")
    parser.add_argument("--jobs", type=int, default=1,
                        help="runs side by side, one process each; 1 runs them one after another "
                             "(default: %(default)s)")
    _add_config_options(parser, output_default=DEFAULT_OUTPUT)
    parser.set_defaults(handler=_reproduce)
