"""Handing freed memory back to the system."""

from __future__ import annotations

import contextlib
import ctypes
import sys


def release_freed_memory() -> None:
    """Hand memory freed while loading (a reference model dropped, temporary copies) back to
    the system; glibc keeps it otherwise. No-op elsewhere."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # not glibc
            ctypes.CDLL("libc.so.6").malloc_trim(0)
