"""Do msg-mba's shifts sit on the synthetic data's cue words? Per-word shift sizes over a split.

    PYTHONPATH=src python benchmarks/explain_synthetic_cues.py CHECKPOINT [--n 3000] [--seed 0]
        [--split test] [--examples DIR]

The synthetic generator (``shiftmsa.data.synthetic``) adds a fixed cue direction with amplitude 3
to the acoustic row of a sentiment word whose polarity flips, and to the visual row of one it
intensifies, on top of N(0, 1) noise. A word's cue is read back from its rows: projection on the
cue direction above 1.5 (half the amplitude; a word without the cue crosses it with probability
6.7 %, a cued word stays under it with the same probability). The directions are the generator's
own (its first random draws for ``--seed``).

Prints, per shifting gate, the mean applied shift eta * ||h_s|| over four groups of words:
neutral words, sentiment words without a cue, with a flip (acoustic) cue, with an intensify
(visual) cue. ``--examples DIR`` also draws the shifts and p_att figures of the first
utterance of the split with a flip cue and the first with an intensify cue.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from shiftmsa import api
from shiftmsa.data.synthetic import CUE_AMPLITUDE, POLARITY, _UtteranceSampler, generate_synthetic
from shiftmsa.explain import ExplainOptions
from shiftmsa.explain.figures import shift_data
from shiftmsa.explain.trace import trace_utterance

GROUPS = ("neutral", "sentiment, no cue", "flip cue (acoustic)", "intensify cue (visual)")


def word_groups(utterance, directions: dict[str, np.ndarray]) -> list[str]:
    """The group of each word of a synthetic utterance (cue read back from its rows)."""
    cued = {stream: getattr(utterance, stream) @ direction > CUE_AMPLITUDE / 2
            for stream, direction in directions.items()}
    groups = []
    for index, word in enumerate(utterance.words):
        if word not in POLARITY:
            groups.append(GROUPS[0])
        elif cued["acoustic"][index]:
            groups.append(GROUPS[2])
        elif cued["visual"][index]:
            groups.append(GROUPS[3])
        else:
            groups.append(GROUPS[1])
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", default="test")
    parser.add_argument("--examples", help="folder for the figures of two example utterances")
    args = parser.parse_args()
    corpus = generate_synthetic(args.n, seed=args.seed)
    directions = _UtteranceSampler(np.random.default_rng(args.seed), corpus.acoustic_dim,
                                   corpus.visual_dim).cue_direction
    prepared, _ = api.load_checkpoint(args.checkpoint)
    sizes: dict[str, dict[str, list[float]]] = {}
    examples: dict[str, dict] = {}
    for utterance in corpus.splits[args.split]:
        trace = trace_utterance(prepared, utterance, record_attention=False, labelled=True)
        modalities = tuple(m for m in ("text", "acoustic", "visual") if f"shift/{m}" in trace.extras)
        data = shift_data(trace, modalities)
        groups = word_groups(utterance, directions)[:len(data.labels["words"])]
        for group in set(groups) & set(GROUPS[2:]):
            examples.setdefault(group, {"id": utterance.id, "words": list(zip(data.labels["words"], groups))})
        for modality in modalities:
            for group, size in zip(groups, data.arrays[f"shift/{modality}"]):
                sizes.setdefault(f"MSG-{modality[0].upper()}", {}).setdefault(group, []).append(float(size))
    summary = {gate: {group: {"words": len(values[group]), "mean": round(float(np.mean(values[group])), 4),
                              "std": round(float(np.std(values[group])), 4)}
                      for group in GROUPS if group in values}
               for gate, values in sizes.items()}
    print(json.dumps({"checkpoint": args.checkpoint, "split": args.split, "examples": examples,
                      "mean_applied_shift": summary}, indent=2))
    if args.examples:
        config = api.load_config(None, ["data.path=synthetic", f"data.options.n={args.n}",
                                        f"data.options.seed={args.seed}"])
        api.explain(args.checkpoint, config=config, split=args.split, ids=[example["id"] for example in examples.values()],
                    options=ExplainOptions(figures=("shifts", "p_att")), output=args.examples)


if __name__ == "__main__":
    main()
