"""Model registry: name -> (config dataclass, model class, presets, description).

The trainer, the CLI and the experiment specs only go through these functions and the model
contract (``base.py``), so a baseline joins with one ``register_model`` call and no change
elsewhere. The built-in models are registered when ``shiftmsa.models`` is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from shiftmsa.models.base import SentimentModel, SentimentModelConfig, check_contract


@dataclass(frozen=True)
class ModelSpec:
    """One registered model.

    Args:
        name: registry key (``msg-mba``).
        config_class: the model's ``SentimentModelConfig`` dataclass (JSON-serialisable fields).
        model_class: the ``SentimentModel`` subclass, built as ``model_class(config, *, load_pretrained)``.
        presets: preset name -> field overrides.
        description: one line.
        preset_descriptions: preset name -> one line.
    """

    name: str
    config_class: type[SentimentModelConfig]
    model_class: type[SentimentModel]
    presets: dict[str, dict[str, Any]]
    description: str
    preset_descriptions: dict[str, str] = field(default_factory=dict)


REGISTRY: dict[str, ModelSpec] = {}


def register_model(name: str, config_class: type[SentimentModelConfig],
                   model_class: type[SentimentModel], presets: dict[str, dict], description: str, *,
                   preset_descriptions: dict[str, str] | None = None) -> ModelSpec:
    """Add a model; a name can be registered once, and only a pair that keeps the model
    contract (``base.check_contract``)."""
    if name in REGISTRY:
        raise ValueError(f"model {name!r} is already registered")
    check_contract(name, config_class, model_class)
    valid = {f.name for f in fields(config_class)}
    for preset, overrides in presets.items():
        unknown = sorted(set(overrides) - valid)
        if unknown:
            raise ValueError(f"preset {preset!r} of {name!r} sets unknown field(s) {unknown}")
    spec = ModelSpec(name, config_class, model_class, dict(presets), description, dict(preset_descriptions or {}))
    REGISTRY[name] = spec
    return spec


def available_models() -> list[ModelSpec]:
    """Every registered model, in registration order."""
    return list(REGISTRY.values())


def model_spec(name: str) -> ModelSpec:
    if name not in REGISTRY:
        raise ValueError(f"unknown model {name!r}; registered models: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def make_config(name: str, preset: str | None = None, overrides: dict | None = None, *,
                acoustic_dim: int | None = None, visual_dim: int | None = None):
    """A validated config: defaults, then the preset, then ``overrides``, then the corpus'
    feature widths (when the config has those fields and they are given)."""
    spec = model_spec(name)
    values: dict[str, Any] = {}
    if preset is not None:
        if preset not in spec.presets:
            raise ValueError(f"unknown preset {preset!r} for model {name!r}; presets: {', '.join(spec.presets)}")
        values.update(spec.presets[preset])
    values.update(overrides or {})
    valid = [f.name for f in fields(spec.config_class)]
    unknown = sorted(set(values) - set(valid))
    if unknown:
        raise ValueError(f"unknown config field(s) {', '.join(unknown)} for model {name!r}; "
                         f"valid fields: {', '.join(valid)}")
    for dim_field, dim in (("acoustic_dim", acoustic_dim), ("visual_dim", visual_dim)):
        if dim is not None and dim_field in valid:
            values[dim_field] = dim
    config = spec.config_class(**values)
    config.validate()
    return config


def build_model(name: str, config, *, load_pretrained: bool = True) -> SentimentModel:
    """The model for a config made by ``make_config`` (or rebuilt from its ``asdict``)."""
    spec = model_spec(name)
    if not isinstance(config, spec.config_class):
        raise ValueError(f"model {name!r} takes a {spec.config_class.__name__}, got {type(config).__name__}")
    return spec.model_class(config, load_pretrained=load_pretrained)
