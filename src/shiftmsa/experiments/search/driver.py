"""``shiftmsa search``: Section IV-E's grid search on the validation split, then the chosen
configuration's test metrics, once.

1. The study is created (its grid queued) or joined: ``study``.
2. ``jobs`` workers on this machine take trials until the study is finished: ``worker``; each
   trial is an experiment on the training and validation splits only: ``trial``.
3. Only then: the best configuration (lowest mean validation objective) is written as
   ``best.yaml``, which ``shiftmsa train --config`` takes, and trained over the final seeds on
   the whole corpus; this is the only step that scores the test split, and it writes
   ``final/table.md``. Rerunning the command skips what is done (study and result store).
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from shiftmsa.config import RunConfig
from shiftmsa.data.contract import Corpus
from shiftmsa.data.identity import identify_data
from shiftmsa.data.reading import load_corpus
from shiftmsa.experiments.experiment import Experiment
from shiftmsa.experiments.search.options import PRUNERS, STUDY_FILE, SearchOptions  # noqa: F401 (re-exported)
from shiftmsa.experiments.search.report import BEST_CONFIG, best_config, write_trials_table
from shiftmsa.experiments.search.space import SearchSpace
from shiftmsa.experiments.search.study import StudySettings, open_study
from shiftmsa.experiments.search.trial import TrialRunner, check_values
from shiftmsa.experiments.search.study_worker import run_worker
from shiftmsa.experiments.tables import compare_records, write_table
from shiftmsa.files import write_text
from shiftmsa.store.fingerprint import fingerprint_text

FINAL_FOLDER = "final"


@dataclass
class SearchOutcome:
    """What a search produced.

    Args:
        trials_table: the Markdown table of the trials (``trials.md``).
        best_config: the chosen configuration, or None when the final step did not run.
        final_table: the chosen configuration's test metrics over the final seeds, or None.
        final_records: the final runs' records.
    """

    trials_table: str
    best_config: RunConfig | None = None
    final_table: str | None = None
    final_records: list[dict] | None = None


def study_settings(config: RunConfig, space: SearchSpace, options: SearchOptions, corpus: Corpus) -> StudySettings:
    """The study a search runs in (its identity holds that of ``corpus``, the data searched on);
    refuses a trial budget that does not fit the space."""
    output = Path(config.output_dir).resolve()
    if space.sampler == "grid":
        size = len(space.grid())
        if options.trials is not None and options.trials != size:
            raise ValueError(f"the grid of {space.source} has {size} points: --trials {options.trials} "
                             f"would change it (a grid runs every point; use sampler tpe to sample)")
        budget = size
    elif options.trials is None or options.trials < 1:
        raise ValueError("a tpe search needs --trials N (N >= 1)")
    else:
        budget = options.trials
    if options.pruner not in PRUNERS:
        raise ValueError(f"pruner must be median or none, got {options.pruner!r}")
    run = fingerprint_text(config, identify_data(config.data, corpus))
    identity = json.dumps({"run": run, "seeds": config.train.seeds}, sort_keys=True)
    return StudySettings(name=options.study or config.model.label,
                         storage=options.storage or f"sqlite:///{output / STUDY_FILE}",
                         space=space, budget=budget, identity=identity, pruner=options.pruner,
                         prune_from_epoch=options.prune_from_epoch, sampler_seed=options.sampler_seed)


def run_search(config: RunConfig, space: SearchSpace, options: SearchOptions = SearchOptions(),
               log: Callable[[str], None] = print, corpus: Corpus | None = None) -> SearchOutcome:
    """Search ``space`` around ``config`` (its seeds are each trial's seeds), then train the best
    configuration over ``options.final_seeds`` and score the test split once.

    Args:
        config: the base configuration; ``output_dir`` is the search's folder.
        space: what to search.
        options: see SearchOptions.
        log: one-line progress messages.
        corpus: the data (default: read from ``config.data``).
    """
    output = Path(config.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    corpus_given = corpus is not None
    corpus = corpus or load_corpus(config)
    settings = study_settings(config, space, options, corpus)
    for values in (space.grid() if space.sampler == "grid" else [space.first_point()]):
        check_values(config, values, corpus)
    search = open_study(settings)
    log(f"study {settings.name} in {settings.storage}: {settings.budget} trials of {space.source}")
    if options.jobs == 1:
        run_worker(search, TrialRunner(config, corpus, output, log), log)
    else:
        _run_processes(config, settings, options.jobs, corpus if corpus_given else None)
    keys = list(space.params)
    table = write_trials_table(output, search.study, keys)
    if not options.final:
        return SearchOutcome(table)
    chosen = best_config(search.study, config, list(options.final_seeds), output / FINAL_FOLDER)
    write_text(output / BEST_CONFIG, chosen.to_yaml())
    log(f"best configuration: {output / BEST_CONFIG}; training it over seeds {list(options.final_seeds)}")
    records = Experiment(chosen, log=log).run(corpus)
    final_table = write_table(output / FINAL_FOLDER, compare_records(records, None), None)
    return SearchOutcome(table, chosen, final_table, records)


def _run_processes(config: RunConfig, settings: StudySettings, jobs: int, corpus: Corpus | None) -> None:
    """Run ``jobs`` worker processes on the study and wait for all of them."""
    if config.train.num_threads == 0:  # share the cores instead of each worker taking all
        config = copy.deepcopy(config)
        config.train.num_threads = max(1, (os.cpu_count() or 1) // jobs)
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_worker_process, args=(config, settings, index, corpus),
                                 name=f"search-worker-{index}") for index in range(jobs)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    failed = [p.name for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"search worker(s) {', '.join(failed)} failed (see their messages above); "
                           f"their trials are queued again: rerun the command to continue")


def _worker_process(config: RunConfig, settings: StudySettings, index: int, corpus: Corpus | None) -> None:
    """One ``--jobs`` worker (a spawned process): join the study and take trials."""
    search = open_study(settings, worker=index)
    corpus = corpus or load_corpus(config)

    def log(message: str) -> None:
        print(f"[worker {index}] {message}", flush=True)

    run_worker(search, TrialRunner(config, corpus, Path(config.output_dir), log), log)
