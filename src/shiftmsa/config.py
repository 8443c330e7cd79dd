"""Typed run configuration: data, model, training protocol. YAML in and out, validated.

A run is (RunConfig, seed). Defaults follow Section IV-E of the paper for CMU-MOSI; the named
protocols below switch the few values that differ (MOSEI, a short CPU preset).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Collection, Mapping

import yaml

from shiftmsa.defaults import DEFAULT_MAX_LENGTH, DEFAULT_SEEDS


class ConfigError(ValueError):
    """A configuration that cannot run, with the offending key in the message."""


# Field metadata: the value at which a field added after stores exist behaves as before it existed
# (``shiftmsa.store.fingerprint`` leaves the field out of run identities at that value).
FINGERPRINT_NEUTRAL = "fingerprint_neutral"


# Field metadata: the default a data or train field had before its default changed.
EARLIER_DEFAULT = "earlier_default"


def later_field(*, neutral: Any, **field_arguments: Any):
    """A dataclass field added to a run or model config after stores exist, e.g.
    ``label_smoothing: float = later_field(default=0.0, neutral=0.0)``: at ``neutral`` it stays
    out of every run's identity, so runs stored before it existed are still found."""
    return field(metadata={FINGERPRINT_NEUTRAL: neutral}, **field_arguments)


def changed_default(*, earlier: Any, **field_arguments: Any):
    """A data or train field whose default changed after stores exist, e.g.
    ``standardize: bool | str = changed_default(default=False, earlier="auto")``: a recorded
    command that did not set it ran with the value its store's config.yaml records (``earlier``
    where the file names none); see ``as_recorded``."""
    return field(metadata={EARLIER_DEFAULT: earlier}, **field_arguments)


@dataclass
class DataConfig:
    """Where the utterances come from and how they are tokenised.

    Args:
        path: a file or folder any reader of ``shiftmsa.data`` understands, or ``"synthetic"``.
        format: ``auto`` or a reader name (see ``shiftmsa data check --help``).
        options: reader options, e.g. ``{"split": "bclstm_split", "features": ["audio_opensmile"]}``
            for the MOSI table, or ``{"n": 600, "seed": 1}`` for the synthetic generator.
        max_length: word pieces per utterance, special tokens included (MAG-BERT's length, which
            the paper follows).
        standardize: scale each acoustic / visual column by the mean and std of the train split
            (``true``), not (``false``, the default), or ``auto``: on for per-utterance features
            (the MOSI table), off for word-aligned ones (the default until 2026-12-06). The paper
            is silent (Section IV-B) and MAG-BERT does not scale; on the MOSI table's openSMILE
            values every model measured scores as well or better on the validation split
            unscaled (docs/results_notes.md). The statistics are stored in the checkpoint.
    """

    path: str = "synthetic"
    format: str = "auto"
    options: dict[str, Any] = field(default_factory=dict)
    max_length: int = DEFAULT_MAX_LENGTH
    standardize: bool | str = changed_default(default=False, earlier="auto")


