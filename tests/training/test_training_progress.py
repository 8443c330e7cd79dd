"""Console progress: lines every few per cent when not on a terminal, an estimate of the time left."""

import io

from shiftmsa.training.progress import EpochProgress, RunsProgress


def test_a_line_every_ten_per_cent_when_not_on_a_terminal():
    lines = []
    progress = EpochProgress("[m seed 0]", lines.append, stream=io.StringIO())
    progress.epoch_started(1, 3, batches=40)
    for done in range(1, 41):
        progress.batch_done(done)
    assert len(lines) == 9
    assert lines[0].startswith("[m seed 0] epoch 1/3: 10% (4/40 batches,")
    assert lines[-1].startswith("[m seed 0] epoch 1/3: 90% (36/40 batches,")


def test_few_batches_give_one_line_per_batch_at_most():
    lines = []
    progress = EpochProgress("[m]", lines.append, stream=io.StringIO())
    progress.epoch_started(2, 2, batches=3)
    for done in range(1, 4):
        progress.batch_done(done)
    assert [line.split(": ")[1][:3] for line in lines] == ["33%", "66%"]


def test_time_left_counts_the_runs_still_to_train():
    runs = RunsProgress(4)
    assert runs.start() == "run 1 of 4" and runs.time_left() == ""
    runs.skipped()
    runs.start()
    runs.trained(60.0)
    runs.start()
    assert runs.time_left() == "; about 2m00s left for 2 run(s)"
