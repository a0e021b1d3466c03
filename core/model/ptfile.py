"""Reading torch's ``.pt`` checkpoints without torch, and without running anything in them.

A ``.pt`` file (torch ≥ 1.6) is a zip: a pickle that names tensors, and one entry of raw bytes
per storage. The pickle is read by an unpickler that knows only how to rebuild tensors and
plain containers — the guarantee of ``torch.load(weights_only=True)`` — so a checkpoint that
holds anything else (code, objects) is refused in one sentence and nothing in it runs.
"""

from __future__ import annotations

import collections
import io
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from vocalens.core.errors import ModelError, ModelNotInstalledError, first_line

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


class _Storage:
    def __init__(self, name: str) -> None:
        self.name = name


def _rebuild_tensor(
    storage: np.ndarray, offset: int, size: tuple[int, ...], stride: tuple[int, ...], *rest: Any
) -> np.ndarray:
    if not size:
        return storage[offset : offset + 1].reshape(()).copy()
    item = storage.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage[offset:], shape=size, strides=[s * item for s in stride]
    )
    return np.array(view)  # owns its memory, C order


def _rebuild_parameter(data: np.ndarray, *rest: Any) -> np.ndarray:
    return data


ALLOWED = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("collections", "OrderedDict"): collections.OrderedDict,
    **{("torch", name): _Storage(name) for name in DTYPES},
}


class _TensorsOnly(pickle.Unpickler):
    def __init__(self, data: bytes, archive: zipfile.ZipFile, root: str) -> None:
        super().__init__(io.BytesIO(data))
        self.archive, self.root = archive, root
        self.storages: dict[str, np.ndarray] = {}

    def find_class(self, module: str, name: str) -> Any:
        try:
            return ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"it holds {module}.{name}, not only tensors") from None

    def persistent_load(self, pid: Any) -> np.ndarray:
        if not (isinstance(pid, tuple) and pid[0] == "storage" and isinstance(pid[1], _Storage)):
            raise pickle.UnpicklingError("it refers to something other than tensor storage")
        kind, key = pid[1].name, str(pid[2])
        if key not in self.storages:
            raw = self.archive.read(f"{self.root}/data/{key}")
            self.storages[key] = np.frombuffer(raw, dtype=DTYPES[kind]).copy()
        return self.storages[key]


def read_pt(path: Path) -> Any:
    """The checkpoint's content with every tensor as a numpy array (bfloat16 widened to
    float32). Raises ``ModelError`` for anything that is not tensors in plain containers."""
    if not path.is_file():
        raise ModelNotInstalledError(f"{path}: no such file.", missing=[str(path)])
    try:
        with zipfile.ZipFile(path) as archive:
            pickles = [n for n in archive.namelist() if n.endswith("/data.pkl")]
            if not pickles:
                raise pickle.UnpicklingError("it is not a torch checkpoint")
            root = pickles[0][: -len("/data.pkl")]
            big_endian = (
                archive.read(f"{root}/byteorder") == b"big"
                if (f"{root}/byteorder" in archive.namelist())
                else False
            )
            unpickler = _TensorsOnly(archive.read(pickles[0]), archive, root)
            content = unpickler.load()
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
    return _widen(content, big_endian)


def _widen(value: Any, big_endian: bool) -> Any:
    if isinstance(value, np.ndarray):
        if big_endian:
            value = value.byteswap()
        if value.dtype == np.uint16:  # bfloat16: the upper half of a float32
            return (value.astype(np.uint32) << 16).view(np.float32)
        return value
    if isinstance(value, dict):
        return {k: _widen(v, big_endian) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_widen(v, big_endian) for v in value)
    return value
