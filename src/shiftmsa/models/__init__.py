"""shiftmsa.models: msg-mba, its comparators, and the registry that names them.

Importing this package registers the built-in models (see ``builtin``).
"""

from shiftmsa.models import builtin  # noqa: F401  (registers msg-mba, text-only, mag)
from shiftmsa.models.registry import available_models, build_model, make_config, register_model

__all__ = ["available_models", "build_model", "make_config", "register_model"]
