import threading

import pytest

from shiftmsa.store.records import ResultStore


def test_records_survive_a_torn_last_line(tmp_path):
    store = ResultStore(tmp_path)
    store.append({"model": "m", "seed": 0, "fingerprint": "f", "test": {"mae": 1.0}})
    with open(store.path, "a") as handle:
        handle.write('{"model": "m", "seed": 1, "finger')  # a crash mid-write
    with pytest.warns(UserWarning, match="line 2 is not valid JSON"):
        records = store.records()
    assert [r["seed"] for r in records] == [0]


def test_find_matches_model_seed_and_fingerprint(tmp_path):
    store = ResultStore(tmp_path)
    store.append({"model": "m", "seed": 0, "fingerprint": "a"})
    assert store.find("m", 0, "a") is not None
    assert store.find("m", 0, "b") is None
    assert store.find("m", 1, "a") is None


def test_a_record_appended_after_a_torn_line_is_not_lost(tmp_path):
    store = ResultStore(tmp_path)
    store.append({"model": "m", "seed": 0, "fingerprint": "f"})
    with open(store.path, "a") as handle:
        handle.write('{"model": "m", "seed": 1, "finger')  # a crash mid-write
    with pytest.warns(UserWarning, match="line 2 is not valid JSON"):
        store.append({"model": "m", "seed": 2, "fingerprint": "f"})
    with pytest.warns(UserWarning, match="line 2 is not valid JSON"):
        assert [r["seed"] for r in store.records()] == [0, 2]


def test_concurrent_appends_of_one_run_leave_one_record(tmp_path):
    stores = [ResultStore(tmp_path) for _ in range(8)]
    record = {"model": "m", "seed": 0, "fingerprint": "f"}
    writers = [threading.Thread(target=store.append, args=(dict(record, writer=i),)) for i, store in enumerate(stores)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert len(ResultStore(tmp_path).records()) == 1
