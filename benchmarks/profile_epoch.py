"""Profile one epoch of a model (fit loop, validation, test) with cProfile, and say how much of
the wall time went to batch building, the model step and the rest.

    PYTHONPATH=src .venv/bin/python benchmarks/profile_epoch.py --model msg-mba [--train 300]
        [--data /work/shared/data/mosi] [--option split=sdk_fold --option features=[audio_opensmile]]
        [--set train.length_buckets=true] [--top 25]

``--train N`` keeps the first N training utterances (and N/2 of valid and test) for speed.
Prints the cProfile top functions by cumulative time and a line
``profile model=... wall=<s> batch_building=<s> forward_backward=<s> evaluation=<s>``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="msg-mba")
    parser.add_argument("--data", default="/work/shared/data/mosi")
    parser.add_argument("--option", action="append",
                        default=None, help="data option key=value (default: SDK folds + openSMILE)")
    parser.add_argument("--set", action="append", default=[], help="config override key=value")
    parser.add_argument("--train", type=int, default=300, help="training utterances kept (0: all)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    options = args.option if args.option is not None else ["split=sdk_fold", "features=[audio_opensmile]"]

    import torch

    from shiftmsa.config import load_config
    from shiftmsa.data.reading import load_corpus
    from shiftmsa.data.word_pieces import BatchBuilder
    from shiftmsa.training import loop

    overrides = [f"data.path={args.data}", "train.epochs=1", "train.seeds=[0]",
                 f"model.name={args.model}"] + [f"data.options.{o}" for o in options] + args.set
    config = load_config(None, overrides, protocol="cpu")
    corpus = load_corpus(config)
    if args.train:
        corpus.splits["train"] = corpus.splits["train"][:args.train]
        corpus.splits["valid"] = corpus.splits["valid"][:max(1, args.train // 2)]
        corpus.splits["test"] = corpus.splits["test"][:max(1, args.train // 2)]
    spent = {"batch_building": 0.0, "evaluation": 0.0}
    build = BatchBuilder.__call__

    def timed_build(self, utterances):
        started = time.perf_counter()
        try:
            return build(self, utterances)
        finally:
            spent["batch_building"] += time.perf_counter() - started

    predict = loop.predict_utterances

    def timed_predict(*a, **k):
        started = time.perf_counter()
        try:
            return predict(*a, **k)
        finally:
            spent["evaluation"] += time.perf_counter() - started

    BatchBuilder.__call__ = timed_build
    loop.predict_utterances = timed_predict
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        profiler.enable()
        loop.RunTrainer(config, 0, corpus, folder).run()
        profiler.disable()
        wall = time.perf_counter() - started
    stats = pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative")
    stats.print_stats(args.top)
    print(f"profile model={args.model} train={len(corpus.splits['train'])} threads={torch.get_num_threads()} "
          f"wall={wall:.2f} batch_building={spent['batch_building']:.2f} evaluation={spent['evaluation']:.2f}")


if __name__ == "__main__":
    main()
