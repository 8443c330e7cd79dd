"""Console progress: lines every few per cent when not on a terminal, an estimate of the time left."""

import io

from shiftmsa.training.progress import EpochProgress, RunsProgress


def lines_of_an_epoch(batches: int) -> list[str]:
    lines = []
    progress = EpochProgress("[m seed 0]", lines.append, stream=io.StringIO())  # not a terminal
    progress.epoch_started(1, 3, batches=batches)
    for done in range(1, batches + 1):
        progress.batch_done(done)
    return lines


def test_a_line_every_ten_per_cent_when_not_on_a_terminal():
    lines = lines_of_an_epoch(40)
    assert len(lines) == 9
    assert lines[0].startswith("[m seed 0] epoch 1/3: 10% (4/40 batches,")
    assert lines[-1].startswith("[m seed 0] epoch 1/3: 90% (36/40 batches,")


def test_few_batches_give_one_line_per_batch_at_most():
    assert [line.split(": ")[1][:3] for line in lines_of_an_epoch(3)] == ["33%", "66%"]


def test_time_left_counts_the_runs_still_to_train():
    lines = []
    runs = RunsProgress(5, to_train=4, parallel=1, log=lines.append)
    runs.ended(1, "m", 0, "finished earlier", pending=False)
    runs.started(2, "m", 1)
    assert runs.time_left() == ""  # nothing trained yet
    runs.ended(2, "m", 1, "trained", trained_seconds=60.0)
    runs.started(3, "m", 2)
    assert lines == ["[m seed 0] run 1 of 5: finished earlier", "[m seed 1] run 2 of 5", "[m seed 1] run 2 of 5: trained",
                     "[m seed 2] run 3 of 5; about 3m00s left for 3 run(s)"]
    runs.parallel = 2
    assert runs.time_left() == "; about 1m30s left for 3 run(s)"  # runs side by side
