"""shiftmsa.models: msg-mba, its comparators, the contract they keep and the registry that names them.

Importing this package registers the built-in models (see ``builtin``).
"""

from shiftmsa.models import builtin  # noqa: F401  (registers msg-mba, text-only, mag and Table I's baselines)
from shiftmsa.models.base import ModelInputs, MultimodalConfig, SentimentModel, SentimentModelConfig
from shiftmsa.models.output import RegressionOutput, TrainingStep
from shiftmsa.models.registry import available_models, build_model, make_config, register_model

__all__ = ["ModelInputs", "MultimodalConfig", "RegressionOutput", "SentimentModel", "SentimentModelConfig",
           "TrainingStep", "available_models", "build_model", "make_config", "register_model"]
