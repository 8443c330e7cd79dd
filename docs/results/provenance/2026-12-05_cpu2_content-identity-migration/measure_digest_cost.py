"""What identifying a dataset costs beside reading it (issue 25): median of 7 timings each.

    PYTHONPATH=src python docs/results/provenance/2026-12-05_cpu2_content-identity-migration/measure_digest_cost.py SHARED_DATA

SHARED_DATA holds mosei/, mosi/ and mosi_openface/ (on the 2-core machine /work/shared/data).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from shiftmsa.data.identity import corpus_digest, file_stats
from shiftmsa.data.reading import read_corpus

DATASETS = {"mosei (text, mmsa-csv)": ("mosei/mmsa_label.csv", {}),
            "mosi sdk_fold + openSMILE (mosi-table)": ("mosi", {"split": "sdk_fold", "features": ["audio_opensmile"]}),
            "mosi openface (openface)": ("mosi_openface", {})}


def median_seconds(work, repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(shared: str) -> int:
    print("| data | utterances | read (s) | file sizes + times (s) | digest (s) | digest / read |")
    print("|---|---|---|---|---|---|")
    for name, (path, options) in DATASETS.items():
        path = Path(shared) / path
        corpus = read_corpus(path, **options)
        read = median_seconds(lambda: read_corpus(path, **options))
        stats = median_seconds(lambda: file_stats(path))
        digest = median_seconds(lambda: corpus_digest(corpus))
        print(f"| {name} | {len(corpus)} | {read:.3f} | {stats:.4f} | {digest:.3f} | {digest / read:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
