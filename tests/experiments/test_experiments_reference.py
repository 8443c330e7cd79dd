"""The paper's numbers ship with the package and match ../shared/paper/TABLES.md."""

import pytest

from shiftmsa.experiments.reference import PAPER_METRICS, load_reference, paper_dataset, paper_values


@pytest.mark.parametrize("table, dataset, family, row, metric, expected", [
    ("table1", "mosi", "bert", "msg-mba", "acc2_non0", 85.7),     # Table I, Proposed (BERT), Acc2
    ("table1", "mosi", "xlnet", "mag", "mae_non0", 0.740),             # Table I, MAG-XLNet, MAE
    ("table1", "mosi", "glove", "mctn", "acc7", None),            # Table I prints a dash
    ("table2", "mosei", "bert", "self-mm", "acc7", 53.2),         # Table II, Self-MM
    ("table3", "mosi", "bert", "msg_t_a", "acc7", 44.5),          # Table III, MSG-T&A, MOSI
    ("table3", "mosei", "bert", "mba", "mae_non0", 0.593),             # Table III, +MBA, MOSEI
    ("table4", "mosi", "bert", "a_v", "corr_non0", 0.073),             # Table IV, only A+V
    ("table5", "mosi", "xlnet", "msg_t_a_v", "f1_non0", 85.2),    # Table V, MSG-T&A&V
    ("table6", "mosi", "xlnet", "sgru", "corr_non0", 0.803),           # Table VI, XLNet sGRU
])
def test_spot_values_match_the_paper(table, dataset, family, row, metric, expected):
    assert paper_values(table, dataset, family, row)[metric] == expected


def test_every_row_has_one_value_per_column_and_the_metrics_are_named_as_the_paper():
    reference = load_reference()
    assert reference["columns"] == [m.key for m in PAPER_METRICS]
    assert [m.name for m in PAPER_METRICS] == ["Acc7", "Acc2", "F1", "MAE", "Corr"]
    rows = [values for datasets in reference["tables"].values() for families in datasets.values()
            for family in families.values() for values in family.values()]
    assert len(rows) == 29 + 25 + 14 + 7 + 4 + 8 and all(len(values) == 5 for values in rows)


def test_missing_rows_and_datasets_give_no_numbers():
    assert paper_values("table4", "mosi", "xlnet", "t") == {}
    assert paper_values("table1", None, "bert", "mag") == {}
    assert paper_dataset("mosi-sdk_fold") == "mosi" and paper_dataset("mosei") == "mosei"
    assert paper_dataset("mosi-openface") == "mosi" and paper_dataset("synthetic") is None
