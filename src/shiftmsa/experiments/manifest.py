"""A result store's ``manifest.yaml``: when, where, at which commit and by which command a store
under docs/results was measured, what it measured and whether it still counts.

``load_manifest`` reads one file and checks every field, naming the file and the field in its
error; references to other folders (``superseded_by``, ``reference``, ``copied_from``) are
checked by the report, which sees every store. docs/results/README.md describes the fields.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MANIFEST_FILE = "manifest.yaml"

MACHINES = {
    "cpu2": "the project's 2-core development machine, no GPU",
    "h100": "one lent NVIDIA H100 80GB GPU with 16 CPU cores",
}
PROTOCOLS = {
    "paper": "the paper's protocol (Section IV-E, `--protocol mosi`: 40 epochs, batch 48, lr 2e-5 "
             "for every parameter)",
    "paper-short": "the paper's protocol shortened to a plain fine-tune's schedule (6 epochs, lr 5e-5)",
    "cpu": "the short `cpu` protocol (6 epochs, batch 32, lr 2e-5 for the encoder and 1e-3 for "
           "every other parameter)",
    "cpu-search": "the `cpu` protocol with the encoder's lr and the epochs chosen by `shiftmsa search` "
                  "over the `schedule` grid on the validation split",
    "demo": "the `make demo` protocol (the `cpu` protocol with 3 epochs)",
}
DATA = {
    "mosi-sdk": "CMU-MOSI, SDK folds (1284 / 229 / 686), text + openSMILE audio (one vector per "
                "utterance, repeated on every word)",
    "mosi-openface": "MOSI OpenFace subset (444 / 59 / 324, 36 videos, ASR words), text + word-level "
                     "OpenFace",
    "mosi-bclstm-3dcnn": "CMU-MOSI, bc-LSTM split (1204 / 243 / 752), text + openSMILE + 3D-CNN video",
    "synthetic": "the embedded synthetic dataset (3,000 utterances, seed 0), word-aligned cues",
}
ROLES = ("result", "selection")
TEST_SPLIT = ("scored", "withheld")

REQUIRED = ("date", "machine", "protocol", "data", "encoder", "measured", "valid")
OPTIONAL = ("environment", "commit", "commit_unknown", "commands", "command_unknown", "written_to", "variant",
            "role", "test_split", "invalid_reason", "superseded_by", "reference", "paper_rows",
            "copied_from", "provenance", "figures", "notes", "not_rerunnable")


class ManifestError(ValueError):
    """A manifest that is missing, unreadable or has a wrong field; the message names both."""


@dataclass(frozen=True)
class Comparison:
    """Paired t-tests of ``candidates`` against ``model`` of ``store`` (None: the same store),
    over the seeds both have; no candidates: every model of the store (but ``model`` itself when
    it is of the same store)."""

    model: str
    store: str | None = None
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Manifest:
    """One store's manifest, checked; ``folder`` is the store's path under the results folder."""

    folder: str
    date: str
    machine: str
    protocol: str
    data_name: str
    data_path: str
    data_options: dict[str, Any]
    encoder: str
    measured: str
    valid: bool
    commits: tuple[str, ...] = ()
    commit_unknown: str = ""
    commands: tuple[str, ...] = ()
    command_unknown: str = ""
    environment: str = ""
    written_to: str = ""
    variant: str = ""
    role: str = "result"
    test_split: str = "scored"
    invalid_reason: str = ""
    superseded_by: dict[str, str] | str = ""
    comparisons: tuple[Comparison, ...] = ()
    paper_rows: dict[str, str] | None = None
    copied_from: str = ""
    provenance: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    notes: str = ""
    not_rerunnable: dict[str, str] | None = None

    def superseder(self, model: str) -> str:
        """The folder that replaces this store's ``model``, or ""."""
        if isinstance(self.superseded_by, str):
            return self.superseded_by
        return self.superseded_by.get(model, "")


def load_manifest(path: Path, folder: str) -> Manifest:
    """Read and check ``path`` (a ``manifest.yaml``) of the store at ``folder``."""
    if not path.is_file():
        raise ManifestError(f"{path}: missing (every folder holding a results.jsonl needs a {MANIFEST_FILE})")
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ManifestError(f"{path}: not valid YAML ({' '.join(str(error).split())})") from None
    if not isinstance(values, dict):
        raise ManifestError(f"{path}: expected a mapping of fields")
    return _Checker(path, values).manifest(folder)


