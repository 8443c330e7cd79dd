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


def test_rows_on_fewer_streams_than_the_papers_say_so_and_a_repeated_model_is_refused():
    """Point 7 of issue 23: on a text-only corpus "only MSG-T", "+MBA" and "Proposed" have no
    partner stream and would train "no proposed modules" again; on text + acoustic every Table III
    row is marked as T+A, Table IV's "only T+A" is not (the paper's row is T+A too)."""
    base = load_config(None, ["model.params.encoder=minilm"])
    text = generate_synthetic(30, seed=1)
    text.acoustic_dim = text.visual_dim = None
    plan = plan_target(SPECS["table3"], "bert", 6, text, base)
    assert [row.key for row in plan.runnable] == ["no_modules"]
    assert plan.skipped["full"].startswith('the same model on the same streams and settings as "no proposed modules"')
    assert plan.notes == {"no_modules": "T: the corpus has no acoustic or visual stream"}
    text_acoustic = generate_synthetic(30, seed=1)
    text_acoustic.visual_dim = None
    plan = plan_target(SPECS["table3"], "bert", 6, text_acoustic, base)
    assert [row.key for row in plan.runnable] == ["no_modules", "msg_t", "msg_t_a", "mba", "full"]
    assert set(plan.notes.values()) == {"T+A: the corpus has no visual stream"}
    plan = plan_target(SPECS["table4"], "bert", 6, text_acoustic, base)
    assert plan.notes == {} and [row.key for row in plan.runnable] == ["a", "t", "t_a"]
    plan = plan_target(SPECS["table1"], "bert", 6, text_acoustic, base)
    assert "text-only" not in plan.notes and plan.notes["msg-mba"] == "T+A: the corpus has no visual stream"


def test_a_row_on_fewer_streams_is_marked_in_the_table():
    from shiftmsa.experiments.tables import TableContext, collect_rows, paper_table
    spec = SPECS["table3"]
    rows = spec.rows(6)
    context = TableContext("mosi", "bert", "minilm", "mosi-sdk_fold", "test", "6 epochs")
    note = "T+A: the corpus has no visual stream"
    table = paper_table(spec, collect_rows(spec, rows, {}, {}, context, {"full": note}), context)
    assert f"| Proposed ({note}) | msg-mba:table3.full |" in table.markdown
    assert table.csv_rows[0][-1] == "streams" and note in {line[-1] for line in table.csv_rows}
