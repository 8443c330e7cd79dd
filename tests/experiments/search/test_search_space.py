"""Search spaces: parsing, clear errors, and the shipped spaces fit their models."""

import re
from pathlib import Path

import pytest

from shiftmsa.config import ConfigError, load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.experiments.search.space import Range, load_space, parse_space, shipped_spaces
from shiftmsa.experiments.search.trial import check_values

SPACE_MODELS = {"msg-mba": "msg-mba", "msg-mba-readings": "msg-mba", "msg-mba-threshold": "msg-mba", "text-only": "text-only", "mag": "mag", "generic": "text-only",
                "schedule": "msg-mba", "lmf": "lmf", "tfn": "tfn", "mfn": "mfn", "misa": "misa",
                "mult": "mult", "self-mm": "self-mm"}


def test_a_grid_is_every_combination_with_yaml_numbers_read_as_floats(tmp_path):
    path = tmp_path / "space.yaml"
    path.write_text("sampler: grid\nparams:\n  train.learning_rate: [1e-5, 5e-5]\n"
                    "  model.params.gate: [scalar, vector]\n")
    space = load_space(path)
    assert space.grid() == [{"train.learning_rate": 1e-5, "model.params.gate": "scalar"},
                            {"train.learning_rate": 1e-5, "model.params.gate": "vector"},
                            {"train.learning_rate": 5e-5, "model.params.gate": "scalar"},
                            {"train.learning_rate": 5e-5, "model.params.gate": "vector"}]


def test_tpe_ranges_are_typed_by_their_bounds():
    space = parse_space({"sampler": "tpe", "params": {"train.epochs": {"low": 2, "high": 8},
                                                      "train.learning_rate": {"low": 1e-6, "high": 1e-4, "log": True}}},
                        "s")
    assert space.params["train.epochs"] == Range(2, 8) and space.params["train.epochs"].integer
    assert space.params["train.learning_rate"].log and not space.params["train.learning_rate"].integer


@pytest.mark.parametrize("values, message", [
    ({"params": {"train.epochs": {"low": 1, "high": 4}}}, "a grid needs a list of values for train.epochs"),
    ({"params": {"epochs": [1, 2]}}, "params.epochs: keys are dotted"),
    ({"params": {"train.epochs": []}}, "params.train.epochs: the list of values is empty"),
    ({"params": {"train.epochs": [1, 1]}}, "listed twice"),
    ({"params": {"train.seeds": [[0, 1]]}}, "is not a number, string, boolean or null"),
    ({"sampler": "random", "params": {"train.epochs": [1]}}, "sampler must be one of"),
    ({"sampler": "tpe", "params": {"train.learning_rate": {"low": 0, "high": 1, "log": True}}}, "log range needs low > 0"),
    ({"grid": {"train.epochs": [1]}}, "unknown key"),
])
def test_malformed_spaces_are_refused_naming_the_file_and_key(values, message):
    with pytest.raises(ConfigError, match=message) as caught:
        parse_space(values, "my_space.yaml")
    assert str(caught.value).startswith("my_space.yaml")


def test_an_unknown_space_lists_the_shipped_ones():
    with pytest.raises(ConfigError, match="neither a file nor a shipped space.*generic"):
        load_space("no_such_space")


@pytest.mark.parametrize("name", sorted(SPACE_MODELS))
def test_every_shipped_space_is_a_grid_whose_points_fit_its_model(name):
    assert set(shipped_spaces()) == set(SPACE_MODELS)
    space = load_space(name)
    assert space.sampler == "grid" and space.description
    base = load_config(None, [f"model.name={SPACE_MODELS[name]}"])
    corpus = generate_synthetic(30, seed=0)
    for values in space.grid():
        check_values(base, values, corpus)


def test_values_a_model_does_not_have_are_refused_before_training():
    base = load_config(None, ["model.name=text-only"])
    with pytest.raises(ValueError, match="unknown config field.*beta_shift"):
        check_values(base, {"model.params.beta_shift": 1.0}, generate_synthetic(30, seed=0))
    with pytest.raises(ConfigError, match="unknown key.*train.lr"):
        check_values(base, {"train.lr": 1e-5}, generate_synthetic(30, seed=0))


def test_docs_search_table_gives_every_shipped_space_its_grid_size():
    page = (Path(__file__).resolve().parents[3] / "docs" / "search.md").read_text()
    sizes = {name: int(size) for name, size in re.findall(r"^\| `([\w-]+)` \|[^\n]*?: (\d+) \|", page, re.M)}
    assert sizes == {name: len(load_space(name).grid()) for name in shipped_spaces()}
