"""Load test of ``shiftmsa serve`` on loopback: throughput, latency and errors at 1, 4 and 16
concurrent clients, and the server's memory over 10,000 requests.

    PYTHONPATH=src python benchmarks/serve_load.py --work /tmp/serve-load [--model CHECKPOINT_OR_BUNDLE]

Without ``--model`` a model is made first in ``--work``: ``SENTENCES`` spoken by espeak-ng, their
features extracted (``shiftmsa extract-dataset``, librosa, no video), msg-mba trained on them for
``--epochs`` (the default encoder, all-MiniLM-L6-v2), so that clips and text batches alike fit it.
The server is started as its own process (``shiftmsa serve``, ``--workers``, ``--queue``); the
clients are asyncio tasks sharing one httpx client in this process (so clients and server share the
machine's cores). For each number of clients, ``--text-requests`` requests of ``POST /predict`` with
``--batch`` utterances (random acoustic rows of the model's width) and then ``--clip-requests``
requests of ``POST /clip`` with a spoken sentence; each client sends its next request when its last
is answered. Then the soak: ``POST /predict`` of one utterance from 16 clients until the server
has answered ``--soak`` requests in all, with its resident memory (VmRSS) read every 1,000.

Prints a Markdown table and writes ``results.json`` into ``--work``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

NOUNS = ("movie", "acting", "music", "story", "ending", "plot")
GOOD = ("great", "wonderful", "good", "funny")
BAD = ("terrible", "boring", "bad", "dull")
SENTENCES = [(f"the {noun} was {adjective}", 2.0 if adjective in GOOD else -2.0)
             for noun in NOUNS for adjective in GOOD + BAD]
CLIP_TEXT = "honestly the acting was wonderful but the ending was dull"
TEXTS = ["what a wonderful film", "i hated the ending", "the acting was not bad at all but the plot was thin",
         "ok", "really funny characters and great music", "it was boring", "a dull story told well enough"]


def shiftmsa(*arguments: str) -> None:
    subprocess.run([sys.executable, "-m", "shiftmsa", *arguments], check=True)


def speak(text: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(path), text], check=True, capture_output=True)
    return path


def make_model(work: Path, epochs: int) -> Path:
    """msg-mba trained on ``SENTENCES`` spoken by espeak-ng (text + librosa acoustic features)."""
    clips = work / "clips"
    clips.mkdir(parents=True, exist_ok=True)
    with open(clips / "manifest.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["clip", "transcript", "label", "split"])
        for index, (text, label) in enumerate(SENTENCES):
            split = ("valid", "test")[index % 2] if index % 6 in (0, 1) else "train"
            writer.writerow([speak(text, clips / f"clip{index:02d}.wav").name, text, label, split])
    shiftmsa("extract-dataset", str(clips / "manifest.csv"), "-o", str(work / "dataset"), "--no-visual")
    shiftmsa("train", "--model", "msg-mba", "--data", str(work / "dataset"), "--seeds", "0", "--epochs", str(epochs),
             "--output", str(work / "run"), "--set", "train.batch_size=8")
    return work / "run" / "msg-mba" / "seed-0" / "best"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class Load:
    """Requests of one kind sent by ``clients`` concurrent clients, ``total`` in all."""

    def __init__(self, client, send, total: int, clients: int):
        self.client, self.send, self.total, self.clients = client, send, total, clients
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.started = 0

    async def _client(self) -> None:
        while self.started < self.total:
            self.started += 1
            began = time.perf_counter()
            try:
                status = (await self.send(self.client)).status_code
            except Exception:  # noqa: BLE001 (a refused or broken connection counts as an error)
                status = 0
            self.latencies.append(time.perf_counter() - began)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    async def run(self) -> dict:
        began = time.perf_counter()
        await asyncio.gather(*(self._client() for _ in range(self.clients)))
        seconds = time.perf_counter() - began
        latencies = np.array(self.latencies) * 1000
        return {"clients": self.clients, "requests": self.total, "seconds": round(seconds, 2),
                "per_second": round(self.total / seconds, 2), "p50_ms": round(float(np.percentile(latencies, 50)), 1),
                "p99_ms": round(float(np.percentile(latencies, 99)), 1),
                "errors": sum(n for status, n in self.statuses.items() if status != 200),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())}}


def text_batch(width: int | None, size: int, seed: int) -> list[dict]:
    """``size`` utterances of ``TEXTS`` with random acoustic rows of ``width`` (when the model uses them)."""
    rng = np.random.default_rng(seed)
    batch = []
    for index in range(size):
        text = TEXTS[(seed + index) % len(TEXTS)]
        utterance = {"id": f"u{index}", "text": text}
        if width:
            utterance["acoustic"] = rng.normal(size=(len(text.split()), width)).round(3).tolist()
        batch.append(utterance)
    return batch


async def measure(url: str, pid: int, arguments, width: int | None, clip: Path) -> dict:
    import httpx

    clip_bytes = clip.read_bytes()
    batches = [text_batch(width, arguments.batch, seed) for seed in range(16)]
    singles = [text_batch(width, 1, seed) for seed in range(16)]
    counter = iter(range(1 << 40))

    async def predict(client):
        return await client.post("/predict", json=batches[next(counter) % len(batches)])

    async def one(client):
        return await client.post("/predict", json=singles[next(counter) % len(singles)])

    async def score_clip(client):
        return await client.post("/clip", files={"clip": (clip.name, clip_bytes, "audio/wav")},
                                 data={"transcript": CLIP_TEXT})

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as client:
        for warm in (predict, score_clip):  # first-use costs (imports, the aligner, JIT) out of the figures
            assert (await warm(client)).status_code == 200
        rows = []
        for clients in arguments.clients:
            rows.append({"kind": f"text batch of {arguments.batch}",
                         **await Load(client, predict, arguments.text_requests, clients).run()})
            rows.append({"kind": "clip", **await Load(client, score_clip, arguments.clip_requests, clients).run()})
            print(rows[-2], rows[-1], flush=True)
        served = (await client.get("/health")).json()["queue"]["completed"]
        memory = [{"requests": served, "rss_mb": round(rss_mb(pid), 1)}]
        soak_rows = []
        while served < arguments.soak:
            step = min(1000, arguments.soak - served)
            soak_rows.append(await Load(client, one, step, 16).run())
            served = (await client.get("/health")).json()["queue"]["completed"]
            memory.append({"requests": served, "rss_mb": round(rss_mb(pid), 1)})
            print(memory[-1], soak_rows[-1]["per_second"], soak_rows[-1]["errors"], flush=True)
    soak_errors = sum(row["errors"] for row in soak_rows)
    return {"rows": rows, "memory": memory, "soak_errors": soak_errors,
            "soak_p50_ms": statistics.median(row["p50_ms"] for row in soak_rows) if soak_rows else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True, help="folder for the model, the clip and results.json")
    parser.add_argument("--model", type=Path, help="a checkpoint or bundle (default: one made in --work)")
    parser.add_argument("--epochs", type=int, default=3, help="training epochs of the model made (default: 3)")
    parser.add_argument("--clients", type=lambda v: [int(c) for c in v.split(",")], default=[1, 4, 16])
    parser.add_argument("--text-requests", type=int, default=300, help="per number of clients (default: 300)")
    parser.add_argument("--clip-requests", type=int, default=32, help="per number of clients (default: 32)")
    parser.add_argument("--batch", type=int, default=8, help="utterances per text request (default: 8)")
    parser.add_argument("--soak", type=int, default=10_000, help="requests served in all (default: 10000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queue", type=int, default=16)
    arguments = parser.parse_args()
    arguments.work.mkdir(parents=True, exist_ok=True)
    model = arguments.model or make_model(arguments.work, arguments.epochs)
    clip = speak(CLIP_TEXT, arguments.work / "load-clip.wav")
    port = free_port()
    began = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "shiftmsa", "serve", str(model), "--port", str(port),
                               "--workers", str(arguments.workers), "--queue", str(arguments.queue)])
    url = f"http://127.0.0.1:{port}"
    try:
        import httpx

        while True:
            try:
                health = httpx.get(f"{url}/health", timeout=1).json()
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    raise SystemExit(f"the server stopped (exit {server.returncode})") from None
                time.sleep(0.1)
        startup = time.perf_counter() - began
        card = health["model"]
        width = card["trained_on"]["acoustic_dim"] if "acoustic" in card["modalities"] else None
        results = asyncio.run(measure(url, server.pid, arguments, width, clip))
    finally:
        server.terminate()
        server.wait(30)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    results.update({"model": str(model), "card": card, "startup_seconds": round(startup, 1),
                    "settings": {k: v for k, v in vars(arguments).items() if k not in ("work", "model")},
                    "machine": f"{platform.node()}, {os.cpu_count()} cores, {platform.machine()}", "commit": commit,
                    "command": " ".join(sys.argv)})
    (arguments.work / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nserver start to /health 200: {startup:.1f} s; model {card['model']} ({card['served']}, "
          f"{card['encoder']})\n")
    print("| requests | clients | throughput (req/s) | p50 (ms) | p99 (ms) | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in results["rows"]:
        print(f"| {row['kind']} | {row['clients']} | {row['per_second']} | {row['p50_ms']} | {row['p99_ms']} | "
              f"{row['errors']} / {row['requests']} |")
    memory = results["memory"]
    print(f"\nRSS: {memory[0]['rss_mb']} MiB after {memory[0]['requests']} requests, {memory[-1]['rss_mb']} MiB after "
          f"{memory[-1]['requests']} (max {max(m['rss_mb'] for m in memory)}); soak errors {results['soak_errors']}")


if __name__ == "__main__":
    main()
