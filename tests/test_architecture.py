"""docs/architecture.md's picture of the floors and its tree of the package agree with the code."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "architecture.md").read_text()


def _block(marker: str) -> list[str]:
    """The lines of the fenced block that follows the HTML comment `marker` in the document."""
    after = DOC.split(f"<!-- {marker}", 1)[1]
    return after.split("```", 2)[1].strip("\n").splitlines()


def _contract_floors() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    return [[m.strip().removeprefix("landform.") for m in re.split(r"[:|]", layer)] for layer in layers]


def test_it_draws_the_floors_the_import_contract_enforces():
    drawn = []
    for line in _block("floors"):
        if not line.strip() or set(line.strip()) == {"─"}:
            continue
        name, _sep, rest = line.strip().partition(" ")
        drawn.append([m.strip() for m in rest.split("·")] if name == "wiring" else [name])
    assert drawn == _contract_floors()


def test_it_lists_every_module_and_package_of_the_package_in_its_tree():
    listed = {
        line.split()[0].rstrip("/").removesuffix(".py")
        for line in _block("tree")[1:]
        if line.startswith("  ") and not line.startswith("   ")
    }
    package = ROOT / "landform"
    present = {
        p.stem if p.suffix == ".py" else p.name
        for p in package.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p.is_dir() and not p.name.startswith("__"))
    }
    assert listed == present
