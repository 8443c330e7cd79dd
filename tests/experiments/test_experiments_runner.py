"""The runner: planned runs trained here or as worker processes, within deadlines."""

import sys
import time


from shiftmsa.cli import main
from shiftmsa.config import ModelConfig, load_config
from shiftmsa.experiments import worker
from shiftmsa.experiments.runner import CONFIG_FOLDER, FAILED, STOPPED, plan_runs, run_planned, worker_command
from shiftmsa.store.records import ResultStore

MODELS = [ModelConfig("msg-mba", "table4.t"), ModelConfig("text-only")]


def base_config(encoder, output, seeds="0,1"):
    return load_config(None, [f"model.params.encoder={encoder}", "train.epochs=1", "train.batch_size=16",
                              f"train.seeds=[{seeds}]", f"output_dir={output}", "data.path=synthetic",
                              "data.options.n=40", "data.max_length=24", "train.accelerator=cpu"])


def test_runs_are_one_per_model_and_seed_without_duplicates(tmp_path, tiny_bert_dir):
    runs = plan_runs(base_config(tiny_bert_dir, tmp_path), MODELS + MODELS[:1])
    assert [(run.label, run.seed) for run in runs] == [
        ("msg-mba:table4.t", 0), ("msg-mba:table4.t", 1), ("text-only", 0), ("text-only", 1)]
    assert all(run.config.train.seeds == [run.seed] and run.folder == tmp_path for run in runs)
    assert runs[0].digest == runs[1].digest != runs[2].digest
    assert worker_command(tmp_path / "a.yaml")[1:] == ["-m", "shiftmsa.experiments.worker", str(tmp_path / "a.yaml")]


def test_a_worker_stores_its_run_under_the_planned_fingerprint(tmp_path, tiny_bert_dir):
    run = plan_runs(base_config(tiny_bert_dir, tmp_path, seeds="0"), MODELS[1:])[0]
    path = tmp_path / CONFIG_FOLDER / f"{run.name}.yaml"  # what the runner writes for a worker
    path.parent.mkdir()
    path.write_text(run.config.to_yaml())
    assert worker.main([str(path)]) == 0
    assert ResultStore(tmp_path).find(*run.key) is not None


def test_a_worker_that_leaves_no_record_is_reported_failed(tmp_path, tiny_bert_dir):
    runs = plan_runs(base_config(tiny_bert_dir, tmp_path), MODELS[1:])
    messages = []
    results = run_planned(runs, jobs=2, log=messages.append,
                          command=lambda path: [sys.executable, "-c", "raise SystemExit(3)"])
    assert [result.status for result in results] == [FAILED, FAILED]
    assert sum("failed after" in m and "exit status 3, no record; its log: " in m for m in messages) == 2
    assert (tmp_path / CONFIG_FOLDER / f"{runs[0].name}.yaml").is_file()


def test_a_worker_still_going_at_the_hard_deadline_is_stopped(tmp_path, tiny_bert_dir):
    runs = plan_runs(base_config(tiny_bert_dir, tmp_path, seeds="0"), MODELS[1:])
    started = time.monotonic()
    results = run_planned(runs, jobs=2, hard_deadline=1, log=lambda m: None,
                          command=lambda path: [sys.executable, "-c", "import time; time.sleep(60)"])
    assert results[0].status == STOPPED and time.monotonic() - started < 30
    assert "the hard deadline (1 s) passed; no record" in results[0].detail


def test_cli_refuses_table5_on_a_bert_encoder(capsys, tiny_bert_dir, tmp_path):
    status = main(["reproduce", "table5", "--data", "synthetic", "--data-option", "n=30", "--output", str(tmp_path),
                   "--set", f"model.params.encoder={tiny_bert_dir}"])
    assert status == 2 and "encoder of the xlnet family" in capsys.readouterr().err
