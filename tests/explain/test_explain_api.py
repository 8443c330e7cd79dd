"""``api.explain``: arrays returned, reproducible files, and a recorded pass that changes nothing."""

from __future__ import annotations

import torch

from shiftmsa import api
from shiftmsa.explain.recording import recorded_attentions
from shiftmsa.training.modelling import load_bundle


def test_same_inputs_and_seed_give_identical_data(explain_runs, tmp_path):
    config = api.load_config(None, [f"data.path={explain_runs['data']}"])
    runs = []
    for name in ("first", "second"):
        figures = api.explain(explain_runs["full"], config=config, limit=1, output=tmp_path / name,
                              options=api.ExplainOptions(seed=3))
        runs.append(figures)
    assert [f.name for f in runs[0]] == [f.name for f in runs[1]]
    assert {f.kind for f in runs[0]} == {"attention", "p_att", "shifts", "tsne"}
    for path in (tmp_path / "first").glob("*.json"):
        assert path.read_bytes() == (tmp_path / "second" / path.name).read_bytes()


def test_recording_attention_leaves_the_prediction_and_the_backbone_unchanged(explain_runs):
    prepared, _ = load_bundle(explain_runs["full"])
    utterance = api.utterance_from_text("u", "that was sick and boring")
    utterance = utterance.__class__(utterance.id, utterance.words, torch.randn(5, 16).numpy(),
                                    torch.randn(5, 12).numpy(), 0.0, "test")
    inputs = prepared.batch_builder([utterance]).model_inputs()
    backbone = prepared.model.backbone
    with torch.no_grad():
        plain = prepared.model(**inputs).prediction
        with recorded_attentions(backbone) as attentions:
            recorded = prepared.model(**inputs).prediction
    torch.testing.assert_close(recorded, plain)
    assert sorted(attentions) == [1, 2, 3]  # layers before (F_t) and after (M_t*) the split
    assert "run_layers" not in vars(backbone)
