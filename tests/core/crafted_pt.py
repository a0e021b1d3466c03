"""Torch checkpoints written opcode by opcode, so that a test can say anything in them that
torch itself would never write (a tensor past its data, a pickle that refers to itself)."""

from __future__ import annotations

import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np

P = pickle


def text(s: str) -> bytes:
    raw = s.encode()
    return P.BINUNICODE + struct.pack("<I", len(raw)) + raw


def num(n: int) -> bytes:
    if 0 <= n < 2**31:
        return P.BININT + struct.pack("<i", n)
    raw = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
    return P.LONG1 + bytes([len(raw)]) + raw


def ints(values: tuple[int, ...]) -> bytes:
    return P.MARK + b"".join(num(v) for v in values) + P.TUPLE


def glob(module: str, name: str) -> bytes:
    return P.GLOBAL + f"{module}\n{name}\n".encode()


def storage(key: str = "0", kind: str = "FloatStorage", numel: int = 1) -> bytes:
    return (
        P.MARK + text("storage") + glob("torch", kind) + text(key) + text("cpu") + num(numel)
        + P.TUPLE + P.BINPERSID
    )  # fmt: skip


def tensor(offset: bytes, size: bytes, stride: bytes, store: bytes | None = None) -> bytes:
    """``_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())``, each
    argument given as opcodes (so that any of them can be something else)."""
    return (
        glob("torch._utils", "_rebuild_tensor_v2")
        + P.MARK + (store if store is not None else storage()) + offset + size + stride
        + P.NEWFALSE + glob("collections", "OrderedDict") + P.EMPTY_TUPLE + P.REDUCE
        + P.TUPLE + P.REDUCE
    )  # fmt: skip


def state(**entries: bytes) -> bytes:
    """A protocol-2 pickle of a dict from names to the objects the opcodes make."""
    body = b"".join(text(k) + v + P.SETITEM for k, v in entries.items())
    return P.PROTO + b"\x02" + P.EMPTY_DICT + body + P.STOP


def write(
    path: Path,
    program: bytes,
    data: dict[str, bytes] | None = None,
    compress: int = zipfile.ZIP_STORED,
) -> Path:
    """A checkpoint laid out as torch writes one: ``archive/data.pkl`` and its storages."""
    data = {"0": np.arange(320, dtype=np.float32).tobytes()} if data is None else data
    with zipfile.ZipFile(path, "w", compression=compress) as z:
        z.writestr("archive/data.pkl", program)
        z.writestr("archive/byteorder", "little")
        for key, raw in data.items():
            z.writestr(f"archive/data/{key}", raw)
    return path
