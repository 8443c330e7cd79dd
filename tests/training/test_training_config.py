import re

import pytest

from shiftmsa.config import ConfigError, load_config


def test_protocol_then_overrides_apply_in_order(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("model:\n  name: mag\ntrain:\n  epochs: 7\n")
    config = load_config(path, ["train.epochs=3", "data.options.features=[audio_opensmile]"], protocol="mosei")
    assert config.model.name == "mag"
    assert config.train.epochs == 3
    assert config.data.options == {"features": ["audio_opensmile"]}


@pytest.mark.parametrize("protocol, epochs", [("mosi", 40), ("mosei", 20)])
def test_paper_protocols_train_with_48_and_evaluate_with_128(protocol, epochs):
    """Section IV-E: batch sizes 48 / 128 / 128 (train / valid / test) on both datasets."""
    config = load_config(None, [], protocol=protocol)
    assert (config.train.epochs, config.train.batch_size, config.train.eval_batch_size) == (epochs, 48, 128)


def test_unknown_keys_are_named():
    with pytest.raises(ConfigError, match="train.epoch"):
        load_config(None, ["train.epoch=3"])
    with pytest.raises(ConfigError, match="unknown protocol 'gpu'"):
        load_config(None, [], protocol="gpu")
    with pytest.raises(ConfigError, match="train.warmup_proportion"):
        load_config(None, ["train.warmup_proportion=1.5"])


def test_every_shipped_config_file_loads():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "configs"
    files = sorted(folder.glob("*.yaml"))
    assert files
    for path in files:
        assert load_config(path).train.seeds


@pytest.mark.parametrize("override, message", [
    ("train.epochs=abc", "train.epochs must be int, got 'abc'"),
    ("train.epochs=1.5", "train.epochs must be int, got 1.5"),
    ("train.batch_size=big", "train.batch_size must be int, got 'big'"),
    ("train.learning_rate=fast", "train.learning_rate must be float, got 'fast'"),
    ("train.seeds=[a]", "train.seeds items must be int, got 'a'"),
    ("train.keep_checkpoint=3", "train.keep_checkpoint must be bool, got 3"),
    ("train.head_learning_rate=soon", "train.head_learning_rate must be float or null, got 'soon'"),
])
def test_values_of_the_wrong_type_are_refused_by_key(override, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(None, [override])


def test_values_of_the_right_type_are_kept_or_widened():
    config = load_config(None, ["train.head_learning_rate=1", "train.devices=auto", "data.path=2024"])
    assert config.train.head_learning_rate == 1.0 and isinstance(config.train.head_learning_rate, float)
    assert config.train.devices == "auto" and config.data.path == "2024"
