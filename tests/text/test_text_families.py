"""Every supported encoder family through the data alignment and one training step of msg-mba,
text-only and mag: [CLS]/<s> where ``cls_index`` says, padding on the family's side."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from shiftmsa.data import BatchBuilder, Utterance
from shiftmsa.models import TrainingStep, build_model, make_config
from shiftmsa.text.encoders import load_tokenizer

# family fixture -> (pads on the left, classification token counted from the end)
LAYOUTS = {"bert": (False, False), "roberta": (False, False), "mpnet": (False, False),
           "deberta": (False, False), "xlnet": (True, True)}


@pytest.fixture(scope="module")
def utterances():
    """Three utterances of 4, 2 and 1 words (so that a batch has padding) with random rows."""
    rng = np.random.default_rng(0)
    texts = [("that", "was", "not", "bad"), ("loved", "it"), ("boring",)]
    return [Utterance(f"u{i}", words, rng.normal(size=(len(words), 4)).astype(np.float32),
                      rng.normal(size=(len(words), 3)).astype(np.float32), float(rng.uniform(-3, 3)), "train")
            for i, words in enumerate(texts)]


@pytest.fixture(scope="module", params=sorted(LAYOUTS))
def family(request):
    return request.param, str(request.getfixturevalue(f"tiny_{request.param}_dir"))


def test_alignment_puts_the_classification_token_at_cls_index_and_pads_on_the_family_side(family, utterances):
    name, folder = family
    tokenizer = load_tokenizer(folder)
    batch = BatchBuilder(tokenizer, max_length=48)(utterances)
    rows = torch.arange(len(utterances))
    assert torch.all(batch.input_ids[rows, batch.cls_index] == tokenizer.cls_token_id)
    pad_left, cls_last = LAYOUTS[name]
    shortest = int(batch.lengths.argmin())
    assert batch.lengths.min() < batch.lengths.max()
    padded = batch.attention_mask[shortest] == 0
    assert bool(padded[0]) == pad_left and bool(padded[-1]) != pad_left
    assert torch.all(batch.input_ids[shortest][padded] == tokenizer.pad_token_id)
    assert int(batch.cls_index[shortest]) == (batch.attention_mask.shape[1] - 1 if cls_last else 0)


def test_byte_level_tokenizer_gives_every_word_its_in_sentence_form(tiny_roberta_dir):
    tokenizer = load_tokenizer(str(tiny_roberta_dir))
    alone = tokenizer(["was"], add_special_tokens=False)["input_ids"][0]
    in_sentence = tokenizer("that was", add_special_tokens=False)["input_ids"]
    assert in_sentence[-len(alone):] == alone and tokenizer.convert_ids_to_tokens(alone[0]) == "\u0120"


@pytest.mark.parametrize("model_name", ["msg-mba", "text-only", "mag"])
def test_one_training_step_updates_the_encoder_on_both_sides_of_the_split(family, utterances, model_name):
    _, folder = family
    torch.manual_seed(0)
    params = {"encoder": folder, **({"max_length": 48} if model_name != "mag" else {})}
    config = make_config(model_name, None, params, acoustic_dim=4, visual_dim=3)
    model = build_model(model_name, config).train()
    batch = BatchBuilder(load_tokenizer(folder), max_length=48)(utterances)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    output = model(**batch.model_inputs())
    loss = model.objective(output, batch.labels, TrainingStep(torch.arange(len(batch)), 1))
    loss.backward()
    optimizer.step()
    assert torch.isfinite(loss)
    layers = [name for name in before if ".layer." in name and name.endswith("weight")]
    changed = {name for name, p in model.named_parameters() if not torch.equal(p, before[name])}
    assert changed & {layers[0]} and changed & {layers[-1]}, "first and last encoder layers both learn"
