"""Reading torch's ``.pt`` checkpoints without torch, and without running anything in them.

A ``.pt`` file (torch ≥ 1.6) is a zip: a pickle that names tensors, and one entry of raw bytes
per storage. The pickle is read by an unpickler that knows only how to rebuild tensors and
plain containers — the guarantee of ``torch.load(weights_only=True)`` — so a checkpoint that
holds anything else (code, objects) is refused in one sentence and nothing in it runs.

Nothing in the file is trusted further than that: the pickle's work is bounded before it is
loaded (``pickle_limits``), each storage is read at its declared size within what the file
can honestly hold, and each tensor is checked to lie inside its storage before any view of
it is made, so no byte outside the file's own data is ever read.
"""

from __future__ import annotations

import collections
import io
import math
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from vocalens.core.errors import ModelError, ModelNotInstalledError, first_line
from vocalens.core.files import NotAFile, open_regular
from vocalens.core.model.pickle_limits import MAX_DEPTH, MAX_OBJECTS, check_program

DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "BFloat16Storage": np.uint16,  # widened to float32 after reading
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}
MAX_DIMS = 16
# Torch stores tensor data uncompressed; a storage may be compressed this much at most before
# it is taken for a bomb (declared sizes, checked before anything is inflated).
MAX_INFLATION = 2
SLACK = 16 << 20
CHUNK = 16 << 20
KEYS = (str, int, float, bool, type(None))


class Refused(pickle.UnpicklingError):
    """The checkpoint asks for something it cannot honestly hold."""


class _Storage:
    def __init__(self, name: str) -> None:
        self.name = name


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ints(value: Any) -> tuple[int, ...]:
    if not isinstance(value, tuple | list) or len(value) > MAX_DIMS:
        raise Refused("a tensor's shape is not a short list of numbers")
    if not all(_is_int(v) and v >= 0 for v in value):
        raise Refused("a tensor's shape or stride is negative or not a number")
    return tuple(value)


