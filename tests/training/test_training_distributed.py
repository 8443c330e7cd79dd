"""Training on 2 CPU processes (gloo), as ``train.devices=2`` does it: the same numbers as 1 process
within the tolerances of tests/distributed_helpers.py, dropout included (the encoders' and the
models'), a failing rank ends the run with its error, a run killed under 2 processes resumes under 1,
and two launcher commands as two nodes give the run of 2 processes. Followers run under the write
guard (tests/distributed_helpers.py): a follower that wrote would fail the run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from distributed_helpers import (SRC, assert_same_record, assert_same_run, guarded_processes,  # noqa: F401
                                 run_overrides, write_guard)
from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.training.loop import RunTrainer


@pytest.fixture(scope="module")
def corpus():
    return generate_synthetic(36, seed=5, acoustic_dim=4, visual_dim=3)  # 24 / 6 / 6


def overrides(model: str, encoder: Path, folder: Path, devices: int, epochs: int = 3) -> list[str]:
    return [f"model.name={model}", *run_overrides(encoder, folder, devices, epochs)]


@pytest.mark.parametrize("model, encoder", [("text-only", "tiny_bert_dir"), ("msg-mba", "tiny_bert_dir"),
                                            ("self-mm", "tiny_bert_dir"), ("text-only", "tiny_xlnet_dir")])
def test_two_processes_train_the_one_process_run(model, encoder, corpus, guarded_processes, tmp_path, request):
    """3 epochs, dropout on (XLNet: its layers run time-first)."""
    encoder = request.getfixturevalue(encoder)
    one = RunTrainer(load_config(None, overrides(model, encoder, tmp_path / "one", 1)), 0, corpus,
                     tmp_path / "one" / "run").run()
    two = RunTrainer(load_config(None, overrides(model, encoder, tmp_path / "two", 2)), 0, corpus,
                     tmp_path / "two" / "run").run()
    print(f"{model} on {encoder.name}: largest differences, 1 vs 2 processes: {assert_same_run(one, two)}")
    assert json.loads((tmp_path / "two" / "run" / "result.json").read_text())["best_epoch"] == two.best_epoch


def test_self_mm_memory_holds_every_ranks_rows(tiny_bert_dir, corpus, guarded_processes, tmp_path):
    """After 2 epochs on 2 processes every row of the label memory has been seen (no NaN label)
    and the features of the rows rank 1 trained are in rank 0's checkpoint."""
    from shiftmsa.training.checkpoint import read_tensors

    config = load_config(None, overrides("self-mm", tiny_bert_dir, tmp_path, 2, epochs=2))
    config.train.keep_checkpoint = True
    RunTrainer(config, 0, corpus, tmp_path / "run").run()
    weights = read_tensors(tmp_path / "run" / "best" / "model.safetensors")
    labels = weights["label_memory.labels"]
    assert not labels.isnan().any()
    assert (weights["label_memory.features_fusion"].abs().sum(dim=1) > 0).all()


def test_the_write_guard_ends_a_follower_that_writes(tmp_path):
    """The guard these tests put on followers works: a process of RANK 1 that opens a file for
    writing ends at once, naming it; one of RANK 0 writes."""
    env = {"PYTHONPATH": write_guard(tmp_path)}
    code = f"open({str(tmp_path / 'x')!r}, 'w').write('x'); print('wrote')"
    follower = python(code, env={**env, "RANK": "1"})
    assert follower.wait(60) == 17 and "rank 1 wrote " + str(tmp_path / "x") in follower.stderr.read()
    assert not (tmp_path / "x").exists()
    zero = python(code, env={**env, "RANK": "0"})
    assert zero.wait(60) == 0 and (tmp_path / "x").exists()


