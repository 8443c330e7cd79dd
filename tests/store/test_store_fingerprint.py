"""Run identity: resolved values, not spellings; later fields at their neutral value keep stored
runs' fingerprints; changes are named."""

import dataclasses
import json

import pytest

from shiftmsa.config import TrainConfig, later_field, load_config
from shiftmsa.data.identity import DataIdentity
from shiftmsa.models import registry
from shiftmsa.store.fingerprint import (fingerprint_differences, fingerprint_digest, fingerprint_text, run_identity,
                                        typed_path_identity)

# what identify_data gives the MOSI folder: only its digest enters identities
MOSI = DataIdentity("0123456789abcdef" * 2, "/data/mosi")


def digest(config):
    return fingerprint_digest(config, MOSI)


def text(config):
    return fingerprint_text(config, MOSI)


def identity(config):
    return run_identity(config, MOSI)


def mosi_config(model: str = "text-only", *overrides: str):
    return load_config(None, ["data.path=../shared/data/mosi", "data.options.split=sdk_fold",
                              f"model.name={model}", *overrides], protocol="cpu")


def test_identity_ignores_where_how_fast_and_which_seeds_but_not_what():
    base = mosi_config()
    moved = mosi_config("text-only", "output_dir=elsewhere", "train.devices=2", "train.seeds=[7]",
                        "train.num_threads=1", "train.keep_checkpoint=false", "train.eval_batch_size=7")
    changed = mosi_config("text-only", "train.learning_rate=3e-5")
    assert digest(base) == digest(moved)
    assert digest(base) != digest(changed)


def test_the_data_is_its_digest_not_its_path_format_or_reader_options():
    base = mosi_config()
    elsewhere = mosi_config("text-only", "data.path=.carry/data/mosi", "data.format=mosi-table")
    other = DataIdentity("f" * 32, MOSI.path)
    assert digest(elsewhere) == digest(base) != fingerprint_digest(base, other)
    assert digest(mosi_config("text-only", "data.max_length=20")) != digest(base)


def test_generated_data_keeps_the_identity_it_had_with_the_path_as_typed():
    synthetic = load_config(None, ["data.options.n=60", "model.name=text-only"])
    assert run_identity(synthetic) == typed_path_identity(synthetic)
    assert typed_path_identity(mosi_config())["data"]["path"] == "../shared/data/mosi"


def test_a_value_spelled_out_at_its_default_is_the_same_run():
    default = mosi_config("msg-mba")
    spelled = mosi_config("msg-mba", "model.params.gate=vector",
                          "model.params.encoder=minilm")
    assert identity(default)["model"]["config"]["gate"] == "vector"
    assert digest(spelled) == digest(default)


def test_a_preset_is_resolved_into_the_model_values():
    config = mosi_config("msg-mba", "model.preset=table3.msg_t")
    values = identity(config)["model"]["config"]
    assert values["msg_text"] and not values["msg_acoustic"] and not values["mba"]


@dataclasses.dataclass
class TrainConfigOfALaterRelease(TrainConfig):
    """TrainConfig with an option added after stores exist."""

    label_smoothing: float = later_field(default=0.0, neutral=0.0)


def with_train(config, train_type, **values):
    config.train = train_type(**{**dataclasses.asdict(config.train), **values})
    return config


def test_a_later_field_at_its_neutral_value_keeps_fingerprints_and_changes_them_when_set():
    before = digest(mosi_config())
    at_neutral = with_train(mosi_config(), TrainConfigOfALaterRelease)
    changed = with_train(mosi_config(), TrainConfigOfALaterRelease, label_smoothing=0.1)
    assert digest(at_neutral) == before
    assert digest(changed) != before
    assert json.loads(text(changed))["train"]["label_smoothing"] == 0.1


def test_a_changed_model_default_changes_only_that_models_fingerprints(monkeypatch):
    before = {name: digest(mosi_config(name)) for name in ("msg-mba", "text-only")}
    spec = registry.model_spec("msg-mba")
    other_rnn = "bgru" if spec.config_class().rnn != "bgru" else "slstm"
    changed_class = dataclasses.make_dataclass("ChangedDefault", [("rnn", str, dataclasses.field(default=other_rnn))],
                                               bases=(spec.config_class,))
    monkeypatch.setitem(registry.REGISTRY, "msg-mba", dataclasses.replace(spec, config_class=changed_class))
    after = {name: digest(mosi_config(name)) for name in ("msg-mba", "text-only")}
    assert after["text-only"] == before["text-only"]
    assert after["msg-mba"] != before["msg-mba"]


def test_redefining_a_preset_changes_the_fingerprint_of_its_runs(monkeypatch):
    config = mosi_config("msg-mba", "model.preset=table3.no_modules")
    before = digest(config)
    monkeypatch.setitem(registry.model_spec("msg-mba").presets, "table3.no_modules", {"modalities": ("text",)})
    assert digest(config) != before


def test_differences_name_each_changed_key():
    old = identity(load_config(None, ["train.epochs=1"]))
    new = identity(load_config(None, ["train.epochs=2", "model.params.gate=scalar"]))
    assert fingerprint_differences(old, new) == ['model.config.gate: "vector" -> "scalar"', "train.epochs: 1 -> 2"]


def test_an_unknown_model_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown model 'nope'"):
        digest(load_config(None, ["model.name=nope"]))