class _Checker:
    """Field-by-field checks of one parsed manifest; every error names the file and the field."""

    def __init__(self, path: Path, values: dict[str, Any]):
        self.path, self.values = path, values

    def fail(self, field: str, problem: str) -> ManifestError:
        return ManifestError(f"{self.path}: {field}: {problem}")

    def text(self, field: str, required: bool = False) -> str:
        value = self.values.get(field)
        if value is None:
            if required:
                raise self.fail(field, "missing")
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, f"expected a non-empty string, got {value!r}")
        return value.strip() if field == "notes" else " ".join(value.split())

    def choice(self, field: str, choices, default: str | None = None) -> str:
        value = self.text(field, required=default is None) or default
        if value not in choices:
            raise self.fail(field, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def strings(self, field: str) -> tuple[str, ...]:
        value = self.values.get(field, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(field, "expected a list of non-empty strings")
        return tuple(v.strip() for v in value)

    def mapping(self, field: str) -> dict[str, str]:
        value = self.values.get(field)
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                  for k, v in value.items()):
            raise self.fail(field, "expected a mapping of strings to strings")
        return dict(value)

    def date(self) -> str:
        value = self.values.get("date")
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise self.fail("date", f"{value!r} is not a date YYYY-MM-DD") from None

    def either(self, field: str, unknown_field: str) -> tuple[tuple[str, ...], str]:
        """``field`` (a list) or ``unknown_field`` (the reason it cannot be given), exactly one."""
        given, unknown = field in self.values and self.values[field] is not None, self.text(unknown_field)
        if given == bool(unknown):
            raise self.fail(field, f"give either {field} or {unknown_field} (the reason it is not known)")
        return (self.strings(field) if given else ()), unknown

    def data(self) -> tuple[str, str, dict[str, Any]]:
        value = self.values.get("data")
        if not isinstance(value, dict) or set(value) - {"name", "path", "options"}:
            raise self.fail("data", "expected a mapping with name, path and options")
        if value.get("name") not in DATA:
            raise self.fail("data.name", f"{value.get('name')!r} is not one of {', '.join(DATA)}")
        if not isinstance(value.get("path"), str):
            raise self.fail("data.path", "expected the data path as typed in the commands")
        options = value.get("options") or {}
        if not isinstance(options, dict):
            raise self.fail("data.options", "expected a mapping of reader options")
        return value["name"], value["path"], options

    def not_rerunnable(self) -> dict[str, str]:
        """Fingerprints of records that no command of today's code plans again, each with why."""
        if "not_rerunnable" not in self.values:
            return {}
        reasons = self.mapping("not_rerunnable")
        for fingerprint in reasons:
            if not re.fullmatch(r"[0-9a-f]{16}", fingerprint):
                raise self.fail("not_rerunnable", f"{fingerprint!r} is not a record fingerprint (16 hex digits)")
        return reasons

    def superseded_by(self) -> dict[str, str] | str:
        if isinstance(self.values.get("superseded_by"), dict):
            return self.mapping("superseded_by")
        return self.text("superseded_by")

    def comparisons(self) -> tuple[Comparison, ...]:
        value = self.values.get("reference")
        if value is None:
            return ()
        entries = value if isinstance(value, list) else [value]
        comparisons = []
        for entry in entries:
            if isinstance(entry, str):
                entry = {"model": entry}
            if (not isinstance(entry, dict) or not isinstance(entry.get("model"), str)
                    or set(entry) - {"model", "store", "models"}):
                raise self.fail("reference", "expected a model label, or a mapping with model and "
                                             "optionally store and models, or a list of those")
            models = entry.get("models", [])
            if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
                raise self.fail("reference.models", "expected a list of model labels")
            comparisons.append(Comparison(entry["model"], entry.get("store"), tuple(models)))
        return tuple(comparisons)

    def manifest(self, folder: str) -> Manifest:
        unknown = sorted(set(self.values) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            raise self.fail(unknown[0], f"unknown field; the fields are {', '.join(REQUIRED + OPTIONAL)}")
        valid = self.values.get("valid")
        if not isinstance(valid, bool):
            raise self.fail("valid", "expected true or false")
        if valid == bool(self.text("invalid_reason")):
            raise self.fail("invalid_reason", "required when valid is false, and only then")
        role, test_split = self.choice("role", ROLES, "result"), self.choice("test_split", TEST_SPLIT, "scored")
        if test_split == "withheld" and role != "selection":
            raise self.fail("test_split", "withheld only for role: selection (a result is scored on test)")
        commits, commit_unknown = self.either("commit", "commit_unknown")
        commands, command_unknown = self.either("commands", "command_unknown")
        name, path, options = self.data()
        return Manifest(
            folder=folder, date=self.date(), machine=self.choice("machine", MACHINES),
            protocol=self.choice("protocol", PROTOCOLS), data_name=name, data_path=path, data_options=options,
            encoder=self.text("encoder", required=True), measured=self.text("measured", required=True),
            valid=valid, commits=commits, commit_unknown=commit_unknown, commands=commands,
            command_unknown=command_unknown, environment=self.text("environment"),
            written_to=self.text("written_to"), variant=self.text("variant"),
            role=role, test_split=test_split,
            invalid_reason=self.text("invalid_reason"), superseded_by=self.superseded_by(),
            comparisons=self.comparisons(),
            paper_rows=self.mapping("paper_rows") if "paper_rows" in self.values else None,
            copied_from=self.text("copied_from"), provenance=self.strings("provenance"),
            figures=self.strings("figures"), notes=self.notes(), not_rerunnable=self.not_rerunnable())

    def notes(self) -> str:
        """The notes as paragraphs (separated by a blank line in a literal block), each on one line."""
        paragraphs = re.split(r"\n\s*\n", self.text("notes"))
        return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
