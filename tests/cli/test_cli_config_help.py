"""The CLI's help states every default as its dataclass (or PROTOCOLS) holds it, generated, not copied."""

from __future__ import annotations

import argparse
import dataclasses
import re
import subprocess
import sys
from dataclasses import dataclass, field

import pytest

from shiftmsa.cli import build_parser
from shiftmsa.cli.config_help import (DEFAULT_STATEMENT, OPTION_FIELDS, config_default, config_field,
                                      config_keys_epilog, describe_fields, docstring_arguments, field_description,
                                      field_summary, first_sentence, format_value, option_help, protocol_help)
from shiftmsa.cli.reproduce import DEFAULT_OUTPUT
from shiftmsa.config import PROTOCOLS, DataConfig, ModelConfig, RunConfig, TrainConfig, parse_value

# every command whose options set run-config values or hold defaults of their own
COMMANDS = [("train",), ("compare",), ("evaluate",), ("search",), ("reproduce",), ("explain",), ("predict",),
            ("data", "check"), ("data", "synth"), ("extract",), ("extract-dataset",), ("models",)]
RUN_CONFIG_CLASSES = (DataConfig, ModelConfig, TrainConfig, RunConfig)
OPTION_START = re.compile(r"^  (-[\w-]+|--[\w-]+)")


def command_parser(*names: str) -> argparse.ArgumentParser:
    parser = build_parser()
    for name in names:
        subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = subparsers.choices[name]
    return parser