class _TensorsOnly(pickle.Unpickler):
    def __init__(self, data: bytes, archive: zipfile.ZipFile, root: str, budget: int) -> None:
        super().__init__(io.BytesIO(data))
        self.archive, self.root, self.budget = archive, root, budget
        self.storages: dict[str, np.ndarray] = {}
        self.ours: set[int] = set()
        self.tensors: dict[tuple[Any, ...], np.ndarray] = {}
        self.copied = 0

    def find_class(self, module: str, name: str) -> Any:
        allowed = {
            ("torch._utils", "_rebuild_tensor_v2"): self._rebuild_tensor,
            ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
            ("collections", "OrderedDict"): collections.OrderedDict,
        }
        if module == "torch" and name in DTYPES:
            return _Storage(name)
        try:
            return allowed[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"it holds {module}.{name}, not only tensors") from None

    def persistent_load(self, pid: Any) -> np.ndarray:
        if not (
            isinstance(pid, tuple)
            and len(pid) >= 3
            and pid[0] == "storage"
            and isinstance(pid[1], _Storage)
            and isinstance(pid[2], str | int)
        ):
            raise pickle.UnpicklingError("it refers to something other than tensor storage")
        kind, key = pid[1].name, str(pid[2])
        if key not in self.storages:
            self.storages[key] = self._read_storage(f"{self.root}/data/{key}", DTYPES[kind])
            self.ours.add(id(self.storages[key]))
        return self.storages[key]

    def _read_storage(self, name: str, dtype: Any) -> np.ndarray:
        try:
            size = self.archive.getinfo(name).file_size
        except KeyError:
            raise Refused("a tensor's data is missing") from None
        item = np.dtype(dtype).itemsize
        if size % item:
            raise Refused("a tensor's data is cut short")
        if size > self.budget:
            raise Refused("its tensor data is larger than the file can hold")
        self.budget -= size
        array = np.empty(size // item, dtype=dtype)
        raw, done = array.view(np.uint8), 0
        with self.archive.open(name) as entry:
            while done < size and (chunk := entry.read(min(CHUNK, size - done))):
                raw[done : done + len(chunk)] = np.frombuffer(chunk, np.uint8)
                done += len(chunk)
        if done != size:
            raise Refused("a tensor's data is cut short")
        return array

    def _rebuild_tensor(self, storage: Any, offset: Any, size: Any, stride: Any, *_: Any) -> Any:
        if not isinstance(storage, np.ndarray) or id(storage) not in self.ours:
            raise Refused("a tensor is not built on stored data")
        shape, steps = _ints(size), _ints(stride)
        if not _is_int(offset) or offset < 0 or len(shape) != len(steps):
            raise Refused("a tensor's place in its data is not a number")
        memo = (id(storage), offset, shape, steps)
        if memo not in self.tensors:
            self.tensors[memo] = self._view(storage, offset, shape, steps)
        return self.tensors[memo]

    def _view(
        self, storage: np.ndarray, offset: int, shape: tuple[int, ...], steps: tuple[int, ...]
    ) -> np.ndarray:
        """The tensor, once it is known to lie inside its storage: a view where its elements
        follow each other, else a copy (which the file's own size bounds)."""
        count = math.prod(shape)
        if count == 0:
            return np.empty(shape, dtype=storage.dtype)
        last = offset + sum((n - 1) * s for n, s in zip(shape, steps, strict=True))
        if last >= storage.size or count > storage.size:
            raise Refused("a tensor reaches past its data")
        dense = tuple(math.prod(shape[i + 1 :]) for i in range(len(shape)))
        if all(s == d for n, s, d in zip(shape, steps, dense, strict=True) if n > 1):
            return storage[offset : offset + count].reshape(shape)
        self.copied += count * storage.itemsize
        if self.copied > self.budget + SLACK:
            raise Refused("its tensors repeat their data more than any checkpoint does")
        item = storage.itemsize
        view = np.lib.stride_tricks.as_strided(
            storage[offset:], shape=shape, strides=[s * item for s in steps], writeable=False
        )
        return np.array(view)  # owns its memory, C order


def _rebuild_parameter(data: Any, *_: Any) -> np.ndarray:
    if not isinstance(data, np.ndarray):
        raise Refused("a parameter holds no tensor")
    return data


def read_pt(path: Path) -> Any:
    """The checkpoint's content with every tensor as a numpy array (bfloat16 widened to
    float32). Raises ``ModelError`` for anything that is not tensors in plain containers."""
    try:
        opened = open_regular(path)
    except NotAFile as exc:
        if exc.reason == "no such file":
            raise ModelNotInstalledError(f"{path}: no such file.", missing=[str(path)]) from None
        raise ModelError(f"{path} {exc.reason}.", "Give the path of a .pt checkpoint.") from None
    try:
        with opened, zipfile.ZipFile(opened) as archive:
            content = _load(archive, budget=_budget(opened))
    except zipfile.BadZipFile:
        raise ModelError(
            f"{path} cannot be read safely (it is damaged, or saved by a torch older than 1.6).",
            "Download it again, or re-save it with a current torch.",
        ) from None
    except (pickle.UnpicklingError, EOFError, KeyError, ValueError, TypeError) as exc:
        raise ModelError(
            f"{path} cannot be read safely ({first_line(exc)}).",
            "Only checkpoints that hold tensors alone are accepted.",
        ) from None
    except (RecursionError, MemoryError, OverflowError, AttributeError, IndexError) as exc:
        raise ModelError(
            f"{path} cannot be read safely (it is built in a way no checkpoint is: "
            f"{type(exc).__name__}).",
            "Only checkpoints that hold tensors alone are accepted.",
        ) from None
    return content


def _budget(opened: Any) -> int:
    opened.seek(0, io.SEEK_END)
    size = int(opened.tell())
    opened.seek(0)
    return MAX_INFLATION * size + SLACK


def _load(archive: zipfile.ZipFile, budget: int) -> Any:
    pickles = [n for n in archive.namelist() if n.endswith("/data.pkl")]
    if not pickles:
        raise pickle.UnpicklingError("it is not a torch checkpoint")
    root = pickles[0][: -len("/data.pkl")]
    order = f"{root}/byteorder"
    big_endian = order in archive.namelist() and archive.read(order)[:8] == b"big"
    if archive.getinfo(pickles[0]).file_size > budget:
        raise Refused("its index of tensors is larger than the file can hold")
    data = archive.read(pickles[0])
    check_program(data)
    content = _TensorsOnly(data, archive, root, budget).load()
    return _Widen(big_endian).value(content, 0)


class _Widen:
    """The content with bfloat16 widened and big-endian data turned, each object once (shared
    objects stay shared), refusing cycles, depth over ``MAX_DEPTH`` and more than
    ``MAX_OBJECTS`` containers and tensors."""

    def __init__(self, big_endian: bool) -> None:
        self.big_endian = big_endian
        self.done: dict[int, Any] = {}
        self.open: set[int] = set()

    def value(self, value: Any, depth: int) -> Any:
        if not isinstance(value, np.ndarray | dict | list | tuple):
            return value
        if id(value) in self.done:
            return self.done[id(value)]
        if id(value) in self.open:
            raise Refused("it refers to itself")
        if depth > MAX_DEPTH:
            raise Refused("it nests deeper than any checkpoint")
        if len(self.done) >= MAX_OBJECTS:
            raise Refused("it holds more objects than any checkpoint")
        self.open.add(id(value))
        made = self._made(value, depth)
        self.open.discard(id(value))
        self.done[id(value)] = made
        return made

    def _made(self, value: Any, depth: int) -> Any:
        if isinstance(value, np.ndarray):
            if self.big_endian:
                value = value.byteswap()
            if value.dtype == np.uint16:  # bfloat16: the upper half of a float32
                return (value.astype(np.uint32) << 16).view(np.float32)
            return value
        if isinstance(value, dict):
            if not all(isinstance(k, KEYS) for k in value):
                raise Refused("its names are not words or numbers")
            return type(value)((k, self.value(v, depth + 1)) for k, v in value.items())
        return type(value)(self.value(v, depth + 1) for v in value)
