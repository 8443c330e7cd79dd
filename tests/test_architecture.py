"""The import rule of docs/architecture.md: a package imports only packages of lower layers.

Every ``import`` of every module under src/shiftmsa is read (those inside functions too); an
import of a package of the same or a higher layer fails this test, naming the file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "shiftmsa"

# Layer of each top-level package or module of shiftmsa; keep in step with docs/architecture.md.
LAYERS = {
    "__main__": 8,
    "cli": 7,
    "api": 6,
    "experiments": 5, "explain": 5, "deploy": 5,
    "training": 4, "store": 4,
    "models": 3, "features": 3,
    "modules": 2, "text": 2, "data": 2, "evaluation": 2,
    "config": 1,
    "__init__": 1,
    "defaults": 0, "files": 0, "moved": 0, "notices": 0,
}


def unit_of(path: Path) -> str:
    """The top-level package or module a file belongs to (``experiments``, ``config``...)."""
    return path.relative_to(SOURCE).parts[0].removesuffix(".py")


def imported_units(node: ast.AST) -> list[str]:
    """The shiftmsa units an import statement names (``from shiftmsa import api`` -> ``api``)."""
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        parts = node.module.split(".")
        if parts[0] != "shiftmsa":
            return []
        return [parts[1]] if len(parts) > 1 else [alias.name for alias in node.names]
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[1] for alias in node.names
                if alias.name.startswith("shiftmsa.")]
    return []


def violations() -> list[str]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        unit = unit_of(path)
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            for imported in imported_units(node):
                if imported == unit:
                    continue
                if imported not in LAYERS or LAYERS[imported] >= LAYERS[unit]:
                    found.append(f"{path.relative_to(SOURCE.parent)}:{node.lineno}: {unit} (layer {LAYERS[unit]}) "
                                 f"imports {imported} (layer {LAYERS.get(imported, 'unknown')})")
    return found


def test_every_unit_has_a_layer():
    units = {unit_of(path) for path in SOURCE.rglob("*.py")}
    assert units <= set(LAYERS), f"give these a layer here and in docs/architecture.md: {units - set(LAYERS)}"


def test_no_package_imports_one_of_its_own_or_a_higher_layer():
    assert violations() == []


@pytest.mark.parametrize("source, unit, bad", [
    ("from shiftmsa.experiments.runner import run_plan\n", "training", True),
    ("from shiftmsa import api\n", "experiments", True),
    ("import shiftmsa.training.loop\n", "store", True),
    ("from shiftmsa.models.registry import model_spec\n", "store", False),
])
def test_the_rule_catches_an_upward_import(source, unit, bad):
    imported = imported_units(ast.parse(source).body[0])
    assert (LAYERS[imported[0]] >= LAYERS[unit]) is bad
