"""The desktop talks to core through its public API only (``vocalens.core``'s names)."""

from __future__ import annotations

import ast
from pathlib import Path

import vocalens.core

DESKTOP = Path(__file__).resolve().parents[2] / "desktop"


def core_imports() -> list[tuple[str, int, str, str]]:
    """(file, line, module, name) of every import from vocalens.core anywhere in desktop/."""
    found = []
    for path in sorted(DESKTOP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("vocalens.core"):
                found += [(path.name, node.lineno, node.module or "", a.name) for a in node.names]
            elif isinstance(node, ast.Import):
                found += [
                    (path.name, node.lineno, a.name, "")
                    for a in node.names
                    if a.name.startswith("vocalens.core")
                ]
    return found


def test_the_desktop_imports_only_public_names() -> None:
    imports = core_imports()
    assert len(imports) > 10  # the scan sees them
    below = [i for i in imports if i[2] != "vocalens.core" or i[3] not in vocalens.core.__all__]
    assert below == []


def test_every_public_name_resolves() -> None:
    for name in vocalens.core.__all__:
        assert getattr(vocalens.core, name) is not None, name
