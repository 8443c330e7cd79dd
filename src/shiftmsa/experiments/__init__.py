"""Orchestration: experiments of models x seeds, the paper's tables and figures, and searches.

``runner`` trains planned runs (a model config, a seed, a store folder) not yet in their stores,
here (``single_run``) or as ``worker`` processes, within deadlines: ``experiment`` (models x seeds
on one corpus), ``reproduce`` and plan files (``shiftmsa plan``) go through it. ``specs`` declares
the paper's targets (rows = registered model + preset + overrides), ``reference`` loads its numbers
shipped as ``paper_numbers.yaml``, ``tables`` and ``figures`` write the outputs, and ``search`` is
the hyper-parameter search (Optuna). Nothing is imported here, so that a light submodule (a search
space for ``--help``) does not import torch.
"""
