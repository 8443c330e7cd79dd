"""shiftmsa report: docs/results.md from the stores and manifests, current vs history, --check."""

import json
import re
from pathlib import Path

import pytest
import yaml

from shiftmsa.cli import main
from shiftmsa.evaluation.statistics import paired_t_test
from shiftmsa.experiments.manifest import ManifestError, load_manifest
from shiftmsa.experiments.report import ReportError, current_evidence, read_stores, render_report, slug

ROOT = Path(__file__).resolve().parents[2]
METRICS = ("acc7", "acc2_non0", "f1_non0", "mae_non0", "corr_non0", "mae", "corr")


def record(model: str, seed: int, value: float, test: bool = True) -> dict:
    metrics = {name: value for name in METRICS}
    return {"model": model, "seed": seed, "fingerprint": "0" * 16, "best_epoch": 2, "best_valid_objective": 1.5,
            "train_seconds": 50.0, "wall_seconds": 60.0, "valid": {name: value - 0.02 for name in METRICS},
            "test": metrics if test else {}}


def manifest(**changes) -> dict:
    values = {"date": "2026-01-01", "machine": "cpu2", "commit": "abc1234", "protocol": "cpu",
              "data": {"name": "mosi-sdk", "path": "../shared/data/mosi", "options": {"split": "sdk_fold"}},
              "encoder": "minilm", "measured": "a tiny store", "valid": True,
              "commands": ["shiftmsa train --model text-only --protocol cpu --data ../shared/data/mosi"]}
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def write_store(root: Path, folder: str, records: list[dict], **changes) -> Path:
    path = root / folder
    path.mkdir(parents=True)
    (path / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (path / "manifest.yaml").write_text(yaml.safe_dump(manifest(**changes)))
    return path


def seeds(model: str, values: list[float], **kwargs) -> list[dict]:
    return [record(model, seed, value, **kwargs) for seed, value in enumerate(values)]


def sections(text: str) -> tuple[str, str]:
    """(the current evidence and the stores behind it, the history) of a report."""
    current, _, history = text.partition("\n## History\n")
    return current, history


def test_the_committed_results_md_is_what_shiftmsa_report_writes(capsys):
    """CI fails here when a store or manifest changed and docs/results.md was not regenerated."""
    code = main(["report", "--check", "--results", str(ROOT / "docs/results"), "--output",
                 str(ROOT / "docs/results.md")])
    assert code == 0, capsys.readouterr().err


def test_every_link_into_the_results_pages_resolves():
    headings = {}
    for page in ("results.md", "results_notes.md"):
        text = (ROOT / "docs" / page).read_text()
        headings[page] = {slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        for target, anchor in re.findall(r"\]\((?:docs/)?(results(?:_notes)?\.md)#([^)]+)\)", page.read_text()):
            assert anchor in headings[target], f"{page.name}: {target}#{anchor} is no heading"
        for target in re.findall(r"\]\(((?:docs/)?results/[^)#]+)\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name}: {target} does not exist"
    for anchor in re.findall(r"\]\(#([^)]+)\)", (ROOT / "docs/results.md").read_text()):
        assert anchor in headings["results.md"], f"results.md: #{anchor} is no heading"


def test_the_newest_valid_store_is_current_and_the_older_one_history(tmp_path):
    write_store(tmp_path, "2026-01-01_cpu2_cpu_mosi-sdk_old", seeds("text-only", [0.1, 0.2]))
    write_store(tmp_path, "2026-02-01_cpu2_cpu_mosi-sdk_new", seeds("text-only", [0.3, 0.5]), date="2026-02-01")
    current, history = sections(render_report(tmp_path, tmp_path / "results.md"))
    assert "| text-only | 2 | 0.400 ± 0.141 |" in current
    assert "[2026-02-01, cpu2](#2026-02-01_cpu2_cpu_mosi-sdk_new)" in current
    assert "### 2026-01-01_cpu2_cpu_mosi-sdk_old" in history
    assert "### 2026-02-01_cpu2_cpu_mosi-sdk_new" not in history


def test_an_invalid_store_is_never_current_and_says_why(tmp_path):
    write_store(tmp_path, "2026-01-01_cpu2_cpu_mosi-sdk_valid", seeds("text-only", [0.1, 0.2]))
    write_store(tmp_path, "2026-03-01_cpu2_cpu_mosi-sdk_leak", seeds("text-only", [0.9, 0.9]), date="2026-03-01",
                valid=False, invalid_reason="the features leak the labels")
    current, history = sections(render_report(tmp_path, tmp_path / "results.md"))
    assert "(#2026-01-01_cpu2_cpu_mosi-sdk_valid)" in current
    assert "**Invalid:** the features leak the labels" in history


def test_two_stores_of_one_date_are_ambiguous_until_one_is_superseded(tmp_path):
    write_store(tmp_path, "2026-01-01_cpu2_cpu_mosi-sdk_a", seeds("text-only", [0.1, 0.2]))
    write_store(tmp_path, "2026-01-01_h100_cpu_mosi-sdk_b", seeds("text-only", [0.3, 0.4]), machine="h100")
    with pytest.raises(ReportError, match="both measured text-only.*superseded_by"):
        current_evidence(read_stores(tmp_path))
    (tmp_path / "2026-01-01_cpu2_cpu_mosi-sdk_a/manifest.yaml").write_text(
        yaml.safe_dump(manifest(superseded_by={"text-only": "2026-01-01_h100_cpu_mosi-sdk_b"})))
    current = current_evidence(read_stores(tmp_path))
    assert [store.folder for store in current.values()] == ["2026-01-01_h100_cpu_mosi-sdk_b"]
    history = sections(render_report(tmp_path, tmp_path / "results.md"))[1]
    assert "**Superseded** by [2026-01-01_h100_cpu_mosi-sdk_b](#2026-01-01_h100_cpu_mosi-sdk_b): text-only." in history


def test_a_newer_store_of_another_variant_or_protocol_does_not_replace_it(tmp_path):
    write_store(tmp_path, "2026-01-01_cpu2_cpu_mosi-sdk_plain", seeds("msg-mba", [0.1, 0.2]))
    write_store(tmp_path, "2026-02-01_cpu2_cpu_mosi-sdk_variant", seeds("msg-mba", [0.3, 0.4]), date="2026-02-01",
                variant="start_from_text")
    write_store(tmp_path, "2026-02-01_cpu2_paper_mosi-sdk_plain", seeds("msg-mba", [0.5, 0.6]), date="2026-02-01",
                protocol="paper")
    current = current_evidence(read_stores(tmp_path))
    assert sorted(store.folder for store in current.values()) == [
        "2026-01-01_cpu2_cpu_mosi-sdk_plain", "2026-02-01_cpu2_cpu_mosi-sdk_variant",
        "2026-02-01_cpu2_paper_mosi-sdk_plain"]


def test_selection_runs_stay_history_and_show_the_validation_split(tmp_path):
    write_store(tmp_path, "2026-01-01_cpu2_cpu_mosi-sdk_result", seeds("mag", [0.1, 0.2]))
    write_store(tmp_path, "2026-02-01_cpu2_cpu_mosi-sdk_grid", seeds("mag", [0.7, 0.7], test=False),
                date="2026-02-01", role="selection", test_split="withheld")
    current, history = sections(render_report(tmp_path, tmp_path / "results.md"))
    assert "(#2026-01-01_cpu2_cpu_mosi-sdk_result)" in current
    assert "| model (validation) |" in history and "| mag | 2 | 0.680 ± 0.000 |" in history  # valid, not test


def test_a_test_split_claim_the_records_contradict_is_refused(tmp_path):
    write_store(tmp_path, "2026-01-01_cpu2_cpu_mosi-sdk_trials", seeds("mag", [0.1, 0.2]), role="selection",
                test_split="withheld")
    with pytest.raises(ReportError, match="test_split: withheld, but the record of mag seed 0 has test metrics"):
        read_stores(tmp_path)


def test_paired_t_tests_pair_the_seeds_two_models_share_and_the_paper_row_stands_beside(tmp_path):
    text_only, msg_mba = [0.80, 0.82, 0.81], [0.83, 0.84, 0.86]
    write_store(tmp_path, "2026-01-01_cpu2_cpu_mosi-sdk_pair",
                seeds("text-only", text_only) + seeds("msg-mba", msg_mba), reference="text-only")
    text = render_report(tmp_path, tmp_path / "results.md")
    p = paired_t_test(dict(enumerate(msg_mba)), dict(enumerate(text_only)))
    assert f"| p vs text-only: msg-mba |  | {p:.2g} |" in text
    assert "| ↳ paper: Table I `msg-mba` | 5 | 45.3 % | 85.7 % | 85.6 % | 0.748 | 0.782 | – | – | Lin & Hu |" in text


def test_a_rerun_appended_later_replaces_the_record_of_its_model_and_seed(tmp_path):
    write_store(tmp_path, "2026-01-01_cpu2_cpu_mosi-sdk_rerun", [record("text-only", 0, 0.1), record("text-only", 0, 0.3),
                                                                  record("text-only", 1, 0.5)])
    assert "| text-only | 2 | 0.400 ± 0.141 |" in render_report(tmp_path, tmp_path / "results.md")


def test_check_mode_exits_1_naming_the_difference_and_0_when_up_to_date(tmp_path, capsys):
    write_store(tmp_path / "results", "2026-01-01_cpu2_cpu_mosi-sdk_one", seeds("text-only", [0.1, 0.2]))
    arguments = ["report", "--results", str(tmp_path / "results"), "--output", str(tmp_path / "results.md")]
    assert main(arguments + ["--check"]) == 1
    assert "missing" in capsys.readouterr().err
    assert main(arguments) == 0
    first = (tmp_path / "results.md").read_bytes()
    assert main(arguments) == 0 and (tmp_path / "results.md").read_bytes() == first  # same inputs, same bytes
    assert main(arguments + ["--check"]) == 0
    (tmp_path / "results.md").write_text(first.decode().replace("0.150 ± 0.071", "0.160 ± 0.071"))
    assert main(arguments + ["--check"]) == 1
    err = capsys.readouterr().err
    assert "-| text-only | 2 | 0.160 ± 0.071" in err and "+| text-only | 2 | 0.150 ± 0.071" in err


@pytest.mark.parametrize("changes, message", [
    ({"machine": None}, r"manifest.yaml: machine: missing"),
    ({"machine": "laptop"}, r"machine: 'laptop' is not one of cpu2, h100"),
    ({"date": "27/11/2026"}, r"date: '27/11/2026' is not a date"),
    ({"command_unknown": "lost"}, r"commands: give either commands or command_unknown"),
    ({"commands": None}, r"commands: give either commands or command_unknown"),
    ({"valid": False}, r"invalid_reason: required when valid is false"),
    ({"data": {"name": "mosi-sdk", "path": "x", "options": {}, "split": "sdk_fold"}}, r"data: expected a mapping"),
    ({"superseeded_by": "x"}, r"superseeded_by: unknown field"),
    ({"test_split": "withheld"}, r"test_split: withheld only for role: selection"),
])
def test_a_wrong_manifest_is_refused_naming_the_file_and_the_field(tmp_path, changes, message):
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(manifest(**changes)))
    with pytest.raises(ManifestError, match=message):
        load_manifest(tmp_path / "manifest.yaml", "store")


def test_a_store_without_a_manifest_or_a_dangling_reference_is_a_clear_command_error(tmp_path, capsys):
    store = write_store(tmp_path, "2026-01-01_cpu2_cpu_mosi-sdk_one", seeds("text-only", [0.1, 0.2]),
                        superseded_by="2026-02-01_cpu2_cpu_mosi-sdk_gone")
    arguments = ["report", "--results", str(tmp_path), "--output", str(tmp_path / "results.md")]
    assert main(arguments) == 2
    assert "superseded_by: '2026-02-01_cpu2_cpu_mosi-sdk_gone' is not a store" in capsys.readouterr().err
    (store / "manifest.yaml").unlink()
    assert main(arguments) == 2
    assert f"{store / 'manifest.yaml'}: missing" in capsys.readouterr().err


def test_stores_side_by_side_pair_their_seeds_and_name_a_wrong_store(tmp_path, capsys):
    defaults = write_store(tmp_path, "a", seeds("msg-mba", [0.80, 0.82, 0.84]) + seeds("text-only", [0.9, 0.9, 0.9]))
    searched = write_store(tmp_path, "b", seeds("msg-mba", [0.83, 0.86, 0.88]))
    assert main(["report", "--reference", "defaults", "--store", f"defaults={defaults}:msg-mba",
                 "--store", f"searched={searched / 'results.jsonl'}"]) == 0
    table = capsys.readouterr().out
    assert "| defaults | 3 | 0.8200 ± 0.0200 |" in table and "| searched | 3 | 0.8567 ± 0.0252 |" in table
    p_value = paired_t_test({0: 0.83, 1: 0.86, 2: 0.88}, {0: 0.80, 1: 0.82, 2: 0.84})
    assert f"| p vs defaults: searched | | {p_value:.3g} |" in table
    assert main(["report", "--split", "valid", "--reference", "defaults", "--store", f"defaults={defaults}:msg-mba",
                 "--store", f"searched={searched}"]) == 0
    table = capsys.readouterr().out
    assert table.startswith("| model (valid) | seeds | objective ↓ | acc7 ↑")
    assert "| defaults | 3 | 1.5000 ± 0.0000 | 0.8000 ± 0.0200 |" in table
    assert main(["report", "--store", f"x={defaults}:mag"]) == 2
    assert "no records of mag" in capsys.readouterr().err
    assert main(["report", "--store", f"x={tmp_path / 'none'}"]) == 2
    assert "no results.jsonl in" in capsys.readouterr().err
