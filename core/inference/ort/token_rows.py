"""GPT-2's token embeddings, read row by row from the fp32 model's data file.

A caption uses a few dozen of the table's 50 257 rows. Read when asked (768 floats each, from
the file cache after the first time), they cost no memory; held by the int8 graph they cost
38 MB, and mapped from the file they still fill the process's memory two megabytes a token
(the system maps file pages in large blocks).
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path

import numpy as np

from vocalens.core.errors import ModelError

AGAIN = "Open the model again: its damaged files are made anew."


class TokenRows:
    """``rows(tokens)``: the float32 embeddings (…, width) of an integer array of token ids."""

    def __init__(self, path: Path, offset: int, rows: int, width: int) -> None:
        self.rows, self.width = rows, width
        self._offset, self._row_bytes = offset, width * 4
        try:
            self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - kept open with the model
        except OSError as exc:
            raise ModelError(
                f"The model's token table could not be opened ({exc}).", AGAIN
            ) from None
        if path.stat().st_size < offset + rows * self._row_bytes:
            self._file.close()
            raise ModelError(f"The model's token table is cut short ({path.name}).", AGAIN)
        self._lock = threading.Lock()
        self.close = weakref.finalize(self, self._file.close)  # with the model, or when asked

    def __call__(self, tokens: np.ndarray) -> np.ndarray:
        ids = np.asarray(tokens, dtype=np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= self.rows):
            raise ValueError(f"token ids must lie in [0, {self.rows})")
        out = np.empty((ids.size, self.width), dtype="<f4")
        with self._lock:
            for row, token in zip(out, ids.flat, strict=True):
                self._file.seek(self._offset + int(token) * self._row_bytes)
                if self._file.readinto(row.data.cast("B")) != self._row_bytes:
                    raise ModelError("The model's token table could not be read.", AGAIN)
        return out.astype(np.float32, copy=False).reshape(*ids.shape, self.width)
