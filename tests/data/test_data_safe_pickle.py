import io
import os
import pickle
import zipfile

import numpy as np
import pytest

from shiftmsa.data.contract import DataError
from shiftmsa.data.npz import load_npz
from shiftmsa.data.safe_pickle import load_pickle


class WritesMarker:
    """A payload whose unpickling would run ``os.system`` to create a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class CallsEval:
    def __reduce__(self):
        return (eval, ("1 + 1",))


def test_malicious_pickle_is_refused_before_it_runs(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "mosi.pkl"
    path.write_bytes(pickle.dumps({"train": [WritesMarker(marker)]}))
    with pytest.raises(DataError) as raised:
        load_pickle(path)
    message = str(raised.value)
    assert str(path) in message and ("posix.system" in message or "os.system" in message)
    assert not marker.exists()


def test_builtins_eval_is_refused(tmp_path):
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(CallsEval()))
    with pytest.raises(DataError, match="builtins.eval"):
        load_pickle(path)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_numpy_arrays_and_containers_load_under_every_protocol(tmp_path, protocol):
    content = {"train": [((np.array(["a", "b"]), np.ones((2, 3), np.float32)), np.array([[1.5]]), "v_1")],
               "scalar": np.float32(2.5), "ids": np.array(["x", "y"], dtype=object), "set": {1, 2}}
    path = tmp_path / "data.pkl"
    path.write_bytes(pickle.dumps(content, protocol=protocol))
    loaded = load_pickle(path)
    assert loaded["train"][0][0][1].shape == (2, 3)
    assert loaded["ids"].tolist() == ["x", "y"]
    assert float(loaded["scalar"]) == 2.5 and loaded["set"] == {1, 2}


def test_truncated_pickle_names_the_file(tmp_path):
    path = tmp_path / "cut.pkl"
    path.write_bytes(pickle.dumps({"a": list(range(100))})[:20])
    with pytest.raises(DataError, match="cut.pkl"):
        load_pickle(path)


def test_npz_object_member_is_read_with_the_restricted_unpickler(tmp_path):
    path = tmp_path / "features.npz"
    np.savez(path, id=np.array(["u_1", "u_2"], dtype=object), values=np.eye(2, dtype=np.float32))
    arrays = load_npz(path)
    assert arrays["id"].tolist() == ["u_1", "u_2"]
    np.testing.assert_array_equal(arrays["values"], np.eye(2))


def test_npz_with_a_malicious_object_member_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    path = tmp_path / "evil.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("id.npy", b"\x93NUMPY\x01\x00" + header.getvalue()[8:] + pickle.dumps(WritesMarker(marker)))
    with pytest.raises(DataError, match="evil.npz"):
        load_npz(path)
    assert not marker.exists()
