"""Orchestration: experiments of models x seeds, the paper's tables and figures, and searches.

``experiment`` runs models x seeds on one corpus into a store; ``specs`` declares the paper's
targets (rows = registered model + preset + overrides), ``reference`` loads its numbers shipped as
``paper_numbers.yaml``, ``runner`` trains the missing runs (``--jobs N`` side by side), ``tables``
and ``figures`` write the outputs, ``reproduce`` ties them together, and ``search`` is the
hyper-parameter search (Optuna). Nothing is imported here, so that a light submodule (a search
space for ``--help``) does not import torch.
"""
