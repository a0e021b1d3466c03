"""PySide6 looks into the source of every module imported after it, to see whether the module
uses PySide's ``__feature__`` switches, and reads it through ``linecache``, which keeps every
line for the life of the process: some 18 MB of other libraries' source text in the app's
memory. Here the same question is answered by reading each file once, keeping nothing."""

from __future__ import annotations

import importlib
import linecache
from types import ModuleType


def uses_pyside(module: ModuleType) -> bool:
    """Whether the source of ``module`` mentions PySide6 (False where it has none)."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return False
    try:
        with open(path, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:
        return False


def keep_no_module_sources() -> None:
    """Give PySide6 the check above in place of its own (where its version has one), and let
    go of the lines its own check kept for the modules imported until now."""
    try:
        feature = importlib.import_module("PySide6.support.feature")
    except ImportError:
        return
    if hasattr(feature, "_mod_uses_pyside"):
        setattr(feature, "_mod_uses_pyside", uses_pyside)  # noqa: B010 - a private name
        linecache.clearcache()
