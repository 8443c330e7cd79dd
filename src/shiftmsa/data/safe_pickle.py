"""Read pickles without running the code they may carry.

A pickle is a program: loading it with the plain unpickler can call any importable function
(``os.system``, ``builtins.eval``...). Community datasets (MAG-BERT's ``mosi.pkl``, MMSA's
``aligned_50.pkl``) are pickles of builtin containers and numpy arrays only, so this module admits
exactly those and refuses every other global *before* it is called.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

from shiftmsa.data.contract import DataError

# Builtin types a data pickle may name (protocols <= 3 name set/frozenset/bytearray as globals).
ALLOWED_BUILTINS = frozenset({"set", "frozenset", "bytearray", "complex", "slice", "range"})

# What numpy needs to rebuild arrays, dtypes and scalars, under both its 1.x and 2.x module names.
ALLOWED_NUMPY = frozenset({
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("multiarray", "_reconstruct"),
    ("multiarray", "scalar"),
    ("numeric", "_frombuffer"),
})
NUMPY_CORE_MODULES = ("numpy.core.", "numpy._core.")


def _numpy_key(module: str, name: str) -> tuple[str, str] | None:
    """``(submodule, name)`` for numpy globals, with ``numpy.core``/``numpy._core`` folded together."""
    if module == "numpy":
        return ("numpy", name)
    for prefix in NUMPY_CORE_MODULES:
        if module.startswith(prefix):
            return (module[len(prefix):], name)
    return None


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only builtin containers, numbers, strings and numpy arrays.

    Args:
        file: the binary stream to read.
        source: the file name to put in error messages.
    """

    def __init__(self, file, *, source: str):
        super().__init__(file)
        self.source = source

    def find_class(self, module: str, name: str) -> Any:
        if module in ("builtins", "__builtin__") and name in ALLOWED_BUILTINS:
            return super().find_class(module, name)
        if module == "_codecs" and name == "encode":
            # protocol-2 pickles of bytes (numpy buffers) go through codecs.encode(str, "latin1")
            return super().find_class(module, name)
        key = _numpy_key(module, name)
        if key in ALLOWED_NUMPY:
            target_module = "numpy" if key[0] == "numpy" else f"numpy._core.{key[0]}"
            return super().find_class(target_module, name)
        raise DataError(
            f"refused to load the global {module}.{name}: this pickle asks to run code that is not "
            "a builtin container, number, string or numpy array, so it was not loaded (nothing it "
            "carries has run). Convert the data to a plain format (e.g. shiftmsa's native folder) "
            "or check where the file came from",
            path=self.source,
        )

    def persistent_load(self, pid: Any) -> Any:
        raise DataError(f"refused persistent id {pid!r}: data pickles never use them", path=self.source)


def load_pickle(path: str | Path) -> Any:
    """Load a data pickle from ``path`` through ``RestrictedUnpickler``.

    Raises:
        DataError: naming the file, when it is missing, a folder, truncated or asks for a refused
            global.
    """
    path = Path(path)
    try:
        with path.open("rb") as stream:
            return RestrictedUnpickler(stream, source=str(path)).load()
    except DataError:
        raise
    except FileNotFoundError:
        raise DataError("file not found", path=str(path)) from None
    except IsADirectoryError:
        raise DataError("is a folder, and this format reads one pickle file (check --format)", path=str(path)) from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as error:
        raise DataError(f"not a readable data pickle ({type(error).__name__}: {error})", path=str(path)) from None


def loads_pickle(payload: bytes, *, source: str) -> Any:
    """Like ``load_pickle`` for bytes already in memory (e.g. an object array inside an .npz)."""
    try:
        return RestrictedUnpickler(io.BytesIO(payload), source=source).load()
    except DataError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as error:
        raise DataError(f"not a readable data pickle ({type(error).__name__}: {error})", path=source) from None

