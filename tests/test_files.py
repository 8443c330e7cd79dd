"""Atomic writes: a failure while writing leaves the old file (or files, or folder) as it was,
no temporary file behind, and an OSError that names the file."""

import errno
import os

import pytest

from shiftmsa.files import replacing, write_folder_atomically, write_json, write_text, write_together


class Failed(Exception):
    pass


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".partial", ".old")))


def test_write_text_replaces_the_whole_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("an older and much longer text\n")
    write_text(path, "new\n")
    assert path.read_text() == "new\n" and leftovers(tmp_path) == []
    write_json(path, {"b": 1, "a": [2]})
    assert path.read_text() == '{\n  "a": [\n    2\n  ],\n  "b": 1\n}\n'


def test_a_failure_while_writing_keeps_the_old_file(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("id,score\na,1.0\n")
    with pytest.raises(Failed), replacing(path, newline="") as handle:
        handle.write("id,score\n")
        raise Failed()
    assert path.read_text() == "id,score\na,1.0\n" and leftovers(tmp_path) == []


def test_a_full_disk_at_sync_keeps_the_old_file_and_names_it(tmp_path, monkeypatch):
    path = tmp_path / "result.json"
    path.write_text("{}\n")

    def no_space(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as the system raises it: no file named

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError) as raised:
        write_json(path, {"mae": 1.0})
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(path)
    assert path.read_text() == "{}\n" and leftovers(tmp_path) == []


def test_files_written_together_change_all_or_none(tmp_path):
    (tmp_path / "a").write_text("old a")
    (tmp_path / "b").write_text("old b")

    def fail(handle):
        raise Failed()

    with pytest.raises(Failed):
        write_together({tmp_path / "a": lambda handle: handle.write(b"new a"), tmp_path / "b": fail})
    assert [(tmp_path / n).read_text() for n in "ab"] == ["old a", "old b"] and leftovers(tmp_path) == []
    write_together({tmp_path / "a": lambda handle: handle.write(b"new a"),
                    tmp_path / "b": lambda handle: handle.write(b"new b")})
    assert [(tmp_path / n).read_text() for n in "ab"] == ["new a", "new b"]


def test_a_folder_written_atomically_stays_whole_on_failure(tmp_path):
    folder = tmp_path / "best"
    folder.mkdir()
    (folder / "weights").write_text("old")

    def half_written(staging):
        (staging / "weights").write_text("new")
        raise Failed()

    with pytest.raises(Failed):
        write_folder_atomically(folder, half_written)
    assert (folder / "weights").read_text() == "old" and leftovers(tmp_path) == []
    write_folder_atomically(folder, lambda staging: (staging / "weights").write_text("new"))
    assert [p.name for p in tmp_path.iterdir()] == ["best"] and (folder / "weights").read_text() == "new"


def test_only_whole_file_modes(tmp_path):
    with pytest.raises(ValueError, match="mode 'a'"), replacing(tmp_path / "log", "a"):
        pass
