"""The runner: planned runs trained here or as worker processes, within deadlines; plan files."""

import sys
import time

import pytest

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


def write_plan(folder, encoder, *lines):
    common = (f"--model text-only --data synthetic --data-option n=40 --epochs 1 --set model.params.encoder={encoder} "
              "--set data.max_length=16 --set train.batch_size=16")
    plan = folder / "plan.txt"
    plan.write_text("\n".join(line.format(common=common) for line in lines) + "\n")
    return plan


def plan_command(plan, output, *options):
    return main(["plan", str(plan), "--output", str(output), "--set", "train.accelerator=cpu",
                 "--set", "train.num_threads=1", *options])


@pytest.mark.slow
def test_a_plan_runs_side_by_side_into_its_stores_and_a_rerun_trains_nothing(tmp_path, tiny_bert_dir, capsys):
    plan = write_plan(tmp_path, tiny_bert_dir, "# a comparison in two stores", "first {common} --seeds 0",
                      "first {common} --seeds 1  # the second seed", "",
                      "second {common} --seeds 0 --set train.learning_rate=1e-4")
    output = tmp_path / "runs"
    assert plan_command(plan, output, "--jobs", "2") == 0
    out = capsys.readouterr().out
    assert "3 run(s) to train, 0 already in 2 stores" in out
    assert "3 run(s): 3 trained, 0 finished earlier, 0 failed, 0 not started, 0 stopped" in out
    assert sorted(r["seed"] for r in ResultStore(output / "first").records()) == [0, 1]
    assert [r["seed"] for r in ResultStore(output / "second").records()] == [0]
    assert len(list((output / "first" / "logs").iterdir())) == 2  # one worker's output per run
    stored = {store: (output / store / "results.jsonl").read_text() for store in ("first", "second")}

    assert plan_command(plan, output, "--jobs", "2", "--require-all") == 0
    out = capsys.readouterr().out
    assert "0 run(s) to train, 3 already in 2 stores" in out and "3 finished earlier" in out
    assert {store: (output / store / "results.jsonl").read_text() for store in stored} == stored


def test_a_start_deadline_of_0_starts_nothing_and_says_so(tmp_path, tiny_bert_dir, capsys):
    plan = write_plan(tmp_path, tiny_bert_dir, "first {common} --seeds 0,1", "second {common} --seeds 0")
    assert plan_command(plan, tmp_path / "runs", "--start-deadline", "0") == 0
    out = capsys.readouterr().out
    assert out.count("not started: the start deadline (0 s) has passed") == 3
    assert "3 run(s): 0 trained, 0 finished earlier, 0 failed, 3 not started, 0 stopped" in out
    assert not (tmp_path / "runs" / "first" / "results.jsonl").exists()
    assert plan_command(plan, tmp_path / "runs", "--start-deadline", "0", "--require-all") == 1


def test_a_hard_deadline_stops_a_long_run_and_leaves_no_record(tmp_path, tiny_bert_dir, capsys):
    plan = write_plan(tmp_path, tiny_bert_dir, "slow {common} --seeds 0 --epochs 1000 --data-option n=200")
    started = time.monotonic()
    assert plan_command(plan, tmp_path / "runs", "--hard-deadline", "4") == 0  # a stopped run is no failure
    assert time.monotonic() - started < 20
    out = capsys.readouterr().out
    assert "[text-only seed 0] run 1 of 1: stopped after" in out and "the hard deadline (4 s) passed; no record" in out
    assert ResultStore(tmp_path / "runs" / "slow").records() == []
    assert plan_command(plan, tmp_path / "runs", "--hard-deadline", "0", "--require-all") == 1


def test_a_bad_plan_line_is_refused_with_its_place(tmp_path, tiny_bert_dir, capsys):
    plan = write_plan(tmp_path, tiny_bert_dir, "first {common} --seeds 0", "first --model nope --seeds 0")
    assert plan_command(plan, tmp_path / "runs") == 2
    assert f"{plan}:2: unknown model 'nope'" in capsys.readouterr().err


def test_cli_refuses_table5_on_a_bert_encoder(capsys, tiny_bert_dir, tmp_path):
    status = main(["reproduce", "table5", "--data", "synthetic", "--data-option", "n=30", "--output", str(tmp_path),
                   "--set", f"model.params.encoder={tiny_bert_dir}"])
    assert status == 2 and "encoder of the xlnet family" in capsys.readouterr().err