def test_two_nodes_of_one_process_give_the_record_of_two_processes(tiny_bert_dir, guarded_processes, tmp_path):
    """Two separate ``torch.distributed.run`` commands, node 0 and node 1 of one process each (the
    multi-node path, on one machine): one record, that of ``train.devices=2``; node 1 writes
    nothing (the write guard) and prints no result."""
    from shiftmsa.cli import main
    from shiftmsa.store.records import ResultStore
    from shiftmsa.training.distributed import _free_port

    train = ["train", "--model", "text-only", "--data", "synthetic", "--data-option", "n=36", "--epochs", "1",
             "--seeds", "0", "--set", "train.accelerator=cpu", "--set", "train.num_threads=1",
             "--set", f"model.params.encoder={tiny_bert_dir}",
             "--set", "data.max_length=16", "--set", "train.batch_size=7"]
    port = str(_free_port())
    env = {**os.environ, "PYTHONPATH": write_guard(tmp_path)}
    nodes = [subprocess.Popen([sys.executable, "-m", "torch.distributed.run", "--nnodes", "2", "--node-rank", str(node),
                               "--nproc-per-node", "1", "--master-addr", "127.0.0.1", "--master-port", port,
                               "-m", "shiftmsa", *train, "--output", str(tmp_path / "nodes")],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for node in (1, 0)]
    try:
        outputs = [node.communicate(timeout=300)[0] for node in nodes]
    finally:
        for node in nodes:
            if node.poll() is None:
                node.kill()
    assert [node.returncode for node in nodes] == [0, 0], outputs
    assert "run 1 of 1: trained" in outputs[1] and "trained" not in outputs[0], outputs
    assert main([*train, "--set", "train.devices=2", "--set", "train.strategy=ddp",
                 "--output", str(tmp_path / "devices")]) == 0
    [two_nodes], [two_devices] = ResultStore(tmp_path / "nodes").records(), ResultStore(tmp_path / "devices").records()
    assert_same_record(two_nodes, two_devices, tmp_path / "nodes", tmp_path / "devices")


def python(code: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_a_failing_rank_ends_the_run_with_its_error(tiny_bert_dir, tmp_path):
    """Rank 1 raises in its first epoch: the command ends within 60 s, names rank 1 and its error,
    stores nothing and leaves no process behind."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent("""
        import os
        if os.environ.get("RANK") == "1":
            from shiftmsa.training import loop

            def broken(*args, **kwargs):
                raise RuntimeError("rank 1 fails on purpose")

            loop.RunTrainer._train_epoch_shared = broken
    """))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), str(SRC), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "shiftmsa", "train", "--model", "text-only", "--data", "synthetic",
               "--data-option", "n=30", "--epochs", "1", "--seeds", "0", "--set", "train.accelerator=cpu",
               "--set", "train.devices=2", "--set", "train.strategy=ddp", "--set", "train.num_threads=1",
               "--set", f"model.params.encoder={tiny_bert_dir}", "--set", "data.max_length=16",
               "--output", str(tmp_path / "out")]
    started = time.monotonic()
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    took = time.monotonic() - started
    output = finished.stdout + finished.stderr
    assert took < 60, output
    assert "rank 1 failed" in output and "rank 1 fails on purpose" in output, output
    assert finished.returncode != 0 or "failed after" in output, output
    assert not (tmp_path / "out" / "results.jsonl").exists()


def test_killed_under_two_processes_resumes_under_one(tiny_bert_dir, corpus, one_thread, tmp_path):
    """kill -9 of rank 0 after its first epoch's checkpoint (its follower goes too), then the same
    run on 1 process: it resumes from epoch 2 and ends with the uninterrupted run's numbers."""
    straight = RunTrainer(load_config(None, overrides("msg-mba", tiny_bert_dir, tmp_path, 1)), 0, corpus,
                          tmp_path / "straight").run()
    run_dir = tmp_path / "killed"
    driver = python(f"""
        import sys, time
        from shiftmsa.config import load_config
        from shiftmsa.data import generate_synthetic
        from shiftmsa.training.loop import RunTrainer

        def stop(epoch, record):
            if epoch == 1:
                print("epoch 1 written", flush=True)
                time.sleep(600)

        config = load_config(None, {overrides("msg-mba", tiny_bert_dir, tmp_path, 2)!r})
        corpus = generate_synthetic(36, seed=5, acoustic_dim=4, visual_dim=3)
        RunTrainer(config, 0, corpus, {str(run_dir)!r}, on_epoch_end=stop).run()
    """, env={"PYTHONPATH": write_guard(tmp_path)})
    try:
        line = driver.stdout.readline()
        assert line.strip() == "epoch 1 written", driver.stderr.read()
        follower = _children(driver.pid)
        assert follower, "rank 0 started no follower"
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait(10)
    finally:
        if driver.poll() is None:
            driver.kill()
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in follower) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in follower), "the follower outlived rank 0"
    assert json.loads((run_dir / "last" / "state.json").read_text())["counters"]["epochs_done"] == 1
    epochs = []
    resumed = RunTrainer(load_config(None, overrides("msg-mba", tiny_bert_dir, tmp_path, 1)), 0, corpus, run_dir,
                         on_epoch_end=lambda epoch, record: epochs.append(epoch)).run()
    assert epochs == [2, 3]
    print(f"msg-mba: killed under 2 processes, resumed under 1: {assert_same_run(straight, resumed)}")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
