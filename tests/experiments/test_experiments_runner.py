"""The runner: jobs per row and seed, worker processes that write the same records as in-process runs."""

import pytest

from shiftmsa.cli import main
from shiftmsa.config import load_config
from shiftmsa.experiments import worker
from shiftmsa.experiments.runner import CONFIG_FOLDER, Progress, plan_jobs, run_jobs, worker_command
from shiftmsa.experiments.specs import Row
from shiftmsa.store.records import ResultStore

ROWS = (Row("t", "only T", preset="table4.t"), Row("text-only", "text-only", model="text-only"))


def base_config(encoder, output):
    return load_config(None, [f"model.params.encoder={encoder}", "train.epochs=1", "train.batch_size=16",
                              "train.seeds=[0,1]", f"output_dir={output}", "data.path=synthetic",
                              "data.options.n=40", "data.max_length=24", "train.accelerator=cpu"])


def test_jobs_are_one_per_row_and_seed_without_duplicates(tmp_path, tiny_bert_dir):
    jobs = plan_jobs(base_config(tiny_bert_dir, tmp_path), ROWS + ROWS[:1])
    assert [(job.label, job.seed) for job in jobs] == [
        ("msg-mba:table4.t", 0), ("msg-mba:table4.t", 1), ("text-only", 0), ("text-only", 1)]
    assert all(job.config.train.seeds == [job.seed] for job in jobs)
    assert worker_command(tmp_path / "a.yaml")[1:] == ["-m", "shiftmsa.experiments.worker", str(tmp_path / "a.yaml")]


def test_parallel_workers_fill_the_store_with_the_planned_fingerprints(tmp_path, tiny_bert_dir):
    config = base_config(tiny_bert_dir, tmp_path)
    config.train.seeds = [0]
    jobs = plan_jobs(config, ROWS[1:])  # one text-only run
    launched = []

    def launch(job, folder):  # what launch_process runs, in this process
        path = folder / CONFIG_FOLDER / f"{job.name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(job.config.to_yaml())
        launched.append(job.key)
        assert worker.main([str(path)]) == 0

    messages = []
    assert run_jobs(jobs, tmp_path, corpus=None, parallel=2, log=messages.append, launch=launch) == []
    assert launched == [jobs[0].key]
    assert ResultStore(tmp_path).find(*jobs[0].key) is not None  # the worker's record has the planned digest
    assert messages[-1].startswith("[1/1] text-only seed 0: test acc7=")


def test_a_run_that_leaves_no_record_is_reported_failed(tmp_path, tiny_bert_dir):
    jobs = plan_jobs(base_config(tiny_bert_dir, tmp_path), ROWS[1:])
    messages = []
    failed = run_jobs(jobs, tmp_path, corpus=None, parallel=2, log=messages.append, launch=lambda job, folder: None)
    assert failed == jobs and sum("FAILED" in m for m in messages) == 2


def test_progress_estimates_the_time_left_from_finished_runs():
    lines = []
    progress = Progress(total=5, parallel=2, log=lines.append)
    job = plan_jobs(load_config(None, ["train.seeds=[3]"]), ROWS[1:])[0]
    progress.finished(job, {"test": {"acc2_non0": 0.8, "mae": 0.9}, "valid": {}}, 120.0)
    assert lines == ["[1/5] text-only seed 3: test acc2_non0=0.8000 mae=0.9000 (120 s); about 4.0 min left"]


def test_cli_refuses_table5_on_a_bert_encoder(capsys, tiny_bert_dir, tmp_path):
    status = main(["reproduce", "table5", "--data", "synthetic", "--data-option", "n=30", "--output", str(tmp_path),
                   "--set", f"model.params.encoder={tiny_bert_dir}"])
    assert status == 2 and "encoder of the xlnet family" in capsys.readouterr().err