def option_entries(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Option string -> its whole help text, parsed from the rendered ``--help`` output."""
    entries: dict[str, list[str]] = {}
    current = None
    for line in parser.format_help().splitlines():
        match = OPTION_START.match(line)
        if match:
            current = match.group(1)
            entries[current] = [line[match.end():]]
        elif current is not None and line.startswith("   "):
            entries[current].append(line)
        else:
            current = None
    return {option: " ".join(" ".join(parts).split()) for option, parts in entries.items()}


def expected_default(parser: argparse.ArgumentParser, option: str) -> str | None:
    """What the help of ``option`` must state as its default: its run-config field's default, or
    the argparse default it holds itself; None when neither (a default described in words)."""
    action = parser._option_string_actions[option]
    separator = ","  # list-valued options take comma-separated values
    if action.dest == "output" and parser.prog.endswith("reproduce"):
        return DEFAULT_OUTPUT
    if action.dest in OPTION_FIELDS and parser.prog.split()[-1] in ("train", "compare", "evaluate", "search",
                                                                     "reproduce", "explain"):
        return format_value(config_default(OPTION_FIELDS[action.dest]), separator)
    if action.default not in (None, argparse.SUPPRESS) and not isinstance(action, argparse._StoreTrueAction) \
            and not isinstance(action, argparse._StoreFalseAction) and action.default != []:
        return format_value(action.default, separator)
    return None


@pytest.fixture
def wide_help(monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # one line per option: no value wrapped at a hyphen


@pytest.mark.parametrize("names", COMMANDS, ids=" ".join)
def test_every_stated_default_is_the_one_the_code_uses(names, wide_help):
    parser = command_parser(*names)
    help_text = parser.format_help()
    assert not re.search(r"\(default [^:]|\(default\)", help_text), \
        "state a default as '(default: VALUE)' (config_help.default_note), not by hand"
    checked = 0
    for option, text in option_entries(parser).items():
        stated = DEFAULT_STATEMENT.findall(text)
        expected = expected_default(parser, option)
        if expected is None:
            continue
        assert stated, f"{' '.join(names)} {option}: its default {expected} is not stated: {text!r}"
        assert stated == [expected], f"{' '.join(names)} {option} states default {stated}, the code uses {expected}"
        checked += 1
    if names in (("train",), ("search",), ("reproduce",), ("compare",)):
        assert checked >= 5


def test_the_run_options_state_the_dataclass_defaults(wide_help):
    for name in ("train", "compare", "search", "reproduce"):
        entries = option_entries(command_parser(name))
        assert "(default: 0,1,2,3,4)" in entries["--seeds"] and list(TrainConfig().seeds) == [0, 1, 2, 3, 4]
        assert f"(default: {TrainConfig.epochs})" in entries["--epochs"]
        assert f"(default: {DataConfig.path})" in entries["--data"]
        assert f"(default: {DataConfig.format})" in entries["--format"]
    assert "(default: 0,1,2,3,4)" in option_entries(command_parser("search"))["--final-seeds"]
    assert "(default: runs/reproduce)" in option_entries(command_parser("reproduce"))["--output"]


def test_help_follows_a_changed_default(monkeypatch, wide_help):
    """Nothing is copied: change a dataclass default and every help that states it follows."""
    epochs = next(f for f in dataclasses.fields(TrainConfig) if f.name == "epochs")
    seeds = next(f for f in dataclasses.fields(TrainConfig) if f.name == "seeds")
    monkeypatch.setattr(epochs, "default", 41)
    monkeypatch.setattr(seeds, "default_factory", lambda: [7, 8])
    for name in ("train", "search"):
        entries = option_entries(command_parser(name))
        assert "(default: 41)" in entries["--epochs"] and "(default: 7,8)" in entries["--seeds"]
    assert "  train.epochs = 41 (int)" in config_keys_epilog()


def protocols_in_help(text: str) -> dict[str, dict]:
    """``name: what (key=value, ...)`` entries of the --protocol help -> name -> {key: value}."""
    found = {}
    for name, settings in re.findall(r"(\w+): [^;():]*\(([^()]*)\)", text):
        found[name] = {key: parse_value(value) for key, _, value in
                       (item.strip().partition("=") for item in settings.split(","))}
    return found


@pytest.mark.parametrize("name", ["train", "compare", "evaluate", "search", "reproduce"])
def test_the_protocol_help_lists_exactly_what_each_protocol_sets(name, wide_help):
    listed = protocols_in_help(option_entries(command_parser(name))["--protocol"])
    assert listed == PROTOCOLS
    assert command_parser(name)._option_string_actions["--protocol"].choices == list(PROTOCOLS)


def test_the_protocol_help_follows_protocols(monkeypatch):
    monkeypatch.setitem(PROTOCOLS, "tiny", {"train.epochs": 1, "train.learning_rate": 1e-4})
    assert protocols_in_help(protocol_help())["tiny"] == {"train.epochs": 1, "train.learning_rate": 1e-4}


def test_the_config_keys_list_every_field_with_its_default_and_summary():
    listed = dict(re.findall(r"^  (\S+) = (.*) \(", config_keys_epilog(), flags=re.MULTILINE))
    expected = [f"{section}.{f.name}" for section, cls in (("data", DataConfig), ("model", ModelConfig),
                                                           ("train", TrainConfig)) for f in dataclasses.fields(cls)]
    assert list(listed) == expected + ["output_dir"]
    for key, value in listed.items():
        assert value == format_value(config_default(key)), key
    text = " ".join(config_keys_epilog().split())
    for key in listed:
        assert " ".join(field_summary(*config_field(key)).split()) in text


def test_every_run_config_field_is_described_without_restating_its_default():
    for cls in RUN_CONFIG_CLASSES:
        for item in describe_fields(cls):
            assert item.summary, f"{cls.__name__}.{item.name} has no entry in its Args: docstring"
            default = config_default(item.name if cls is RunConfig else
                                     f"{ {DataConfig: 'data', ModelConfig: 'model', TrainConfig: 'train'}[cls]}.{item.name}")
            if isinstance(default, (int, float)) and not isinstance(default, bool) and default not in (0, 1):
                numbers = re.findall(r"(?<![\w.-])\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])",
                                     field_description(cls, item.name))
                assert all(float(n) != default for n in numbers), \
                    f"{cls.__name__}.{item.name}: the description restates its default {default}"


def test_the_search_options_come_from_search_options(wide_help):
    from shiftmsa.experiments.search.options import SearchOptions
    from shiftmsa.experiments.search.driver import SearchOptions as from_runner

    assert from_runner is SearchOptions
    parser = command_parser("search")
    defaults = SearchOptions()
    for option, name in (("--jobs", "jobs"), ("--final-seeds", "final_seeds"), ("--pruner", "pruner"),
                         ("--prune-from-epoch", "prune_from_epoch"), ("--sampler-seed", "sampler_seed")):
        assert parser._option_string_actions[option].default == getattr(defaults, name)


def test_the_shortcut_flags_set_the_keys_their_help_describes():
    """OPTION_FIELDS (which the help uses) says what _config_from_args does with each flag."""
    from shiftmsa.cli.run import _config_from_args

    values = {"data": "elsewhere", "format": "native", "seeds": "5,6", "epochs": "3", "output": "out"}
    parser = command_parser("train")
    for dest, raw in values.items():
        args = parser.parse_args([f"--{dest}", raw])
        config = _config_from_args(args)
        section, _, name = OPTION_FIELDS[dest].rpartition(".")
        value = getattr(getattr(config, section) if section else config, name)
        assert value == parse_value(f"[{raw}]" if dest == "seeds" else raw) or str(value) == raw, dest


def test_help_does_not_import_torch():
    code = ("import sys\nfrom shiftmsa.cli import main\n"
            "for command in (['train', '--help'], ['search', '--help'], ['models', '--help'], ['data', 'synth', '--help']):\n"
            "    try:\n        main(command)\n    except SystemExit:\n        pass\n"
            "print('torch' in sys.modules, 'optuna' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "False False"


@dataclass
class Base:
    """Fields of every kind.

    Args:
        width / height: the size, in
            pixels.
        label: a name. Not more.
    """

    width: int = 3
    height: int | None = None
    label: str = "a"


@dataclass
class Child(Base):
    """Args (besides ``Base``'s width, height and
    label; they keep their meaning):
        depth: how deep (e.g. 2).
        tags: what it is.
    """

    depth: float = 2e-5
    tags: list[str] = field(default_factory=lambda: ["x", "y"])


def test_descriptions_come_from_the_args_section_of_the_class_or_its_bases():
    assert docstring_arguments(Base.__doc__) == {"width": "the size, in pixels.", "height": "the size, in pixels.",
                                                 "label": "a name. Not more."}
    assert field_description(Child, "depth") == "how deep (e.g. 2)."
    assert field_description(Child, "width") == "the size, in pixels."
    assert [(f.name, f.type, f.default, f.summary) for f in describe_fields(Child)] == [
        ("width", "int", "3", "the size, in pixels"), ("height", "int or null", "null", "the size, in pixels"),
        ("label", "str", "a", "a name"), ("depth", "float", "2e-5", "how deep (e.g. 2)"),
        ("tags", "list of str", "[x, y]", "what it is")]
    assert option_help((Child, "depth"), "depth, 100 %") == "depth, 100 %% (default: 2e-5)"


@pytest.mark.parametrize("value, written", [
    (2e-5, "2e-5"), (1e-3, "0.001"), (1.0, "1.0"), (40, "40"), (None, "null"), (True, "true"), ("", "''"),
    ([0, 1, 2], "[0, 1, 2]"), ((), "[]"), ({}, "{}"), ({"n": 3}, "{n: 3}")])
def test_values_are_written_as_yaml_reads_them_back(value, written):
    assert format_value(value) == written
    assert parse_value(written) == (list(value) if isinstance(value, tuple) else value)


def test_first_sentence_ignores_periods_in_parentheses_and_abbreviations():
    assert first_sentence("passed on (e.g. ``gpu``. Or not) to Fabric. Then more.") == \
        "passed on (e.g. `gpu`. Or not) to Fabric"
    assert first_sentence("i of Eq. 3, the layer.") == "i of Eq. 3, the layer"
