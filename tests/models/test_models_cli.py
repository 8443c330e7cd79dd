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
                     "table5.msg_t_a_v", "shift_layer = 2 (int)", "gate = vector (str)", "beta_shift = 0.5 (float)"):
        assert expected in out


def test_each_field_shows_its_default_and_description_from_its_config_class(capsys):
    """The listing is generated from the config class: change a default or a docstring and it follows."""
    from shiftmsa.cli.config_help import field_default, field_summary, format_value
    from shiftmsa.models import available_models

    _, out, _ = run_models_command(capsys, "msg-mba")
    config_class = next(spec.config_class for spec in available_models() if spec.name == "msg-mba")
    lines = out.splitlines()
    for name in ("shift_layer", "gate", "huber_delta", "encoder"):
        index = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{name} = "))
        assert lines[index].strip().startswith(f"{name} = {format_value(field_default(config_class, name))} (")
        summary = field_summary(config_class, name)
        assert summary and " ".join(" ".join(lines[index + 1:index + 4]).split()).startswith(summary[:40])


def test_one_model_and_an_unknown_name(capsys):
    status, out, _ = run_models_command(capsys, "mag")
    assert status == 0 and "msg-mba" not in out and "xlnet" in out
    status, _, error = run_models_command(capsys, "nope")
    assert status == 2 and "registered models: msg-mba" in error
