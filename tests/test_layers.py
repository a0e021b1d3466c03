"""``core`` is in layers, and imports only go down: a reader meets them top to bottom."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "core"
# Lowest first. A module may import its own layer and any layer below it.
LAYERS = [
    {"errors", "paths", "files", "quiet", "hashes", "offline", "images", "synthetic", "words"},
    {"model"},
    {"inference"},
    {"catalog"},
    {"describing"},
    {"data", "train", "eval"},
    {"cli", "testing"},  # testing: tiny models and stand-in downloads for the tests
]


def layer_of(part: str) -> int | None:
    return next((i for i, names in enumerate(LAYERS) if part in names), None)


def test_core_has_few_files_at_its_top() -> None:
    top = sorted(p.name for p in CORE.glob("*.py"))
    assert len(top) <= 10, top


def test_imports_only_go_down() -> None:
    climbing = []
    for path in CORE.rglob("*.py"):
        if path.parent == CORE and path.name == "__init__.py":
            continue  # the public API re-exports every layer
        here = layer_of(path.relative_to(CORE).parts[0].removesuffix(".py"))
        assert here is not None, f"{path} is in no layer"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                climbing.append(f"{path}: a relative import ({node.module})")
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "vocalens.core."
            ):
                there = layer_of(node.module.split(".")[2])
                if there is not None and there > here:
                    climbing.append(f"{path.relative_to(CORE)} imports {node.module}")
    assert not climbing, climbing
