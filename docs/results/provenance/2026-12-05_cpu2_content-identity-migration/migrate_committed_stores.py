"""One-off (2026-12-05, issue 25): give the committed stores under docs/results the content-digest run identity.

    PYTHONPATH=src python docs/results/provenance/2026-12-05_cpu2_content-identity-migration/migrate_committed_stores.py SHARED_DATA

SHARED_DATA is the folder that holds mosi/ and mosi_openface/ (on the 2-core machine
/work/shared/data, i.e. ../shared/data from /work/main). The stores' runs read it as
``../shared/data/...`` (from a checkout beside it) or as ``.carry/data/...`` (the lent H100 of
2026-11-27 held copies of the same folders there: provenance/2026-11-27_h100_gpu-session/gpu_session.sh),
so both prefixes are moved to SHARED_DATA. For each store, the configurations its runs had come
from its ``config.yaml`` and from its manifest's ``shiftmsa train`` / ``compare`` commands (as
tests/store/test_store_committed.py re-plans them); ``shiftmsa.store.migration`` rewrites every
record one of them reproduces, and adds this folder's README to the manifest's ``provenance`` of
each store it changed. What could not be matched is printed (migration.txt holds the output of
the run that made the commit). This file is a record of what ran, not a maintained script.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import yaml

from shiftmsa.cli import build_parser
from shiftmsa.cli.run import _config_from_args
from shiftmsa.config import RunConfig
from shiftmsa.experiments.manifest import MANIFEST_FILE
from shiftmsa.store.migration import migrate_store

RESULTS = Path(__file__).resolve().parents[2]
README = "provenance/2026-12-05_cpu2_content-identity-migration/README.md"


def manifest_path(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / MANIFEST_FILE).is_file():
            return candidate / MANIFEST_FILE
        if candidate == RESULTS:
            return None
    return None


def command_configs(manifest: Path | None) -> list[RunConfig]:
    commands = (yaml.safe_load(manifest.read_text()).get("commands") or []) if manifest else []
    configs = []
    for command in commands:
        argv = shlex.split(command)
        if argv[:1] == ["shiftmsa"] and argv[1] in ("train", "compare"):
            configs.append(_config_from_args(build_parser().parse_args(argv[1:])))
    return configs


def add_provenance(manifest: Path) -> None:
    """Append README to the manifest's ``provenance`` list (a block list, or a new one)."""
    text = manifest.read_text()
    if README in text:
        return
    block = re.search(r"^provenance:\n((?:  - .*\n)*)", text, flags=re.M)
    if block:
        text = text[:block.end()] + f"  - {README}\n" + text[block.end():]
    else:
        text = text.rstrip("\n") + f"\nprovenance:\n  - {README}\n"
    manifest.write_text(text)


def main(shared: str) -> int:
    data_at = {"../shared/data": shared, ".carry/data": shared}
    for results in sorted(RESULTS.rglob("results.jsonl")):
        folder = results.parent
        manifest = manifest_path(folder)
        report = migrate_store(folder, command_configs(manifest), data_at=data_at)
        if report.migrated and manifest is not None:
            add_provenance(manifest)
        print(f"{folder.relative_to(RESULTS)}: {report.migrated} migrated, {report.current} current, "
              f"{len(report.unmatched)} unmatched{': ' + '; '.join(report.unmatched) if report.unmatched else ''}"
              + (f"; data not found: {'; '.join(report.missing_data)}" if report.missing_data else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
