"""BLAKE2b and SHA-256 without OpenSSL. ``hashlib`` loads OpenSSL's libcrypto as it is imported
(3.4 MB of the app's memory, for digests CPython computes itself); these are CPython's own
implementations — the same digests — with ``hashlib``'s where a Python lacks them."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


def _first(*names: str) -> ModuleType:
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return importlib.import_module("hashlib")


blake2b: Any = _first("_blake2").blake2b
sha256: Any = _first("_sha2", "_sha256").sha256  # _sha2 from Python 3.12
