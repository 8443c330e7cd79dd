"""Fingerprints: stored runs keep theirs when a field is added at its default; changes show."""

import dataclasses
import json

import pytest

from shiftmsa.config import RunConfig, TrainConfig, load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.experiments import runner
from shiftmsa.experiments.experiment import Experiment
from shiftmsa.models import available_models
from shiftmsa.store.fingerprint import fingerprint_differences, fingerprint_digest, fingerprint_text
from shiftmsa.store.fingerprint_baseline import MODEL_DEFAULTS_V1
from shiftmsa.store import fingerprint as fingerprint_module

# A record written by the store of 85d8207 (the first fingerprinted release), run by
# benchmarks/reproduce_results.py on an H100: /work/shared/results/h100-paper-protocol-85d8207/
# mosi_sdk_text_audio.results.jsonl, metrics left out.
STORED_RECORD = json.loads(
    '{"best_epoch": 30, "corpus": "mosi-sdk_fold", "fingerprint": "27ca3ed1dfd9f9bf", "model": "text-only", '
    '"name": "text-only", "params": {"encoder": ".carry/minilm"}, "preset": null, '
    '"run_dir": "/tmp/res/mosi_sdk_text_audio/text-only/seed-0", "seed": 0}')


def reproduce_results_config(model: str, train_type=TrainConfig, **train_values) -> RunConfig:
    """The configuration `benchmarks/reproduce_results.py --protocol mosi --encoder .carry/minilm
    --threads 1 --set train.accelerator=gpu` gives ``model`` on the SDK folds."""
    config = load_config(None, ["data.path=../shared/data/mosi", "data.options.split=sdk_fold",
                                "data.options.features=[audio_opensmile]", f"model.name={model}",
                                "model.params.encoder=.carry/minilm", "train.keep_checkpoint=false",
                                "train.num_threads=1", "train.accelerator=gpu"], protocol="mosi")
    config.train = train_type(**{**dataclasses.asdict(config.train), **train_values})
    return config


@dataclasses.dataclass
class TrainConfigOfALaterRelease(TrainConfig):
    """TrainConfig with an option added after the store's first release."""

    label_smoothing: float = 0.0


def test_a_record_of_the_first_release_is_found_again():
    assert fingerprint_digest(reproduce_results_config("text-only")) == STORED_RECORD["fingerprint"]


def test_a_new_field_at_its_default_keeps_stored_fingerprints_and_changes_them_when_set():
    at_default = reproduce_results_config("text-only", TrainConfigOfALaterRelease)
    changed = reproduce_results_config("text-only", TrainConfigOfALaterRelease, label_smoothing=0.1)
    assert fingerprint_digest(at_default) == STORED_RECORD["fingerprint"]
    assert fingerprint_digest(changed) != STORED_RECORD["fingerprint"]
    assert json.loads(fingerprint_text(changed))["train"]["label_smoothing"] == 0.1


def test_a_changed_value_of_a_first_release_field_changes_the_fingerprint():
    changed = reproduce_results_config("text-only", epochs=39)
    assert fingerprint_digest(changed) != STORED_RECORD["fingerprint"]


def test_a_changed_model_default_changes_only_that_models_fingerprints(monkeypatch):
    before = {name: fingerprint_digest(reproduce_results_config(name)) for name in ("msg-mba", "text-only")}
    today = fingerprint_module.model_spec("msg-mba").config_class().rnn
    assert json.loads(fingerprint_text(reproduce_results_config("msg-mba")))["model_defaults"]["rnn"] == today
    # as if msg-mba's first release had had today's default RNN: the RNN is then no change
    baseline = {**MODEL_DEFAULTS_V1, "msg-mba": {**MODEL_DEFAULTS_V1["msg-mba"], "rnn": today}}
    monkeypatch.setattr(fingerprint_module, "MODEL_DEFAULTS_V1", baseline)
    after = {name: fingerprint_digest(reproduce_results_config(name)) for name in ("msg-mba", "text-only")}
    assert after["text-only"] == before["text-only"]
    assert after["msg-mba"] != before["msg-mba"]
    assert "rnn" not in json.loads(fingerprint_text(reproduce_results_config("msg-mba")))["model_defaults"]


def test_the_baseline_lists_every_field_of_every_model_of_the_first_release():
    """A field added to a model of the first release must be listed in fingerprint_baseline with
    the value that reproduces that release's behaviour; otherwise every stored run of that model
    looks new. A model registered later has no stored runs to keep: all its fields count."""
    first_release = [spec for spec in available_models() if spec.name in MODEL_DEFAULTS_V1]
    assert {spec.name for spec in first_release} == set(MODEL_DEFAULTS_V1)
    for spec in first_release:
        fields = {field.name for field in dataclasses.fields(spec.config_class)}
        assert fields == set(MODEL_DEFAULTS_V1[spec.name]), spec.name


def test_differences_name_each_changed_key():
    old = json.loads(fingerprint_text(load_config(None, ["train.epochs=1"])))
    new = json.loads(fingerprint_text(load_config(None, ["train.epochs=2", "model.params.gate=vector"])))
    assert fingerprint_differences(old, new) == ['model.params.gate: (unset) -> "vector"', "train.epochs: 1 -> 2"]


def test_redefining_a_preset_changes_the_fingerprint_of_its_runs(monkeypatch):
    config = reproduce_results_config("msg-mba")
    config.model.preset = "table3.no_modules"
    before = fingerprint_digest(config)
    spec = fingerprint_module.model_spec("msg-mba")
    monkeypatch.setitem(spec.presets, "table3.no_modules", {"modalities": ("text",)})
    assert fingerprint_digest(config) != before


def test_a_run_of_the_first_release_store_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "train_run", lambda *args: pytest.fail("retrained a stored run"))
    (tmp_path / "results.jsonl").write_text(json.dumps(STORED_RECORD) + "\n")
    config = reproduce_results_config("text-only")
    config.output_dir, config.train.seeds = str(tmp_path), [0]
    messages = []
    assert Experiment(config, log=messages.append).run(generate_synthetic(36, seed=5, acoustic_dim=4, visual_dim=3)) == [STORED_RECORD]
    assert "run 1 of 1: finished earlier" in messages[1]
