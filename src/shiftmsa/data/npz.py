"""Read ``.npz`` archives without numpy's plain unpickler.

``np.load(allow_pickle=True)`` unpickles object arrays with no restriction. Some published
archives (the shared MOSI features' ``id``) hold object arrays of strings, so those members are
read through ``RestrictedUnpickler`` instead, and every other member with ``allow_pickle=False``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from shiftmsa.data.contract import DataError
from shiftmsa.data.safe_pickle import loads_pickle


def _read_member(archive: zipfile.ZipFile, member: str, source: str) -> np.ndarray:
    with archive.open(member) as stream:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
        else:
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
        if not dtype.hasobject:
            payload = stream.read()
            array = np.frombuffer(payload, dtype=dtype, count=int(np.prod(shape)))
            order = "F" if fortran_order else "C"
            return array.reshape(shape, order=order).copy()
        array = loads_pickle(stream.read(), source=f"{source}:{member}")
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise DataError(f"member {member!r} does not hold the array its header announces", path=source)
    return array


def load_npz(path: str | Path) -> dict[str, np.ndarray]:
    """All arrays of an ``.npz`` file, keyed by name (without ``.npy``); object arrays read safely.

    Raises:
        DataError: naming the file, when it is missing or not a valid archive.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", path=str(path))
    try:
        with zipfile.ZipFile(path) as archive:
            return {
                member.removesuffix(".npy"): _read_member(archive, member, str(path))
                for member in archive.namelist() if member.endswith(".npy")
            }
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise DataError(f"not a readable .npz archive ({error})", path=str(path)) from None
