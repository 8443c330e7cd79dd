"""Optional dependencies of the feature extractors, imported with an install hint when missing."""

from __future__ import annotations

import importlib
from types import ModuleType

INSTALL_HINTS: dict[str, str] = {
    "features": "pip install 'shiftmsa[features]'",
    "opensmile": "pip install 'shiftmsa[opensmile]'",
    "face": "pip install 'shiftmsa[face]' (and on Debian: apt-get install -y libgl1 libglib2.0-0)",
}


class MissingExtraError(ImportError):
    """A feature extractor needs a package from one of shiftmsa's optional extras."""


def require(module_name: str, extra: str) -> ModuleType:
    """Import ``module_name`` or fail with the command that installs the ``extra`` providing it."""
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        raise MissingExtraError(
            f"{module_name!r} is not installed ({error}); install it with: {INSTALL_HINTS[extra]}"
        ) from error
