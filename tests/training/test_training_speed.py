"""What makes an epoch fast (docs/speed.md): length-bucketed training batches, evaluation batches
sorted by length, features standardised and utterances tokenised once per run."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.store.fingerprint import run_identity
from shiftmsa.training.loop import RunTrainer, batches_of, evaluation_batches, predict_utterances
from shiftmsa.training.modelling import prepare_model
from shiftmsa.training.seeding import bucketed_batches, epoch_permutation


def lengths_of(n: int) -> list[int]:
    return [int(x) for x in np.random.default_rng(0).integers(3, 60, n)]


@pytest.mark.parametrize("n,batch_size", [(1284, 48), (100, 32), (7, 3), (48 * 50 + 1, 48)])
def test_bucketed_batches_cover_the_epoch_once_with_as_many_batches(n, batch_size):
    batches = bucketed_batches(lengths_of(n), batch_size, seed=0, epoch=1)
    assert sorted(i for batch in batches for i in batch) == list(range(n))
    assert len(batches) == math.ceil(n / batch_size)
    assert sum(len(batch) < batch_size for batch in batches) <= 1


def test_bucketed_batches_are_seeded_and_pad_less():
    lengths = lengths_of(1284)
    first = bucketed_batches(lengths, 48, seed=3, epoch=2)
    assert first == bucketed_batches(lengths, 48, seed=3, epoch=2)
    assert first != bucketed_batches(lengths, 48, seed=4, epoch=2)
    assert first != bucketed_batches(lengths, 48, seed=3, epoch=3)

    def padded(batches):
        return sum(max(lengths[i] for i in batch) * len(batch) for batch in batches)

    plain = batches_of(epoch_permutation(len(lengths), 3, 2), 48)
    assert padded(first) < 0.7 * padded(plain)


@pytest.fixture(scope="module")
def corpus():
    return generate_synthetic(60, seed=2, acoustic_dim=4, visual_dim=3)


def tiny_config(encoder, folder, *extra):
    return load_config(None, [f"model.params.encoder={encoder}", "train.epochs=2", "train.batch_size=8",
                              "train.eval_batch_size=5", "train.seeds=[0]", f"output_dir={folder}",
                              "data.max_length=16", "train.accelerator=cpu", "data.standardize=true", *extra])


def test_evaluation_batches_sorted_by_length_give_predictions_in_corpus_order(tiny_bert_dir, corpus, one_thread,
                                                                             tmp_path):
    config = tiny_config(tiny_bert_dir, tmp_path)
    prepared = prepare_model(config, corpus)
    utterances = corpus.splits["train"]
    chunks = evaluation_batches(prepared, utterances, 5)
    assert sorted(i for chunk in chunks for i in chunk) == list(range(len(utterances)))
    assert all(chunk == sorted(chunk) for chunk in chunks)
    widths = [max(len(prepared.batch_builder.encode(utterances[i]).piece_ids) for i in chunk) for chunk in chunks]
    assert widths == sorted(widths)
    scored = predict_utterances(prepared, utterances, 5, torch.device("cpu"))
    one_by_one = [predict_utterances(prepared, [u], 1, torch.device("cpu")).predictions[0] for u in utterances]
    assert scored.ids == [u.id for u in utterances]
    assert scored.labels == pytest.approx([u.label for u in utterances])
    np.testing.assert_allclose(scored.predictions, one_by_one, atol=1e-5)


def test_features_are_standardised_once_per_utterance(tiny_bert_dir, corpus, tmp_path):
    builder = prepare_model(tiny_config(tiny_bert_dir, tmp_path), corpus).batch_builder
    utterance = corpus.splits["train"][0]
    first = builder.standardized(utterance, "acoustic")
    assert builder.standardized(utterance, "acoustic") is first
    np.testing.assert_allclose(first, builder.standardizer.transform("acoustic", utterance.acoustic))


def test_length_buckets_train_to_the_same_numbers_twice_and_say_so_in_the_identity(tiny_bert_dir, corpus,
                                                                                   one_thread, tmp_path):
    config = tiny_config(tiny_bert_dir, tmp_path)
    assert config.train.length_buckets  # the default
    first = RunTrainer(config, 0, corpus, tmp_path / "a").run()
    second = RunTrainer(config, 0, corpus, tmp_path / "b").run()
    assert first.history == second.history and first.test_metrics == second.test_metrics
    off = tiny_config(tiny_bert_dir, tmp_path, "train.length_buckets=false")
    assert run_identity(config) != run_identity(off)
    # off is how every run went before the field existed: it stays out of the identity
    assert "length_buckets" not in str(run_identity(off)) and "length_buckets" in str(run_identity(config))
