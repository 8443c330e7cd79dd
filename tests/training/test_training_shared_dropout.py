"""``global_batch_dropout``: a process's rows of a global batch, forward in training mode, get the
dropout masks the whole batch gets in one process (no processes started here: the rows and the
whole batch are run one after the other from the same generator state)."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional

from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.training.modelling import prepare_model
from shiftmsa.training.shared_dropout import global_batch_dropout

# batches of 7 (shares of 4 and 3 rows) and of 3 (2 and 1: a share of one row)
SHARES = [(7, [0, 2, 4, 6]), (7, [1, 3, 5]), (3, [0, 2]), (3, [1])]


@pytest.fixture(scope="module")
def corpus():
    return generate_synthetic(24, seed=5, acoustic_dim=4, visual_dim=3)


def training_model(model: str, encoder, corpus):
    config = load_config(None, [f"model.name={model}", f"model.params.encoder={encoder}", "data.max_length=16",
                                "train.accelerator=cpu"])
    torch.manual_seed(0)
    prepared = prepare_model(config, corpus)
    prepared.model.train()
    return prepared


def forward(prepared, batch, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """The predictions from a seeded generator, and the generator's next draw after them."""
    torch.manual_seed(seed)
    with torch.no_grad():
        prediction = prepared.model(**batch.model_inputs()).prediction
    return prediction, torch.rand(4)


@pytest.mark.parametrize("model, encoder", [("msg-mba", "tiny_bert_dir"), ("text-only", "tiny_xlnet_dir")])
def test_a_share_draws_the_whole_batchs_masks(model, encoder, corpus, one_thread, request):
    """BERT (dropout modules, SDPA attention dropout) under msg-mba, and XLNet (layers run
    time-first, einsum outputs laid out otherwise): each share's predictions are the whole batch's
    rows and the generator ends where the whole batch leaves it; without the block they are not."""
    prepared = training_model(model, request.getfixturevalue(encoder), corpus)
    utterances = corpus.splits["train"]
    for size, rows in SHARES:
        whole = prepared.batch_builder(utterances[:size])
        expected, after = forward(prepared, whole)
        torch.manual_seed(1)
        with global_batch_dropout(size, rows):
            share, share_after = forward(prepared, whole.rows(rows))
        assert (share - expected[rows]).abs().max() < 1e-6, (size, rows)
        assert torch.equal(share_after, after), (size, rows)
        alone = forward(prepared, whole.rows(rows))[0]
        assert (alone - expected[rows]).abs().max() > 1e-3, (size, rows)


def test_torch_is_itself_again_after_the_block():
    dropout, attention = functional.dropout, functional.scaled_dot_product_attention
    with pytest.raises(RuntimeError, match="inside"):
        with global_batch_dropout(4, [0, 2]):
            assert functional.dropout is not dropout
            raise RuntimeError("inside")
    assert functional.dropout is dropout and functional.scaled_dot_product_attention is attention


def test_evaluation_and_zero_rates_pass_through():
    """No mask is drawn where one process draws none (eval mode, p = 0), so the generators stay
    where one process leaves them."""
    values = torch.randn(3, 5)
    torch.manual_seed(2)
    with global_batch_dropout(6, [0, 2, 4]):
        assert torch.equal(functional.dropout(values, 0.5, training=False), values)
        assert torch.equal(functional.dropout(values, 0.0, training=True), values)
    drawn = torch.rand(2)
    torch.manual_seed(2)
    assert torch.equal(drawn, torch.rand(2))
