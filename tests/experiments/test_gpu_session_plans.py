"""The prepared lent-GPU session of issue 23 (benchmarks/gpu_session, DEVELOPERS.md): every plan line
is a `shiftmsa train` line whose model and settings build, and the smoke plan trains every model
and model setting the main plan trains, so a failure shows in the first minute, not at a save."""

from pathlib import Path

import pytest

from shiftmsa.cli import build_parser
from shiftmsa.cli.plan import plan_lines
from shiftmsa.cli.run import _config_from_args
from shiftmsa.config import ModelConfig
from shiftmsa.data import generate_synthetic
from shiftmsa.experiments.runner import with_model
from shiftmsa.experiments.search.trial import check_values

SESSION = Path(__file__).resolve().parents[2] / "benchmarks" / "gpu_session"
PLANS = sorted(SESSION.glob("*.txt"))


def trained(plan: Path) -> set[tuple[str, tuple[str, ...]]]:
    """(model, its model.params settings) of every line of ``plan``, each line checked to build."""
    corpus = generate_synthetic(30, seed=0)
    found = set()
    for _, _, arguments in plan_lines(plan):
        args = build_parser().parse_args(["train", *arguments])
        config = with_model(_config_from_args(args), ModelConfig(args.model, args.preset))
        assert config.model.name == args.model
        check_values(config, {}, corpus)
        found.add((args.model, tuple(sorted(s for s in args.overrides if s.startswith("model.params.")))))
    return found


@pytest.mark.parametrize("plan", PLANS, ids=[plan.name for plan in PLANS])
def test_every_line_of_a_session_plan_builds_its_model(plan):
    assert trained(plan)


def test_the_smoke_plan_trains_every_model_setting_of_the_session():
    session = trained(SESSION / "issue23_paper_protocol.txt")
    assert session <= trained(SESSION / "issue23_smoke.txt")
    assert len(session) == 10
