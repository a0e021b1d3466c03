"""Modules imported after PySide6 leave no copy of their source in the app's memory."""

import subprocess
import sys

SCRIPT = """
import linecache, sys
sys.path.insert(0, sys.argv[1])
import PySide6.QtCore
import early_module
from vocalens.desktop.module_sources import keep_no_module_sources, uses_pyside
if sys.argv[2] == "kept":
    keep_no_module_sources()
import plain_module, qt_module
names = ("early_module", "plain_module")
held = [any(n.endswith(f"{m}.py") for n in linecache.cache) for m in names]
print(*held, uses_pyside(qt_module), uses_pyside(plain_module))
"""


def test_pyside_reads_module_sources_without_keeping_them(tmp_path) -> None:
    (tmp_path / "plain_module.py").write_text("VALUE = 1\n" * 2000)
    (tmp_path / "early_module.py").write_text("VALUE = 2\n" * 2000)  # imported before the switch
    (tmp_path / "qt_module.py").write_text("import PySide6.QtCore\n")

    def run(mode: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(tmp_path), mode],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return out.stdout.strip()

    assert run("as shipped") == "True True True False"  # PySide6's own check keeps the lines
    assert run("kept") == "False False True False"  # and what it kept before is let go
