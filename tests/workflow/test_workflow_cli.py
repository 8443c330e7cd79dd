"""train -> evaluate -> predict -> compare as a new user runs them, and the errors they can meet."""

import json

import numpy as np
import pytest

from shiftmsa.cli import main


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_bert_dir):
    folder = tmp_path_factory.mktemp("workflow")
    assert main(["data", "synth", str(folder / "synth"), "--n", "90", "--seed", "1"]) == 0
    assert main(["train", "--data", str(folder / "synth"), "--seeds", "0", "--epochs", "1",
                 "--output", str(folder / "run"), "--set", f"model.params.encoder={tiny_bert_dir}",
                 "--set", "train.batch_size=16", "--set", "data.max_length=20"]) == 0
    return folder, folder / "run" / "msg-mba" / "seed-0" / "best"


def test_evaluate_reports_every_metric_of_a_split(trained, capsys):
    folder, checkpoint = trained
    capsys.readouterr()
    assert main(["evaluate", str(checkpoint), "--data", str(folder / "synth"), "--split", "valid"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["split"] == "valid"
    assert {"acc7", "acc2_non0", "f1_has0", "mae", "corr"} <= set(report["metrics"])


def test_predict_scores_a_jsonl_file_and_writes_csv(trained, tmp_path):
    _, checkpoint = trained
    rng = np.random.default_rng(0)
    lines = [{"id": "a", "text": "good movie", "acoustic": rng.normal(size=(2, 16)).tolist(),
              "visual": rng.normal(size=(1, 12)).tolist()},
             {"text": "bad plot", "acoustic": rng.normal(size=(1, 16)).tolist(),
              "visual": rng.normal(size=(2, 12)).tolist()}]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines))
    assert main(["predict", str(checkpoint), "--input", str(source), "--output", str(tmp_path / "out.csv")]) == 0
    rows = (tmp_path / "out.csv").read_text().splitlines()
    assert rows[0] == "id,score" and rows[1].startswith("a,") and rows[2].startswith("utterance2,")
    assert -10 < float(rows[1].split(",")[1]) < 10


@pytest.mark.parametrize("line, message", [
    ({"id": "x", "text": "good", "visual": [[0.0] * 12]}, "the model uses acoustic features (16-d) and the input has none"),
    ({"id": "x", "text": "good", "acoustic": [[0.0] * 5], "visual": [[0.0] * 12]}, "acoustic features are 5-d"),
    ({"id": "x", "text": "", "acoustic": [[0.0] * 16]}, "empty text"),
    ({"id": "x", "text": "good", "acoustic": [[float("nan")] * 16], "visual": [[0.0] * 12]}, "NaN"),
])
def test_predict_refuses_inputs_the_checkpoint_cannot_score(trained, tmp_path, capsys, line, message):
    _, checkpoint = trained
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps(line))
    assert main(["predict", str(checkpoint), "--input", str(source)]) == 2
    error = capsys.readouterr().err
    assert message in error and "'x'" in error


def test_evaluate_refuses_data_whose_features_do_not_match(trained, tmp_path, capsys):
    _, checkpoint = trained
    assert main(["data", "synth", str(tmp_path / "other"), "--n", "30", "--acoustic-dim", "7"]) == 0
    assert main(["evaluate", str(checkpoint), "--data", str(tmp_path / "other")]) == 2
    assert "acoustic features are 7-d but the checkpoint was trained on 16-d" in capsys.readouterr().err


def test_clear_messages_for_a_missing_checkpoint_a_bad_override_and_a_wrong_flag(tmp_path, capsys):
    assert main(["predict", str(tmp_path / "nowhere"), "--text", "good"]) == 2
    assert "is not a shiftmsa checkpoint" in capsys.readouterr().err
    assert main(["train", "--set", "train.epoch=3"]) == 2
    assert "unknown key(s) train.epoch" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["train", "--epocs", "3"])
    assert exited.value.code == 2
    assert "unrecognized arguments: --epocs" in capsys.readouterr().err


def test_compare_prints_a_table_with_paired_tests(tmp_path, tiny_bert_dir, capsys):
    assert main(["compare", "--models", "text-only,msg-mba:table3.msg_t", "--data", "synthetic",
                 "--data-option", "n=60", "--seeds", "0,1", "--epochs", "1", "--output", str(tmp_path),
                 "--set", f"model.params.encoder={tiny_bert_dir}", "--set", "data.max_length=16"]) == 0
    out = capsys.readouterr().out
    assert "| msg-mba:table3.msg_t | 2 |" in out and "| p vs text-only: msg-mba:table3.msg_t |" in out
    assert (tmp_path / "table.csv").read_text().count("\n") == 1 + 2 * 7
