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


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters
LARGE = 4 << 20  # blocks this large and over are mapped apart, and unmapped when freed
KEPT_FREE = 8 << 20  # free memory at the top of a heap over this goes back at once


def map_large_blocks_apart() -> None:
    """For a process that stays open (the desktop): the text finder's working tensors (5 to
    10 MB each) are mapped on their own and given back the moment they are freed. glibc
    otherwise raises its threshold for mapping as large blocks are freed (up to 32 MB) and
    serves later ones from its heaps, where the memory after a description varied by 30 MB
    from one run to the next; a fixed threshold keeps it within a few MB, and the fixed trim
    threshold keeps captions as fast. No-op elsewhere."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # not glibc
            libc = ctypes.CDLL("libc.so.6")
            libc.mallopt(M_MMAP_THRESHOLD, LARGE)
            libc.mallopt(M_TRIM_THRESHOLD, KEPT_FREE)
