"""The model format knows nothing of how it is run: no format module imports the runtime layer
(precision policy, onnxruntime, agreement checks)."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"
FORMAT = ["config", "checkpoint", "encoder", "decoder", "projector", "weights", "clipcap_import"]
RUNTIME = {"runtime", "precision", "agreement", "ort"}


def relative_imports(module: str) -> set[str]:
    tree = ast.parse((CORE / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(a.name for a in node.names)
    return names


def test_no_format_module_imports_the_runtime_layer() -> None:
    reached = {m: relative_imports(m) & RUNTIME for m in FORMAT}
    assert reached == {m: set() for m in FORMAT}
    assert "checkpoint" in relative_imports("runtime")  # the runtime builds on the format
