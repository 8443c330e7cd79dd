"""Help texts generated from the dataclasses that hold the defaults, so no help restates one.

A *field* is a field of a dataclass (``TrainConfig``, a model's config class, ``SearchOptions``)
or a parameter of a function (``generate_synthetic``): its default is the one its class or
signature declares and its description is its entry in the owner's ``Args:`` docstring section
(the first owner along the class's MRO that describes it). Every command's help takes a field's
default and description from here:

    field_default(owner, name) / field_type(owner, name) / field_description(owner, name)
    field_summary(owner, name)          # the description's first sentence, as the CLI shows it
    describe_fields(owner)              # FieldHelp(name, type, default, summary) for each field
    config_field("train.epochs")        # (TrainConfig, "epochs"): the run config's dotted keys
    option_help(key_or_field, text)     # "text (default: 40)", escaped for argparse
    format_value(value)                 # a default as the CLI writes it (YAML-like)
    protocol_help()                     # what each of PROTOCOLS sets, for --protocol
    config_keys_epilog()                # every --set KEY with its type, default and summary

Nothing here imports torch: ``shiftmsa --help`` stays fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import re
import textwrap
import types
import typing
from dataclasses import dataclass
from typing import Any

from shiftmsa.config import PROTOCOL_DESCRIPTIONS, PROTOCOLS, DataConfig, ModelConfig, RunConfig, TrainConfig

# the sections of a run configuration: the first part of a dotted key -> its dataclass
CONFIG_SECTIONS = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}
# command-line shortcuts (argparse dest) -> the run-config key they set (cli.run._config_from_args)
OPTION_FIELDS = {"data": "data.path", "format": "data.format", "seeds": "train.seeds", "epochs": "train.epochs",
                 "output": "output_dir", "model": "model.name", "preset": "model.preset"}
# how every help text states a default: "(default: VALUE)" or "(default: VALUE; more)"
DEFAULT_STATEMENT = re.compile(r"\(default: ([^;)]*)[;)]")

_NAMES = re.compile(r"^(\w+(?:\s*[/,]\s*\w+)*):(?:\s+(.*))?$")


@dataclass(frozen=True)
class FieldHelp:
    """One field as the help shows it.

    Args:
        name: the field (or parameter) name.
        type: its type in words (``int``, ``float or null``, ``list of int``).
        default: its default, formatted by ``format_value``.
        summary: the first sentence of its description ("" when its owner does not describe it).
    """

    name: str
    type: str
    default: str
    summary: str


def _fields(owner) -> dict[str, Any]:
    """name -> default (``dataclasses.MISSING`` when it has none) of a dataclass or a function."""
    if dataclasses.is_dataclass(owner):
        result = {}
        for item in dataclasses.fields(owner):
            if item.default is not dataclasses.MISSING:
                result[item.name] = item.default
            elif item.default_factory is not dataclasses.MISSING:
                result[item.name] = item.default_factory()
            else:
                result[item.name] = dataclasses.MISSING
        return result
    return {name: dataclasses.MISSING if parameter.default is inspect.Parameter.empty else parameter.default
            for name, parameter in inspect.signature(owner).parameters.items()}


def field_default(owner, name: str) -> Any:
    """The default of field ``name`` of a dataclass, or of parameter ``name`` of a function."""
    values = _fields(owner)
    if name not in values:
        raise KeyError(f"{getattr(owner, '__name__', owner)} has no field {name!r}")
    if values[name] is dataclasses.MISSING:
        raise KeyError(f"{getattr(owner, '__name__', owner)}.{name} has no default")
    return values[name]


def _annotations(owner) -> dict[str, Any]:
    target = owner if isinstance(owner, type) else inspect.unwrap(owner)
    try:
        return typing.get_type_hints(target)
    except Exception:  # an annotation that does not resolve here: described by its text
        return dict(getattr(target, "__annotations__", {}))


def type_text(annotation) -> str:
    """An annotation in words: ``int``, ``float or null``, ``list of int``, ``mapping``."""
    if annotation is type(None) or annotation is None:
        return "null"
    if isinstance(annotation, str):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_text(option) for option in typing.get_args(annotation))
    if origin in (list, tuple):
        items = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return f"list of {type_text(items[0])}" if len(set(items)) == 1 else "list"
    if origin is dict or annotation is dict:
        return "mapping"
    if annotation is Any:
        return "any"
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def field_type(owner, name: str) -> str:
    """The type of field ``name`` in words ("" when it is not annotated)."""
    annotation = _annotations(owner).get(name)
    return "" if annotation is None else type_text(annotation)


def docstring_arguments(doc: str | None) -> dict[str, str]:
    """name -> description of a docstring's ``Args:`` section (continuation lines joined).

    The header may run over several lines up to the one ending in ``:`` (``Args (besides ...):``);
    an entry may describe several names (``acoustic_dim / visual_dim: ...``, ``a, b: ...``).
    """
    lines = inspect.cleandoc(doc or "").splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"Args\b", line.strip())), None)
    if start is None:
        return {}
    while start < len(lines) and not lines[start].rstrip().endswith(":"):
        start += 1
    body = lines[start + 1:]
    indents = [len(line) - len(line.lstrip()) for line in body if line.strip()]
    if not indents:
        return {}
    indent, entries, current = indents[0], [], None
    for line in body:
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        if depth < indent:
            break
        if depth == indent:
            match = _NAMES.match(line.strip())
            if match is None:
                break
            current = ([n.strip() for n in re.split(r"[/,]", match.group(1))], [match.group(2) or ""])
            entries.append(current)
        elif current is not None:
            current[1].append(line.strip())
    return {name: " ".join(part for part in text if part) for names, text in entries for name in names}


def _owners(owner) -> list:
    """Where a field's description may be: the class, then its bases; or the function."""
    return [c for c in owner.__mro__ if c is not object] if isinstance(owner, type) else [owner]


