"""train -> evaluate -> predict -> compare as a new user runs them, and the errors they can meet."""

import json

import numpy as np
import pytest

from shiftmsa.cli import main
from shiftmsa.experiments.tables import TABLE_METRICS


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
    assert (tmp_path / "table.csv").read_text().count("\n") == 1 + 2 * len(TABLE_METRICS)


def test_evaluate_without_data_uses_the_data_the_checkpoint_was_trained_on(trained, capsys):
    folder, checkpoint = trained
    capsys.readouterr()
    assert main(["evaluate", str(checkpoint), "--split", "valid"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["data"] == str(folder / "synth") and "mae" in report["metrics"]


def test_help_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys; from shiftmsa.cli import build_parser; build_parser(); print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_training_prints_progress_without_library_noise(tmp_path, tiny_bert_dir, capfd):
    assert main(["train", "--model", "text-only", "--data", "synthetic", "--data-option", "n=60", "--seeds", "0",
                 "--epochs", "1", "--output", str(tmp_path), "--set", f"model.params.encoder={tiny_bert_dir}",
                 "--set", "train.batch_size=4", "--set", "data.max_length=16"]) == 0
    out, err = capfd.readouterr()
    assert "[text-only seed 0] run 1 of 1" in out
    assert "[text-only seed 0] epoch 1/1: 50% (5/10 batches," in out
    assert "Loading weights" not in out + err
    assert main(["train", "--model", "text-only", "--data", "synthetic", "--data-option", "n=60", "--seeds", "0",
                 "--epochs", "1", "--output", str(tmp_path), "--set", f"model.params.encoder={tiny_bert_dir}",
                 "--set", "train.batch_size=4", "--set", "data.max_length=16"]) == 0
    assert "run 1 of 1: finished earlier" in capfd.readouterr().out
