"""``shiftmsa models`` lists models, presets with descriptions and config fields."""

from __future__ import annotations

from shiftmsa.cli import CommandError
from shiftmsa.cli.models import list_models, register


def run_models_command(capsys, *argv: str) -> tuple[int, str, str]:
    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["models", *argv])
    try:
        status = list_models(args)
    except CommandError as error:  # the CLI entry point prints it and exits 2
        return 2, "", str(error)
    out, err = capsys.readouterr()
    return status, out, err


def test_lists_every_model_its_presets_and_fields(capsys):
    status, out, _ = run_models_command(capsys)
    assert status == 0
    for expected in ("msg-mba: Lin & Hu", "text-only:", "mag:", "table3.msg_t_a", "fig5.layer6",
                     "table5.msg_t_a_v", "shift_layer = 2", "gate = 'scalar'", "beta_shift = 0.5"):
        assert expected in out


def test_one_model_and_an_unknown_name(capsys):
    status, out, _ = run_models_command(capsys, "mag")
    assert status == 0 and "msg-mba" not in out and "xlnet" in out
    status, _, error = run_models_command(capsys, "nope")
    assert status == 2 and "registered models: msg-mba" in error
