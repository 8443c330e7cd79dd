"""One-off (2026-12-05, issue 22): give the committed stores under docs/results today's fingerprints.

    PYTHONPATH=src python docs/results/provenance/2026-12-05_cpu2_fingerprint-migration/migrate_committed_stores.py

For each store, the configurations its runs had come from its ``config.yaml`` (where the command
wrote one) and from its manifest's commands: ``shiftmsa`` commands are parsed by today's CLI,
``benchmarks/reproduce_results.py`` commands (a script deleted since) by the argument rules it had
(its ``comparison_config``: data root + comparison folder, reader options, encoder, threads,
``keep_checkpoint=false``, the protocol, ``--set``). ``shiftmsa.store.migration`` then rewrites
every record whose first-scheme fingerprint one of them reproduces; a store that had no
``config.yaml`` gets the one its records were made with (``# reconstructed`` on its first line),
so that the stores can be re-planned without this script. What could not be matched is printed.
This file is a record of what ran, not a maintained script.
"""

from __future__ import annotations

import argparse
import copy
import shlex
import sys
from pathlib import Path

import yaml

from shiftmsa.cli import build_parser
from shiftmsa.cli.run import _config_from_args
from shiftmsa.config import RunConfig, config_from_dict, load_config
from shiftmsa.experiments.manifest import MANIFEST_FILE
from shiftmsa.store.legacy_fingerprint import legacy_fingerprint_digest
from shiftmsa.store.migration import migrate_store, record_configs
from shiftmsa.store.records import ResultStore

RESULTS = Path(__file__).resolve().parents[2]
# benchmarks/reproduce_results.py's comparisons: name -> (folder under --data-root, reader options)
COMPARISONS = {"mosi_sdk_text_audio": ("mosi", ["split=sdk_fold", "features=[audio_opensmile]"]),
               "mosi_bclstm_text_audio": ("mosi", ["split=bclstm_split", "features=[audio_opensmile]"]),
               "mosi_bclstm_text_audio_video": ("mosi", ["split=bclstm_split",
                                                         "features=[audio_opensmile,video_3dcnn]"]),
               "mosi_openface_text_visual": ("mosi_openface", []), "synthetic": ("synthetic", [])}


def shiftmsa_config(argv: list[str]) -> RunConfig:
    return _config_from_args(build_parser().parse_args(argv))


def reproduce_results_configs(argv: list[str]) -> list[RunConfig]:
    parser = argparse.ArgumentParser()
    for flag, default in (("--protocol", "mosi"), ("--data-root", "../shared/data"), ("--output", "runs/results"),
                          ("--only", ",".join(COMPARISONS)), ("--encoder", None), ("--jobs", "1"),
                          ("--threads", "2"), ("--seeds", None)):
        parser.add_argument(flag, default=default)
    parser.add_argument("--set", action="append", default=[])
    args = parser.parse_args(argv)
    configs = []
    for name in args.only.split(","):
        folder, options = COMPARISONS[name]
        data = folder if folder == "synthetic" else str(Path(args.data_root) / folder)
        overrides = [f"data.path={data}", f"output_dir={Path(args.output) / name}", "train.keep_checkpoint=false",
                     f"train.num_threads={args.threads}", *(f"data.options.{option}" for option in options)]
        overrides += [f"model.params.encoder={args.encoder}"] if args.encoder else []
        configs.append(load_config(None, overrides + args.set, protocol=args.protocol))
    return configs


def command_configs(command: str) -> list[RunConfig]:
    argv = shlex.split(command)
    if argv[0] == "shiftmsa":
        return [shiftmsa_config(argv[1:])]
    if any(word.endswith("reproduce_results.py") for word in argv):
        script = next(i for i, word in enumerate(argv) if word.endswith("reproduce_results.py"))
        return reproduce_results_configs(argv[script + 1:])
    return []


def store_config(folder: Path) -> RunConfig | None:
    path = folder / "config.yaml"
    if not path.is_file():
        return None
    values = yaml.safe_load(path.read_text())
    values.pop("models", None)
    return config_from_dict(values)


def manifest_commands(folder: Path) -> list[str]:
    for candidate in (folder, *folder.parents):
        path = candidate / MANIFEST_FILE
        if path.is_file():
            return list(yaml.safe_load(path.read_text()).get("commands") or [])
        if candidate == RESULTS:
            break
    return []


def reconstructed_config(folder: Path, bases: list[RunConfig]) -> RunConfig | None:
    """The base that reproduces the most records of ``folder``, as their run configuration."""
    records = ResultStore(folder).records()
    scored = [(sum(legacy_fingerprint_digest(c) == r["fingerprint"] for c, r in zip(record_configs(records, b), records)),
               b) for b in bases]
    best = max(scored, key=lambda item: item[0], default=(0, None))
    return best[1] if best[0] else None


def main() -> int:
    for results in sorted(RESULTS.rglob("results.jsonl")):
        folder = results.parent
        existing = store_config(folder)
        bases = [config for command in manifest_commands(folder) for config in command_configs(command)]
        chosen = None if existing else reconstructed_config(folder, bases)
        report = migrate_store(folder, [c for c in (existing, *bases) if c is not None])
        if chosen is not None:
            base = copy.deepcopy(chosen)
            (folder / "config.yaml").write_text(
                "# reconstructed on 2026-12-05 from the manifest's command (issue 22's fingerprint migration)\n"
                + base.to_yaml())
        print(f"{folder.relative_to(RESULTS)}: {report.migrated} migrated, {report.current} current, "
              f"{len(report.unmatched)} unmatched{': ' + '; '.join(report.unmatched) if report.unmatched else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
