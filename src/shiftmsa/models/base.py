"""The model contract: what every registered model takes, returns and declares.

A model is a ``SentimentModel`` (an ``nn.Module``) built from its one config dataclass, a
``SentimentModelConfig`` subclass, as ``Model(config, *, load_pretrained=True)``. The trainer,
the CLI and the explanations rely on this and nothing else:

- inputs: ``ModelInputs``, the six tensors of a batch. The model is called with them as keyword
  arguments (``model(**batch.model_inputs())``) or as one object (``model(inputs)``);
  ``SentimentModel.__call__`` checks them once, against the config (``check_inputs``), and
  hands ``forward`` a ``ModelInputs`` that holds only what the model uses;
- ``forward(inputs) -> RegressionOutput``: the one method a model must write;
- ``objective(output, labels, step) -> Tensor``: the loss, Eq. 18 + Eq. 20 unless a model
  overrides it. ``step`` is a ``TrainingStep`` on training batches and None on validation and
  test passes: the hook for per-step state (Self-MM updates its label memory there);
- what the model needs from the corpus, declared on the class: the streams its config uses
  (``SentimentModelConfig.modalities``) and which preset fields switch on a stream's modules
  (``stream_switches``), whether it is sized for a token length (``sized_for_token_length``)
  and whether it keeps a per-utterance training memory (``keeps_utterance_memory``).
  ``shiftmsa.training.modelling`` fits a config to a corpus from these declarations alone.

``registry.register_model`` refuses a model class that breaks the contract (``check_contract``).
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import nn
from torch.nn import functional

from shiftmsa.defaults import DEFAULT_ENCODER
from shiftmsa.models.modalities import (MODALITIES, NON_TEXT, check_modalities, check_modality_dims,
                                        check_text_with_partner)
from shiftmsa.models.output import RegressionOutput, TrainingStep

TOKEN_LENGTH_FIELD = "max_length"  # the config field of a model with ``sized_for_token_length``
MEMORY_ROWS_FIELD = "train_samples"  # the config field of a model with ``keeps_utterance_memory``


@dataclass(frozen=True)
class ModelInputs:
    """One batch as a model sees it: the data layer's ``Batch.model_inputs()``, typed.

    Args:
        input_ids: (B, L) token ids (None for a model without text).
        attention_mask: (B, L), 1 on real tokens: the mask of every stream (all are aligned to
            the word pieces).
        token_type_ids: (B, L) segment ids, or None.
        acoustic / visual: (B, L, d_m) rows, or None (a corpus without the stream, or a model
            that does not use it).
        cls_index: (B,) position of the [CLS] token (0 for BERT, L - 1 for XLNet).
    """

    input_ids: torch.Tensor | None = None
    attention_mask: torch.Tensor | None = None
    token_type_ids: torch.Tensor | None = None
    acoustic: torch.Tensor | None = None
    visual: torch.Tensor | None = None
    cls_index: torch.Tensor | None = None

    def stream(self, modality: str) -> torch.Tensor | None:
        """The (B, L, d_m) rows of non-text ``modality``."""
        if modality not in NON_TEXT:
            raise ValueError(f"stream() takes one of {NON_TEXT}, got {modality!r}")
        return getattr(self, modality)


class SentimentModelConfig:
    """Base of every model's config dataclass (subclass it and decorate with ``@dataclass``).

    Fields a config declares itself, so that they keep their place in saved configs:
        encoder: text encoder name or folder.
        modalities: the streams the model uses; the default is what it uses on a corpus with all
            three (training narrows it to the corpus' streams unless chosen).
        acoustic_dim / visual_dim: the width of each non-text stream the model can use (set
            from the corpus; ``validate`` refuses a used stream without one).
        max_length: only for a model with ``sized_for_token_length``.
        train_samples: only for a model with ``keeps_utterance_memory``.

    Class attributes:
        model_name: the name error messages give.
        text_with_partner: ``modalities`` must hold text and at least one non-text stream (a
            model that fuses text with the others).
    """

    model_name: ClassVar[str] = "model"
    text_with_partner: ClassVar[bool] = False

    def __post_init__(self) -> None:
        self.modalities = tuple(self.modalities)
        if self.text_with_partner:
            check_text_with_partner(self.modalities, self.model_name)
        else:
            check_modalities(self.modalities)

    def validate(self) -> None:
        """Checks that need the corpus: every used non-text stream has its width."""
        check_modality_dims(self, self.model_name)

    def effective_settings(self) -> dict[str, Any]:
        """What decides this model's arithmetic, for telling two configurations apart that would
        train the same model (``shiftmsa reproduce`` refuses such a second row): every field,
        less the widths of streams it does not use. A model whose switches can be off without
        effect (a gate of an absent stream) overrides this."""
        values = dataclasses.asdict(self)
        for modality in NON_TEXT:
            if modality not in self.modalities:
                values.pop(f"{modality}_dim", None)
        return values

    def used_modalities(self) -> tuple[str, ...]:
        """The configured modalities in the canonical order text, acoustic, visual."""
        return tuple(m for m in MODALITIES if m in self.modalities)

    def stream_width(self, modality: str) -> int | None:
        """d_m of a non-text stream (``<modality>_dim``), None when unset or not a field."""
        return getattr(self, f"{modality}_dim", None)


@dataclass
class MultimodalConfig(SentimentModelConfig):
    """The leading fields of a model that can use all three streams (its config adds its own).

    Args:
        encoder: text encoder name or folder.
        modalities: the streams used (all three by default).
        acoustic_dim / visual_dim: input widths d_a, d_v, set from the corpus.
    """

    encoder: str = DEFAULT_ENCODER
    modalities: tuple[str, ...] = MODALITIES
    acoustic_dim: int | None = None
    visual_dim: int | None = None


def mean_squared_error(output: RegressionOutput, labels: torch.Tensor) -> torch.Tensor:
    """L_reg of Eq. 18, in float32 whatever the precision of the forward pass."""
    return functional.mse_loss(output.prediction.float(), labels.float())


class SentimentModel(nn.Module):
    """Base of every registered model (see the module docstring).

    A subclass writes ``__init__(config, *, load_pretrained=True)`` (calling
    ``super().__init__(config)`` first; ``load_pretrained=False`` builds any pretrained part
    from its config with random weights, as a checkpoint is restored) and ``forward(inputs)``.

    Class attributes (what the model needs from the corpus):
        sized_for_token_length: parameters are sized for the batches' token length; training
            sets the config's ``max_length`` to ``data.max_length`` unless the run chooses it.
        keeps_utterance_memory: the model keeps one row of state per training utterance;
            training sets the config's ``train_samples`` to the size of the train split.
        stream_switches: config field -> the non-text stream whose module a true value switches
            on (msg-mba: ``msg_acoustic`` -> acoustic). A preset that switches on a module of a
            stream the corpus lacks is refused rather than run as another model.
    """

    sized_for_token_length: ClassVar[bool] = False
    keeps_utterance_memory: ClassVar[bool] = False
    stream_switches: ClassVar[Mapping[str, str]] = {}

    def __init__(self, config: SentimentModelConfig) -> None:
        super().__init__()
        config.validate()
        self.config = config

    def __call__(self, *args: Any, **kwargs: Any) -> RegressionOutput:
        """Check the inputs (one ``ModelInputs``, or its fields as arguments) and run the module
        (hooks, then ``forward``) on what ``check_inputs`` returns."""
        if len(args) == 1 and not kwargs and isinstance(args[0], ModelInputs):
            inputs = args[0]
        else:
            inputs = ModelInputs(*args, **kwargs)
        return super().__call__(self.check_inputs(inputs))

    def forward(self, inputs: ModelInputs) -> RegressionOutput:
        """The prediction for a batch of checked inputs: every subclass writes it."""
        raise NotImplementedError(f"{type(self).__name__} defines no forward(inputs)")

    def required_inputs(self) -> tuple[str, ...]:
        """The inputs besides the streams that ``forward`` reads: ``attention_mask``, and
        ``input_ids`` when the model uses text. A model reading ``cls_index`` adds it."""
        return ("input_ids", "attention_mask") if "text" in self.config.modalities else ("attention_mask",)

    def check_inputs(self, inputs: ModelInputs) -> ModelInputs:
        """``inputs`` with what the model does not use set to None, after refusing a missing
        required input or a used stream that is absent or not (batch, tokens, d_m) wide."""
        name, modalities = self.config.model_name, self.config.modalities
        required = self.required_inputs()
        missing = [f"{field}=None" for field in required if getattr(inputs, field) is None]
        if missing:
            raise ValueError(f"{name} needs {', '.join(required)}; got {', '.join(missing)}")
        for modality in NON_TEXT:
            if modality not in modalities:
                continue
            value, expected = inputs.stream(modality), self.config.stream_width(modality)
            if value is None:
                raise ValueError(f"{name} uses the {modality} modality but got {modality}=None")
            if value.dim() != 3 or value.shape[-1] != expected:
                raise ValueError(f"{name}: {modality} must be (batch, tokens, {expected}) "
                                 f"({modality}_dim={expected}), got {tuple(value.shape)}")
        unused = {m: None for m in NON_TEXT if m not in modalities}
        if "text" not in modalities:
            unused.update(input_ids=None, token_type_ids=None)
        return dataclasses.replace(inputs, **unused) if unused else inputs

    def objective(self, output: RegressionOutput, labels: torch.Tensor, step: TrainingStep | None) -> torch.Tensor:
        """The loss of a batch, minimised on training batches and averaged over the validation
        split to choose the best epoch: MSE (Eq. 18) plus the model's already weighted
        auxiliary terms (``output.auxiliary_loss``; msg-mba's Shifting HuberLoss, Eq. 20).

        ``step`` is the ``TrainingStep`` of a training batch, None on validation and test
        passes. A model that overrides this may update its per-utterance state (buffers, so
        checkpoints carry it) from detached outputs when ``step`` is given, and only then.
        """
        return mean_squared_error(output, labels) + output.auxiliary_loss

    def utterance_memory(self) -> list[tuple[torch.Tensor, int]]:
        """The buffers of a model with ``keeps_utterance_memory`` that hold one row per training
        utterance, each with the dimension its rows run along; [] for a model without. Trained on
        several processes, each rank updates the rows of its share of a batch in ``objective``,
        and the fit loop then copies every rank's updated rows to the others."""
        return []

    @classmethod
    def streams_switched_on(cls, overrides: Mapping[str, Any]) -> tuple[str, ...]:
        """The non-text streams whose modules ``overrides`` (a preset) switch on."""
        switched = {stream for field, stream in cls.stream_switches.items() if overrides.get(field)}
        return tuple(m for m in NON_TEXT if m in switched)


def check_contract(name: str, config_class: type, model_class: Any) -> None:
    """Refuse a (config, model) pair that breaks the contract, naming what breaks it."""
    def refuse(problem: str) -> None:
        raise ValueError(f"model {name!r} breaks the model contract (shiftmsa.models.base): {problem}")

    if not (isinstance(model_class, type) and issubclass(model_class, SentimentModel)):
        refuse(f"{model_class!r} is not a SentimentModel subclass")
    if model_class.forward is SentimentModel.forward:
        refuse(f"{model_class.__name__} defines no forward(inputs)")
    if model_class.objective is not SentimentModel.objective:
        try:
            inspect.signature(model_class.objective).bind(None, "output", "labels", "step")
        except TypeError:
            refuse(f"{model_class.__name__}.objective must take (output, labels, step)")
    if not (dataclasses.is_dataclass(config_class) and isinstance(config_class, type)
            and issubclass(config_class, SentimentModelConfig)):
        refuse(f"{config_class!r} is not a SentimentModelConfig dataclass")
    try:
        defaults = config_class()
    except Exception as error:  # noqa: BLE001 (any failure means the defaults are not a config)
        refuse(f"{config_class.__name__}() fails with its defaults: {error}")
    fields = {f.name for f in dataclasses.fields(config_class)}
    wanted = {"encoder", "modalities"}
    wanted |= {f"{m}_dim" for m in NON_TEXT if m in defaults.modalities}
    wanted |= {TOKEN_LENGTH_FIELD} if model_class.sized_for_token_length else set()
    wanted |= {MEMORY_ROWS_FIELD} if model_class.keeps_utterance_memory else set()
    wanted |= set(model_class.stream_switches)
    if wanted - fields:
        refuse(f"{config_class.__name__} lacks the field(s) {', '.join(sorted(wanted - fields))}")
    streams = set(model_class.stream_switches.values()) - set(NON_TEXT)
    if streams:
        refuse(f"stream_switches name unknown streams {sorted(streams)}; streams are {NON_TEXT}")
