"""Every spec's rows are registered models and presets that build; partial corpora skip rows."""

import pytest

from shiftmsa.cli.reproduce import TARGET_NAMES
from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.experiments.reproduce import ReproduceError, plan_target
from shiftmsa.experiments.runner import with_model
from shiftmsa.experiments.specs import SPECS, TARGETS
from shiftmsa.models.registry import available_models
from shiftmsa.text.backbone import encoder_depth
from shiftmsa.training.modelling import prepare_model


@pytest.fixture(scope="module")
def corpus():
    return generate_synthetic(30, seed=1)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_row_of_every_spec_builds(name, corpus, tiny_bert_dir, tiny_xlnet_dir):
    spec = SPECS[name]
    encoder = tiny_xlnet_dir if spec.family == "xlnet" else tiny_bert_dir
    base = load_config(None, [f"model.params.encoder={encoder}", "data.max_length=24"])
    rows = spec.rows(encoder_depth(str(encoder)))
    assert len({row.model_config().label for row in rows}) == len(rows)
    assert spec.reference is None or spec.reference in {row.key for row in rows}
    for row in rows:
        prepared = prepare_model(with_model(base, row.model_config()), corpus)
        assert sum(p.numel() for p in prepared.model.parameters()) > 0


def test_table1_takes_every_registered_model_and_fig5_every_layer():
    assert [row.model for row in SPECS["table1"].rows(6)] == [spec.name for spec in available_models()]
    assert [row.preset for row in SPECS["fig5"].rows(3)] == [f"fig5.layer{i}" for i in range(4)]
    assert TARGET_NAMES == TARGETS


def test_rows_needing_a_missing_stream_are_skipped_with_the_reason():
    text_visual = generate_synthetic(30, seed=1)
    text_visual.acoustic_dim = None
    plan = plan_target(SPECS["table4"], "bert", 3, text_visual)
    assert set(plan.skipped) == {"a", "a_v", "t_a", "all"}
    assert plan.skipped["a"] == "needs acoustic; the corpus has text, visual"
    assert [row.key for row in plan.runnable] == ["v", "t", "t_v"]


def test_table5_refuses_a_bert_encoder(corpus):
    with pytest.raises(ReproduceError, match="to an encoder of the xlnet family"):
        plan_target(SPECS["table5"], "bert", 3, corpus)