@dataclass
class ModelConfig:
    """Which registered model to build.

    Args:
        name: a name from ``shiftmsa models`` (``msg-mba``, ``text-only``, ``mag``).
        preset: one of that model's presets (e.g. ``table3.msg_t_a``), or None for its default.
        params: overrides of the model's own config fields (e.g. ``{"encoder": "bert-base-uncased"}``).
    """

    name: str = "msg-mba"
    preset: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How this model is named in tables: ``name`` or ``name:preset``."""
        return f"{self.name}:{self.preset}" if self.preset else self.name


@dataclass
class TrainConfig:
    """The training protocol (Section IV-E).

    Args:
        epochs: training epochs (Section IV-E's for MOSI; the ``mosei`` protocol sets MOSEI's).
        batch_size: training batch size (Section IV-E's, the same on MOSI and MOSEI).
        eval_batch_size: batch size for validation and test passes (Section IV-E's); no effect on
            results (every model's output for an utterance is independent of its batch).
        learning_rate: peak learning rate of the text encoder (Section IV-E's).
        head_learning_rate: peak learning rate of every other parameter; None = learning_rate.
        weight_decay: AdamW decoupled weight decay (not applied to biases and LayerNorm weights).
        warmup_proportion: share of all optimisation steps spent in linear warm-up.
        max_grad_norm: gradient clipping norm; 0 disables clipping.
        seeds: one run per seed; a result is the mean and std over them.
        accelerator / devices / strategy / precision: the device kind, the processes on this
            machine (one per GPU; more than 1 trains with ``ddp``, see README "Several GPUs or
            machines"), the strategy (``auto`` or ``ddp``) and precision (e.g. ``gpu`` / ``4`` /
            ``ddp`` / ``bf16-mixed``); ``auto`` picks a GPU when present.
        collective_timeout: seconds after which an operation between processes (several
            devices) fails, so a rank that hangs or dies ends the run with an error.
        num_threads: CPU threads for torch; 0 leaves torch's default.
        keep_checkpoint: keep each run's best weights (``best/``) after it finished; the
            training state (``last/``) is always removed then.
        length_buckets: length-bucketed training batches: each epoch's seeded order is cut into
            pools of 50 batches, each pool sorted by word-piece length and cut into batches, and
            the batches shuffled (seeded: same seed, same batches), so a batch pads little;
            ``false`` takes batches straight from the shuffled order.
    """

    epochs: int = 40
    batch_size: int = 48
    eval_batch_size: int = 128
    learning_rate: float = 2e-5
    head_learning_rate: float | None = None
    weight_decay: float = 0.01
    warmup_proportion: float = 0.1
    max_grad_norm: float = 1.0
    seeds: list[int] = field(default_factory=lambda: list(DEFAULT_SEEDS))
    accelerator: str = "auto"
    devices: int | str = 1
    strategy: str = "auto"
    precision: str = "32-true"
    collective_timeout: float = 45.0
    num_threads: int = 0
    keep_checkpoint: bool = True
    length_buckets: bool = later_field(default=True, neutral=False)


@dataclass
class RunConfig:
    """Everything one training run needs, apart from its seed.

    Args:
        data: where the utterances come from (``DataConfig``).
        model: which registered model to build (``ModelConfig``).
        train: the training protocol (``TrainConfig``).
        output_dir: the experiment folder: its result store, one folder per run, the tables.
    """

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    output_dir: str = "runs/default"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)


# Named protocols: Section IV-E for MOSI (the defaults, set again so that it undoes a config file's
# values) and MOSEI, and a short CPU protocol (README, results.md). A value that is a default is
# read from its field, so each number is written once; the CLI's help lists what each one sets.
PROTOCOLS: dict[str, dict[str, Any]] = {
    "mosi": {"train.epochs": TrainConfig.epochs, "train.batch_size": TrainConfig.batch_size},
    "mosei": {"train.epochs": 20, "train.batch_size": TrainConfig.batch_size,
              "train.eval_batch_size": TrainConfig.eval_batch_size},
    "cpu": {"train.epochs": 6, "train.batch_size": 32, "train.head_learning_rate": 1e-3},
}
PROTOCOL_DESCRIPTIONS: dict[str, str] = {
    "mosi": "Section IV-E on CMU-MOSI, the defaults",
    "mosei": "Section IV-E on CMU-MOSEI",
    "cpu": "short, for 2-core machines",
}


def _section_from_dict(cls, values: dict[str, Any], where: str):
    if not isinstance(values, dict):
        raise ConfigError(f"{where} must be a mapping, got {type(values).__name__}")
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join(where + '.' + k for k in unknown)}; "
                          f"valid keys: {', '.join(sorted(known))}")
    hints = typing.get_type_hints(cls)
    return cls(**{key: _typed(value, hints[key], f"{where}.{key}") for key, value in values.items()})


def _type_name(annotation) -> str:
    if annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _typed(value: Any, annotation, key: str) -> Any:
    """``value`` checked against a field's annotation (int, float, str, bool, None, list[int],
    dict, unions of those); an int is accepted where a float or a string is expected."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(annotation):
            try:
                return _typed(value, option, key)
            except ConfigError:
                continue
        raise ConfigError(f"{key} must be {' or '.join(_type_name(a) for a in typing.get_args(annotation))}, "
                          f"got {value!r}")
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{key} must be a list, got {value!r}")
        (item,) = typing.get_args(annotation)
        return [_typed(element, item, f"{key} items") for element in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key} must be a mapping, got {value!r}")
        return value
    if annotation is type(None):
        if value is not None:
            raise ConfigError(f"{key} must be null, got {value!r}")
        return value
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if annotation is str and isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a folder named 2024
    if annotation is Any or (isinstance(value, annotation)
                             and not (isinstance(value, bool) and annotation is not bool)):
        return value
    raise ConfigError(f"{key} must be {_type_name(annotation)}, got {value!r}")


def config_from_dict(values: dict[str, Any]) -> RunConfig:
    """Build a RunConfig from nested mappings, rejecting unknown keys by name."""
    values = dict(values or {})
    sections = {"data": DataConfig, "model": ModelConfig, "train": TrainConfig}
    unknown = sorted(set(values) - set(sections) - {"output_dir"})
    if unknown:
        raise ConfigError(f"unknown top-level key(s) {unknown}; valid: data, model, train, output_dir")
    built = {name: _section_from_dict(cls, values.get(name, {}), name) for name, cls in sections.items()}
    config = RunConfig(**built, output_dir=str(values.get("output_dir", RunConfig.output_dir)))
    validate(config)
    return config


def as_recorded(config: RunConfig, named: Mapping[str, Any], command_keys: Collection[str] = ()) -> RunConfig:
    """``config`` as a recorded command ran it, from its store's config.yaml (``named``, as nested
    mappings) and the dotted keys the command set itself (``command_keys``, its ``--set`` keys):

    - a ``later_field`` of the data or train section that the file does not name takes its
      neutral value (``train.length_buckets`` became the default after the first stores were
      written);
    - a ``changed_default`` field the command did not set takes the file's value, or its earlier
      default where the file names none (``data.standardize`` was ``auto`` until 2026-12-06).
    """
    for section_name in ("data", "train"):
        section = getattr(config, section_name)
        recorded = named.get(section_name) or {}
        for spec in fields(section):
            if FINGERPRINT_NEUTRAL in spec.metadata and spec.name not in recorded:
                setattr(section, spec.name, spec.metadata[FINGERPRINT_NEUTRAL])
            if EARLIER_DEFAULT in spec.metadata and f"{section_name}.{spec.name}" not in command_keys:
                setattr(section, spec.name, recorded.get(spec.name, spec.metadata[EARLIER_DEFAULT]))
    return config


def load_config(path: str | Path | None, overrides: list[str] | None = None,
                protocol: str | None = None) -> RunConfig:
    """Read a YAML config (or the defaults), then a named protocol, then ``key=value`` overrides.

    A config file may start from a protocol (a top-level ``protocol: cpu``): its values apply
    first, then the file's own; ``protocol`` (``--protocol``) applies after the file, as always.
    Overrides use dotted keys and YAML values: ``train.epochs=3``, ``model.params.gate=vector``,
    ``data.options.features=[audio_opensmile]``.
    """
    values: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        values = _read_mapping(path)
        if "protocol" in values:
            values = dict(values)
            started_from: dict[str, Any] = {}
            try:
                settings = protocol_settings(values.pop("protocol"))
            except ConfigError as error:
                raise ConfigError(f"{path}: {error}") from None
            for key, value in settings.items():
                _assign(started_from, key, value)
            values = _merged(started_from, values)
    assignments = []
    if protocol is not None:
        assignments.extend(protocol_settings(protocol).items())
    for override in overrides or []:
        key, sep, raw = override.partition("=")
        if not sep or not key:
            raise ConfigError(f"override {override!r} is not KEY=VALUE (e.g. train.epochs=3)")
        try:
            assignments.append((key.strip(), parse_value(raw)))
        except yaml.YAMLError as error:
            raise ConfigError(f"{key.strip()}: {raw!r} is not a valid YAML value ({_yaml_problem(error)})") from None
    for key, value in assignments:
        _assign(values, key, value)
    return config_from_dict(values)


def _read_mapping(path: Path) -> dict[str, Any]:
    """A YAML config file's top-level mapping (empty for an empty file), or a ``ConfigError``
    naming the file and what is wrong with it."""
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (byte {error.object[error.start]:#04x} at offset "
                          f"{error.start}); save it as UTF-8") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {_yaml_problem(error)}") from None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: the top level is a {type(values).__name__}, not a mapping of sections "
                          f"(data:, model:, train:, output_dir:; see configs/)")
    return values


def _yaml_problem(error: yaml.YAMLError) -> str:
    """What the YAML parser found wrong and where (line and column, 1-based), in one line."""
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return (getattr(error, "problem", None) or " ".join(str(error).split())) + where


def protocol_settings(name: str) -> dict[str, Any]:
    """What the protocol ``name`` sets: dotted key -> value (a copy of ``PROTOCOLS[name]``)."""
    if not isinstance(name, str) or name not in PROTOCOLS:
        raise ConfigError(f"unknown protocol {name!r}; choose from {sorted(PROTOCOLS)}")
    return dict(PROTOCOLS[name])


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``over``'s values on top, mappings merged key by key."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            value = _merged(merged[key], value)
        merged[key] = value
    return merged


def with_values(config: RunConfig, values: dict[str, Any]) -> RunConfig:
    """``config`` with dotted keys set (``{"train.learning_rate": 5e-5}``), validated again.

    Args:
        config: the configuration to start from (left unchanged).
        values: dotted key -> value, as ``--set`` takes them but already parsed.
    """
    merged = config.to_dict()
    for key, value in values.items():
        _assign(merged, key, value)
    return config_from_dict(merged)


def parse_value(raw: str) -> Any:
    """A YAML value, with numbers such as ``3e-5`` (a string to YAML 1.1) read as floats."""
    value = yaml.safe_load(raw)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _assign(values: dict[str, Any], dotted_key: str, value: Any) -> None:
    *parents, leaf = dotted_key.split(".")
    node = values
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"cannot set {dotted_key}: {part} is not a mapping")
    node[leaf] = value


def validate(config: RunConfig) -> None:
    """Reject values that cannot run, naming the key."""
    train = config.train
    checks = [
        (train.epochs >= 1, "train.epochs must be >= 1"),
        (train.batch_size >= 1, "train.batch_size must be >= 1"),
        (train.eval_batch_size >= 1, "train.eval_batch_size must be >= 1"),
        (train.learning_rate > 0, "train.learning_rate must be > 0"),
        (train.head_learning_rate is None or train.head_learning_rate > 0,
         "train.head_learning_rate must be > 0 or null"),
        (0 <= train.warmup_proportion < 1, "train.warmup_proportion must be in [0, 1)"),
        (train.max_grad_norm >= 0, "train.max_grad_norm must be >= 0"),
        (len(train.seeds) >= 1 and len(set(train.seeds)) == len(train.seeds),
         "train.seeds must be a non-empty list of distinct integers"),
        (config.data.max_length >= 4, "data.max_length must be >= 4"),
        (isinstance(config.data.standardize, bool) or config.data.standardize == "auto",
         "data.standardize must be true, false or auto"),
    ]
    for ok, message in checks:
        if not ok:
            raise ConfigError(message)
