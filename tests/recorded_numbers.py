"""Numbers recorded per machine, for the tests that guard behaviour bit for bit.

The same seed gives the same numbers on the same machine, but not across CPUs: another CPU
(or another torch build) takes other vector kernels, whose sums round differently in the last
bits. A guard file therefore holds one recording per machine signature (CPU model, torch build,
the vector instructions torch uses). On a machine it has a recording for, numbers must be equal
bit for bit; on any other, each float within ``RELATIVE`` or ``ABSOLUTE`` of the first recording
(far below any change of behaviour, above the rounding of another CPU: 2 epochs of a tiny model
differ by about 1e-7 relative in objectives and mae between an Intel Xeon and an AMD EPYC, and by
up to 7e-6 in the correlation of 6 near-constant test predictions), and the failure message says
how to record this machine. ``SHIFTMSA_RECORD_NUMBERS=1`` records the running machine.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

RELATIVE = 1e-5
ABSOLUTE = 1e-4
RECORDING = os.environ.get("SHIFTMSA_RECORD_NUMBERS") == "1"
NUMBER = re.compile(r"(-?\d+\.\d+(?:e-?\d+)?)")


def machine_signature() -> str:
    """``<CPU model> | torch <version> | <vector instructions>``."""
    import torch

    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model} | torch {torch.__version__} | {torch.backends.cpu.get_cpu_capability()}"


def _approximately(value: Any) -> Any:
    """``value`` with every float compared within the tolerance; other leaves exactly."""
    if isinstance(value, dict):
        return {key: _approximately(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_approximately(item) for item in value]
    if isinstance(value, float):
        return pytest.approx(value, rel=RELATIVE, abs=ABSOLUTE)
    if isinstance(value, str) and NUMBER.search(value):  # a table: its words exactly, its decimals approximately
        return _ApproximateText(value)
    return value


def _printed_equal(mine: str, theirs: str) -> bool:
    """Two printed decimals within the tolerance, or one unit of their last printed digit apart
    (a value within the tolerance may round the other way: 0.237454 and 0.237541 print as 0.237
    and 0.238)."""
    digits = len(mine.split("e")[0].split(".")[1])
    return float(theirs) == pytest.approx(float(mine), rel=RELATIVE, abs=max(ABSOLUTE, 1.01 * 10.0 ** -digits))


class _ApproximateText:
    """Equal to a text with the same words and each decimal number within the tolerance."""

    def __init__(self, text: str) -> None:
        self.parts = NUMBER.split(text)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return False
        parts = NUMBER.split(other)
        return len(parts) == len(self.parts) and all(
            mine == theirs if index % 2 == 0 else _printed_equal(mine, theirs)
            for index, (mine, theirs) in enumerate(zip(self.parts, parts)))

    def __repr__(self) -> str:
        return "approximately " + repr("".join(self.parts))


def check_recorded(path: Path, key: str, numbers: Any) -> None:
    """Assert ``numbers`` equal the recording of ``key`` in ``path`` (see the module docstring);
    with ``SHIFTMSA_RECORD_NUMBERS=1``, record them for this machine instead."""
    numbers = json.loads(json.dumps(numbers))
    recorded = json.loads(path.read_text()) if path.exists() else {"machines": {}}
    machines = recorded["machines"]
    signature = machine_signature()
    if RECORDING:
        machines.setdefault(signature, {})[key] = numbers
        path.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
        return
    if key in machines.get(signature, {}):
        assert numbers == machines[signature][key], f"{key}: not the numbers recorded on this machine"
        return
    others = [name for name, keys in machines.items() if key in keys]
    assert others, f"{key} has no recorded numbers: run with SHIFTMSA_RECORD_NUMBERS=1"
    assert numbers == _approximately(machines[others[0]][key]), (
        f"{key}: not within {RELATIVE:g} (relative) of the numbers recorded on {others[0]}; this machine "
        f"({signature}) has no recording of its own (SHIFTMSA_RECORD_NUMBERS=1 writes one once the "
        "difference is understood)")
