"""Train-split feature statistics: fitted when training, stored in the checkpoint, applied when scoring."""

import dataclasses

import numpy as np
import pytest

from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.data.contract import Corpus
from shiftmsa.training.loop import RunTrainer, predict_utterances
from shiftmsa.training.modelling import fit_standardizer, load_bundle


@pytest.fixture(scope="module")
def per_utterance_corpus():
    """The synthetic corpus with one mean acoustic row per utterance, shifted and scaled like openSMILE."""
    synthetic = generate_synthetic(90, seed=5)
    utterances = [dataclasses.replace(u, acoustic=u.acoustic.mean(axis=0, keepdims=True) * 40 + 150, visual=None)
                  for u in synthetic]
    splits = {name: [u for u in utterances if u.split == name] for name in ("train", "valid", "test")}
    return Corpus("per-utterance", "test", splits, acoustic_dim=16, visual_dim=None, word_aligned=False)


def config_for(encoder, output, standardize="auto"):
    return load_config(None, [f"model.params.encoder={encoder}", "model.params.modalities=[text,acoustic]",
                              "train.epochs=1", "train.batch_size=16", "train.seeds=[0]", f"output_dir={output}",
                              "data.max_length=24", "train.accelerator=cpu", f"data.standardize={standardize}"])


def test_statistics_come_from_the_train_split_only(tmp_path, tiny_bert_dir, per_utterance_corpus):
    standardizer = fit_standardizer(config_for(tiny_bert_dir, tmp_path), per_utterance_corpus)
    train_rows = np.concatenate([u.acoustic for u in per_utterance_corpus.splits["train"]])
    mean, std = standardizer.statistics["acoustic"]
    assert np.allclose(mean, train_rows.mean(axis=0)) and np.allclose(std, train_rows.std(axis=0))
    all_rows = np.concatenate([u.acoustic for u in per_utterance_corpus])
    assert not np.allclose(mean, all_rows.mean(axis=0))
    assert fit_standardizer(config_for(tiny_bert_dir, tmp_path, "false"), per_utterance_corpus) is None


def test_checkpoint_carries_the_statistics_and_scores_as_in_training(tmp_path, tiny_bert_dir, per_utterance_corpus):
    config = config_for(tiny_bert_dir, tmp_path)
    outcome = RunTrainer(config, 0, per_utterance_corpus, tmp_path / "run").run()
    prepared, metadata = load_bundle(tmp_path / "run" / "best")
    stored = metadata["data"]["standardization"]["acoustic"]
    assert len(stored["mean"]) == 16 and min(stored["mean"]) > 50  # raw scale: the statistics, not identity
    assert prepared.batch_builder.standardizer is not None
    rescored = predict_utterances(prepared, per_utterance_corpus.splits["test"], 64, "cpu").metrics()
    assert rescored["mae"] == pytest.approx(outcome.test_metrics["mae"], abs=1e-6)
    batch = prepared.batch_builder(per_utterance_corpus.splits["test"][:4])
    real = batch.attention_mask.bool()
    assert batch.acoustic[real].abs().max() < 10  # standardised, not the raw ~150
