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


def test_fingerprint_ignores_where_and_how_fast_but_not_what():
    base = load_config(None, [])
    moved = load_config(None, ["output_dir=elsewhere", "train.devices=2", "train.seeds=[7]"])
    changed = load_config(None, ["train.learning_rate=3e-5"])
    assert base.fingerprint() == moved.fingerprint()
    assert base.fingerprint() != changed.fingerprint()


def test_every_shipped_config_file_loads():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "configs"
    files = sorted(folder.glob("*.yaml"))
    assert files
    for path in files:
        assert load_config(path).train.seeds
