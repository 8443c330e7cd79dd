"""Hyper-parameter search on the validation split (Section IV-E), on Optuna.

``space`` (what to search), ``study`` (the shared Optuna study), ``worker`` (the trial loop),
``trial`` (one trial = one experiment without the test split), ``report`` (tables, best
configuration) and ``runner`` (``run_search``: workers, then the final step). Needs the
``search`` extra (``pip install -e '.[search]'``). Nothing is imported here, so that a worker
that only handles the study does not load torch.
"""