def field_description(owner, name: str) -> str:
    """The description of ``name`` in the ``Args:`` section of its owner's docstring, or of the
    first base class that describes it ("" when none does)."""
    for cls in _owners(owner):
        doc = cls.__dict__.get("__doc__") if isinstance(cls, type) else inspect.getdoc(cls)
        described = docstring_arguments(doc)
        if name in described:
            return described[name]
    return ""


def first_sentence(text: str) -> str:
    """``text`` up to the end of its first sentence (a period outside parentheses followed by a
    capital letter or the end), without the period; ````code```` written as `code`."""
    text = re.sub(r"``(.+?)``", r"`\1`", " ".join(text.split()))
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "." and depth <= 0 and re.match(r"\s+[A-Z]|\s*$", text[index + 1:]):
            return text[:index]
    return text


def field_summary(owner, name: str) -> str:
    """The first sentence of ``name``'s description, as the command line shows it."""
    return first_sentence(field_description(owner, name))


def format_value(value: Any, separator: str | None = None) -> str:
    """A default as the command line writes it: YAML-like (``null``, ``true``, ``2e-5``,
    ``[text, acoustic]``); a list joined by ``separator`` when given (``0,1,2,3,4`` for ``--seeds``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):  # repr: 1.0 stays a float; 2e-05 is written 2e-5
        return re.sub(r"e([+-])0*(\d)", lambda m: f"e{'-' if m.group(1) == '-' else ''}{m.group(2)}", repr(value))
    if isinstance(value, (list, tuple)):
        items = [format_value(item) for item in value]
        return separator.join(items) if separator is not None else f"[{', '.join(items)}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {format_value(item)}" for key, item in value.items()) + "}"
    if isinstance(value, str) and not value:
        return "''"
    return str(value)


def describe_fields(owner) -> list[FieldHelp]:
    """Every field of a dataclass (or parameter of a function) with its type, default and summary."""
    return [FieldHelp(name, field_type(owner, name),
                      "(required)" if default is dataclasses.MISSING else format_value(default),
                      field_summary(owner, name))
            for name, default in _fields(owner).items()]


def config_field(key: str) -> tuple[type, str]:
    """The dataclass and field a run-config key names: ``train.epochs`` -> (TrainConfig, "epochs")."""
    section, _, name = key.partition(".")
    owner = CONFIG_SECTIONS.get(section) if name else RunConfig
    name = name or section
    if owner is None or name not in _fields(owner):
        raise KeyError(f"no run-config key {key!r}")
    return owner, name


def config_default(key: str) -> Any:
    """The default value of a run-config key (``train.seeds`` -> [0, 1, 2, 3, 4])."""
    return field_default(*config_field(key))


def _escape(text: str) -> str:
    return text.replace("%", "%%")  # argparse %-formats every help string


def default_note(value: Any, separator: str | None = None) -> str:
    """``(default: VALUE)``, the one way help texts state a default (see ``DEFAULT_STATEMENT``)."""
    return f"(default: {format_value(value, separator)})"


def option_help(field: str | tuple, text: str | None = None, *, separator: str | None = None,
                default: Any = dataclasses.MISSING) -> str:
    """Help of an option that sets a field: ``text`` (else the field's summary) and its default.

    Args:
        field: a run-config key (``train.epochs``) or an (owner, name) pair (``(SearchOptions, "jobs")``).
        text: what the option is, when the field's summary does not say it the command line's way.
        separator: join a list default with it (``,`` for options taking ``0,1,2``).
        default: the default to state, when the command's differs from the field's (e.g. the
            output folder of ``reproduce``).
    """
    owner, name = config_field(field) if isinstance(field, str) else field
    value = field_default(owner, name) if default is dataclasses.MISSING else default
    described = text if text is not None else field_summary(owner, name)
    return _escape(f"{described} {default_note(value, separator)}".strip())


def protocol_settings_text(name: str) -> str:
    """What a protocol sets, as ``train.epochs=40, train.batch_size=48``."""
    return ", ".join(f"{key}={format_value(value)}" for key, value in PROTOCOLS[name].items())


def protocol_help() -> str:
    """The help of ``--protocol``: each protocol, what it is and exactly what it sets."""
    parts = [f"{name}: {PROTOCOL_DESCRIPTIONS.get(name, '')} ({protocol_settings_text(name)})".replace(":  (", ": (")
             for name in PROTOCOLS]
    return _escape("training protocol, applied after --config: " + "; ".join(parts))


def config_keys_epilog(width: int = 78) -> str:
    """Every run-config key ``--set`` (and a ``--config`` file) takes, with its type, default and
    summary, as an indented block (kept as written by ``HelpFormatter``)."""
    lines = ["config keys (--set KEY=VALUE with a YAML value; a --config file nests the same keys; "
             "model.params.NAME sets a model's own field, listed by `shiftmsa models`):"]
    keys = [f"{section}.{name}" for section, owner in CONFIG_SECTIONS.items() for name in _fields(owner)]
    for key in keys + ["output_dir"]:
        owner, name = config_field(key)
        item = describe_fields(owner)[list(_fields(owner)).index(name)]
        lines.append(f"  {key} = {item.default} ({item.type})")
        lines.extend(textwrap.wrap(item.summary, width, initial_indent=" " * 6, subsequent_indent=" " * 6,
                                   break_long_words=False, break_on_hyphens=False))
    return "\n".join(lines)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, except that description and epilog lines that start with a space
    are kept as written (tables, lists); other paragraphs are wrapped as usual."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        blocks, paragraph = [], []
        for line in text.splitlines():
            if line.startswith(" ") or not line.strip():
                if paragraph:
                    blocks.append(super()._fill_text(" ".join(paragraph), width, indent))
                    paragraph = []
                blocks.append(indent + line if line.strip() else "")
            else:
                paragraph.append(line)
        if paragraph:
            blocks.append(super()._fill_text(" ".join(paragraph), width, indent))
        return "\n".join(blocks)
