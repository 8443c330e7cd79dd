"""The model contract (shiftmsa.models.base): the default objective (Eq. 18 + 20), inputs checked
once against what a model declares, corpus needs read from the class, and the registry refusing a
model class that breaks the contract."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest
import torch
from torch import nn

from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.data.batch import Batch
from shiftmsa.data.contract import Corpus
from shiftmsa.models import (ModelInputs, RegressionOutput, SentimentModel, SentimentModelConfig, TrainingStep,
                             available_models, build_model, make_config, register_model)
from shiftmsa.models.registry import REGISTRY
from shiftmsa.training.loop import RunTrainer, predict_utterances
from shiftmsa.training.modelling import corpus_fitted_overrides, load_bundle

LABELS = torch.tensor([0.0, 0.0])


@dataclass
class ToyConfig(SentimentModelConfig):
    """A model on the mean of its non-text rows (text only to carry the tokenizer)."""

    model_name = "toy"

    encoder: str = "minilm"
    modalities: tuple[str, ...] = ("text", "acoustic", "visual")
    acoustic_dim: int | None = None
    visual_dim: int | None = None


class ToyModel(SentimentModel):
    """Defines forward and nothing else of the contract."""

    def __init__(self, config: ToyConfig, *, load_pretrained: bool = True) -> None:
        super().__init__(config)
        streams = [m for m in ("acoustic", "visual") if m in config.modalities]
        self.streams = streams
        self.linear = nn.Linear(sum(config.stream_width(m) for m in streams), 1)
        self.seen: list[ModelInputs] = []

    def forward(self, inputs: ModelInputs) -> RegressionOutput:
        self.seen.append(inputs)
        rows = torch.cat([inputs.stream(m) for m in self.streams], dim=-1)
        mask = inputs.attention_mask.unsqueeze(-1).float()
        prediction = self.linear((rows * mask).sum(1) / mask.sum(1)).squeeze(-1)
        return RegressionOutput(prediction=prediction, auxiliary_loss=prediction.new_zeros(()))


@pytest.fixture
def registered():
    """Registers models under test names and takes them out of the registry afterwards."""
    names = []

    def register(name, config_class, model_class, presets=None):
        names.append(name)
        return register_model(name, config_class, model_class, presets or {}, "a test model")

    yield register
    for name in names:
        REGISTRY.pop(name, None)


def toy_inputs(acoustic_dim: int = 4, visual_dim: int = 3, **replaced) -> dict[str, torch.Tensor | None]:
    generator = torch.Generator().manual_seed(0)
    inputs = {"input_ids": torch.ones(2, 5, dtype=torch.long), "attention_mask": torch.ones(2, 5, dtype=torch.long),
              "token_type_ids": torch.zeros(2, 5, dtype=torch.long),
              "acoustic": torch.randn(2, 5, acoustic_dim, generator=generator),
              "visual": torch.randn(2, 5, visual_dim, generator=generator),
              "cls_index": torch.zeros(2, dtype=torch.long)}
    return {**inputs, **replaced}


def test_the_default_objective_is_mse_plus_the_weighted_auxiliary_terms():
    """Eq. 20: L_reg (Eq. 18) plus the already weighted Shifting HuberLoss terms, on training and
    evaluation alike."""
    model = ToyModel(ToyConfig(acoustic_dim=4, visual_dim=3))
    output = RegressionOutput(prediction=torch.tensor([1.0, 2.0]), auxiliary_loss=torch.tensor(3.25))
    assert model.objective(output, LABELS, None).item() == 2.5 + 3.25
    assert model.objective(output, LABELS, TrainingStep(torch.arange(2), 1)).item() == 2.5 + 3.25


def test_a_registered_model_that_only_defines_forward_trains_on_the_default_objective(registered, tiny_bert_dir,
                                                                                      tmp_path):
    registered("toy", ToyConfig, ToyModel)
    corpus = generate_synthetic(24, seed=1, acoustic_dim=4, visual_dim=3)
    config = load_config(None, ["model.name=toy", f"model.params.encoder={tiny_bert_dir}", "train.epochs=1",
                                "train.batch_size=8", "train.seeds=[0]", f"output_dir={tmp_path}",
                                "data.max_length=16", "train.accelerator=cpu", "train.keep_checkpoint=true"])
    outcome = RunTrainer(config, 0, corpus, tmp_path / "run").run()
    prepared, _ = load_bundle(tmp_path / "run" / "best")
    assert isinstance(prepared.model, ToyModel)
    valid = predict_utterances(prepared, corpus.splits["valid"], 8, torch.device("cpu"))
    errors = np.array(valid.predictions) - np.array(valid.labels)
    assert valid.objective == pytest.approx(float(np.mean(errors ** 2)), rel=1e-5)  # Eq. 18, no auxiliary term
    assert outcome.best_valid_objective == pytest.approx(valid.objective, rel=1e-5)


def test_inputs_are_checked_once_against_the_streams_the_config_declares():
    model = ToyModel(ToyConfig(modalities=("text", "visual"), visual_dim=3))
    output = model(**toy_inputs(acoustic_dim=9))  # the unused acoustic stream is ignored, whatever its width
    assert output.prediction.shape == (2,)
    seen = model.seen[-1]
    assert isinstance(seen, ModelInputs) and seen.acoustic is None and seen.visual is not None
    with pytest.raises(ValueError, match="toy uses the visual modality but got visual=None"):
        model(**toy_inputs(visual=None))
    with pytest.raises(ValueError, match=r"toy: visual must be \(batch, tokens, 3\) \(visual_dim=3\), got \(2, 5, 2\)"):
        model(**toy_inputs(visual_dim=2))
    with pytest.raises(ValueError, match="toy needs input_ids, attention_mask; got attention_mask=None"):
        model(**toy_inputs(attention_mask=None))
    # one ModelInputs object, or its fields, are the same call
    torch.testing.assert_close(model(ModelInputs(**toy_inputs())).prediction, model(**toy_inputs()).prediction)


def test_a_model_reading_cls_index_declares_it():
    class ReadsCls(ToyModel):
        def required_inputs(self):
            return (*super().required_inputs(), "cls_index")

    model = ReadsCls(ToyConfig(acoustic_dim=4, visual_dim=3))
    with pytest.raises(ValueError, match="toy needs input_ids, attention_mask, cls_index; got cls_index=None"):
        model(**toy_inputs(cls_index=None))


def test_batch_inputs_are_the_contract_inputs():
    assert Batch.MODEL_INPUTS == tuple(f.name for f in dataclasses.fields(ModelInputs))


@dataclass
class SwitchingConfig(ToyConfig):
    max_length: int = 50
    train_samples: int | None = None
    acoustic_module: bool = False


class SwitchingModel(ToyModel):
    sized_for_token_length = True
    keeps_utterance_memory = True
    stream_switches: ClassVar[dict[str, str]] = {"acoustic_module": "acoustic"}


def text_visual_corpus() -> Corpus:
    corpus = generate_synthetic(12, seed=1, acoustic_dim=4, visual_dim=3)
    return Corpus("no-acoustic", "test", {split: [dataclasses.replace(u, acoustic=None) for u in utterances]
                                          for split, utterances in corpus.splits.items()},
                  acoustic_dim=None, visual_dim=3, word_aligned=True)


def test_training_fits_a_config_to_the_corpus_from_what_the_model_class_declares(registered, tmp_path):
    registered("switching", SwitchingConfig, SwitchingModel, {"with_acoustic": {"acoustic_module": True},
                                                              "plain": {"acoustic_module": False}})
    registered("toy", ToyConfig, ToyModel)
    corpus = text_visual_corpus()

    def fitted(name, *settings):
        config = load_config(None, [f"model.name={name}", "data.max_length=24", f"output_dir={tmp_path}", *settings])
        return corpus_fitted_overrides(config, corpus)

    assert fitted("switching") == {"max_length": 24, "modalities": ("text", "visual"), "train_samples": 8}
    assert fitted("switching", "model.params.max_length=30", "model.params.train_samples=2") == {
        "max_length": 30, "modalities": ("text", "visual"), "train_samples": 8}
    assert fitted("switching", "model.preset=plain")["modalities"] == ("text", "visual")
    with pytest.raises(ValueError, match="needs the acoustic stream and corpus no-acoustic has no acoustic stream"):
        fitted("switching", "model.preset=with_acoustic")
    assert fitted("toy") == {"modalities": ("text", "visual")}  # declares nothing: no length, no memory


def test_every_registered_model_keeps_the_contract():
    specs = {spec.name: spec for spec in available_models()}
    assert {"msg-mba", "text-only", "mag", "tfn", "lmf", "mfn", "mult", "misa", "self-mm"} <= set(specs)
    for spec in specs.values():
        assert issubclass(spec.model_class, SentimentModel)
        assert issubclass(spec.config_class, SentimentModelConfig)
    own = {name for name, spec in specs.items() if spec.model_class.objective is not SentimentModel.objective}
    assert own == {"misa", "self-mm"}
    assert {name for name, spec in specs.items() if spec.model_class.keeps_utterance_memory} == {"self-mm"}
    assert {name for name, spec in specs.items() if spec.model_class.sized_for_token_length} == {"msg-mba", "text-only"}
    assert specs["msg-mba"].model_class.streams_switched_on(specs["msg-mba"].presets["table3.msg_t_a"]) == ("acoustic",)
    assert specs["msg-mba"].model_class.streams_switched_on(specs["msg-mba"].presets["table3.no_modules"]) == ()


def test_build_model_returns_a_checked_model(tiny_encoders, feature_dims, batches):
    model = build_model("mag", make_config("mag", overrides={"encoder": tiny_encoders["bert"]}, **feature_dims))
    with pytest.raises(ValueError, match="mag needs input_ids, attention_mask, cls_index; got cls_index=None"):
        model(**{**batches["bert"], "cls_index": None})


class NoForward(SentimentModel):
    pass


class BadObjective(ToyModel):
    def objective(self, output, labels):
        return super().objective(output, labels, None)


@dataclass
class PlainConfig:
    encoder: str = "minilm"
    modalities: tuple[str, ...] = ("text",)


class MemoryWithoutField(ToyModel):
    keeps_utterance_memory = True


class UnknownSwitch(ToyModel):
    stream_switches: ClassVar[dict[str, str]] = {"acoustic_module": "acoustic"}


class UnknownStream(SwitchingModel):
    stream_switches: ClassVar[dict[str, str]] = {"acoustic_module": "audio"}


@pytest.mark.parametrize(("config_class", "model_class", "problem"), [
    (ToyConfig, lambda config, **_: nn.Identity(), "is not a SentimentModel subclass"),
    (ToyConfig, nn.Linear, "is not a SentimentModel subclass"),
    (ToyConfig, NoForward, "NoForward defines no forward"),
    (ToyConfig, BadObjective, r"BadObjective.objective must take \(output, labels, step\)"),
    (PlainConfig, ToyModel, "is not a SentimentModelConfig dataclass"),
    (ToyConfig, MemoryWithoutField, "ToyConfig lacks the field\\(s\\) train_samples"),
    (ToyConfig, UnknownSwitch, "ToyConfig lacks the field\\(s\\) acoustic_module"),
    (SwitchingConfig, UnknownStream, "stream_switches name unknown streams \\['audio'\\]"),
])
def test_the_registry_refuses_a_model_that_breaks_the_contract(config_class, model_class, problem, registered):
    with pytest.raises(ValueError, match=f"model 'broken' breaks the model contract .*{problem}"):
        registered("broken", config_class, model_class)
    assert "broken" not in REGISTRY
