"""Search spaces: which configuration keys a search varies, over which values, sampled how.

A space is a YAML file::

    description: learning rate and epochs, the schedule of a fine-tune
    sampler: grid            # grid (every combination, Section IV-E's way) or tpe
    params:
      train.learning_rate: [2.0e-5, 3.0e-5, 5.0e-5]        # a list: these values
      train.epochs: [4, 6, 10]
      model.params.huber_delta: {low: 0.1, high: 2.0, log: true}   # a range: tpe only

Keys are the dotted keys of ``--set`` (``train.*``, ``model.params.*``, ``data.max_length``).
A grid takes lists only; tpe also takes ranges (``low``/``high``, optional ``log`` or ``step``;
integer bounds give integer values). The spaces shipped with shiftmsa live in
``shiftmsa/experiments/search/spaces/`` and are named without their suffix (``--space msg-mba``).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from shiftmsa.config import ConfigError, parse_value

SAMPLERS = ("grid", "tpe")
SHIPPED_PACKAGE = "shiftmsa.experiments.search.spaces"
Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class Range:
    """A numeric interval for tpe: floats, or integers when both bounds are integers.

    Args:
        low / high: the bounds, both included.
        log: sample on a log scale.
        step: the spacing of the values (None = continuous for floats, 1 for integers).
    """

    low: int | float
    high: int | float
    log: bool = False
    step: int | float | None = None

    @property
    def integer(self) -> bool:
        return isinstance(self.low, int) and isinstance(self.high, int)


@dataclass(frozen=True)
class SearchSpace:
    """A parsed space file.

    Args:
        params: dotted key -> a list of values or a Range.
        sampler: ``grid`` or ``tpe``.
        description: one line for tables and logs.
        source: the file it was read from.
    """

    params: dict[str, list[Scalar] | Range]
    sampler: str = "grid"
    description: str = ""
    source: str = ""

    def grid(self) -> list[dict[str, Scalar]]:
        """Every combination of the listed values, the last key varying fastest."""
        keys = list(self.params)
        return [dict(zip(keys, values)) for values in itertools.product(*(self.params[k] for k in keys))]

    def first_point(self) -> dict[str, Scalar]:
        """One point of the space (each key's first value or lower bound), to check the keys."""
        return {key: value.low if isinstance(value, Range) else value[0]
                for key, value in self.params.items()}

    def suggest(self, trial) -> dict[str, Scalar]:
        """The values of an Optuna trial, by key (fixed ones for a queued trial)."""
        values = {}
        for key, value in self.params.items():
            if not isinstance(value, Range):
                values[key] = trial.suggest_categorical(key, value)
            elif value.integer:
                values[key] = trial.suggest_int(key, value.low, value.high, step=value.step or 1,
                                                log=value.log)
            else:
                values[key] = trial.suggest_float(key, value.low, value.high, step=value.step,
                                                  log=value.log)
        return values

    def identity(self) -> str:
        """A stable text of what the space searches (a study refuses another space)."""
        return json.dumps({"sampler": self.sampler, "params": {
            key: value.__dict__ if isinstance(value, Range) else value
            for key, value in self.params.items()}}, sort_keys=True)


def shipped_spaces() -> list[str]:
    """The names of the spaces shipped with shiftmsa."""
    folder = resources.files(SHIPPED_PACKAGE)
    return sorted(entry.name[:-len(".yaml")] for entry in folder.iterdir() if entry.name.endswith(".yaml"))


def load_space(name_or_path: str | Path, sampler: str | None = None) -> SearchSpace:
    """A space from a YAML file or a shipped name; ``sampler`` overrides the file's.

    Raises:
        ConfigError: naming the file and the key when the space is malformed.
    """
    path = Path(name_or_path)
    if path.is_file():
        text, source = path.read_text(), str(path)
    elif str(name_or_path) in shipped_spaces():
        entry = resources.files(SHIPPED_PACKAGE) / f"{name_or_path}.yaml"
        text, source = entry.read_text(), f"shipped space {name_or_path}"
    else:
        raise ConfigError(f"search space {name_or_path} is neither a file nor a shipped space "
                          f"({', '.join(shipped_spaces())})")
    try:
        values = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: not valid YAML ({error})") from None
    return parse_space(values, source, sampler)


def parse_space(values: Any, source: str, sampler: str | None = None) -> SearchSpace:
    """A SearchSpace from the mapping of a space file (see the module docstring)."""
    if not isinstance(values, dict):
        raise ConfigError(f"{source}: a search space is a mapping with 'params'")
    unknown = sorted(set(values) - {"description", "sampler", "params"})
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {unknown}; valid: description, sampler, params")
    sampler = sampler or values.get("sampler", "grid")
    if sampler not in SAMPLERS:
        raise ConfigError(f"{source}: sampler must be one of {SAMPLERS}, got {sampler!r}")
    raw_params = values.get("params")
    if not isinstance(raw_params, dict) or not raw_params:
        raise ConfigError(f"{source}: 'params' must map at least one dotted key to values")
    params = {str(key): _parse_values(str(key), raw, source) for key, raw in raw_params.items()}
    if sampler == "grid":
        ranged = [key for key, value in params.items() if isinstance(value, Range)]
        if ranged:
            raise ConfigError(f"{source}: a grid needs a list of values for {', '.join(ranged)} "
                              f"(ranges are for sampler tpe)")
    return SearchSpace(params, sampler, str(values.get("description", "")), source)


def _parse_values(key: str, raw: Any, source: str) -> list[Scalar] | Range:
    where = f"{source}: params.{key}"
    if "." not in key:
        raise ConfigError(f"{where}: keys are dotted configuration keys such as train.learning_rate")
    if isinstance(raw, list):
        if not raw:
            raise ConfigError(f"{where}: the list of values is empty")
        values = [_scalar(value, where) for value in raw]
        if len(set(map(repr, values))) != len(values):
            raise ConfigError(f"{where}: a value is listed twice")
        return values
    if isinstance(raw, dict):
        unknown = sorted(set(raw) - {"low", "high", "log", "step"})
        if unknown or "low" not in raw or "high" not in raw:
            raise ConfigError(f"{where}: a range is {{low: ..., high: ..., log?: ..., step?: ...}}")
        low, high = (_scalar(raw[bound], where) for bound in ("low", "high"))
        if not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in (low, high)) or low >= high:
            raise ConfigError(f"{where}: low and high must be numbers with low < high")
        if raw.get("log") and low <= 0:
            raise ConfigError(f"{where}: a log range needs low > 0")
        step = _scalar(raw["step"], where) if raw.get("step") is not None else None
        return Range(low, high, bool(raw.get("log", False)), step)
    raise ConfigError(f"{where}: give a list of values or a range {{low: ..., high: ...}}")


def _scalar(value: Any, where: str) -> Scalar:
    """A value Optuna can store; numbers such as ``3e-5`` (strings to YAML 1.1) become floats."""
    if isinstance(value, str):
        value = parse_value(value)
    if value is not None and not isinstance(value, (str, int, float, bool)):
        raise ConfigError(f"{where}: {value!r} is not a number, string, boolean or null")
    return value
