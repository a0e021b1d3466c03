"""ONNX files whose weights lie in a data file beside them, each at a 64 KiB boundary.

onnxruntime maps such a file into memory instead of reading it: a model loads about a third
faster, the kernels that repack their weights at load (every int8 matrix product) read them
straight from the file, and a weight used as it is stays in the file's pages, shared with
every process that opens the same model. (Pages are mapped in large blocks, so a table read a
row at a time is better read from the file: see ``token_rows``.)
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import onnx

ALIGN = 64 * 1024  # the mapping granularity of every platform (Windows': 64 KiB)
INLINE = 64 * 1024  # smaller tensors stay in the model file


def data_file(model: Path) -> Path:
    return model.with_name(model.name + ".data")


def save_external(
    model: onnx.ModelProto, path: Path, always: Collection[str] = ()
) -> dict[str, int]:
    """Write ``model`` to ``path`` with its larger weights (and those named in ``always``) in
    ``path``.data (``model`` is changed: those weights now point into the file); returns
    where each of them starts."""
    import onnx
    from onnx.external_data_helper import set_external_data

    data = data_file(path)
    offsets = {}
    with open(data, "wb") as out:
        for tensor in model.graph.initializer:
            if tensor.data_location == onnx.TensorProto.EXTERNAL:
                continue
            if len(tensor.raw_data) < INLINE and tensor.name not in always:
                continue
            out.write(b"\0" * (-out.tell() % ALIGN))
            offset = offsets[tensor.name] = out.tell()
            out.write(tensor.raw_data)
            set_external_data(tensor, data.name, offset, len(tensor.raw_data))
            tensor.data_location = onnx.TensorProto.EXTERNAL
            tensor.ClearField("raw_data")
    onnx.save(model, str(path))
    return offsets


def move_weights_out(path: Path) -> None:
    """Rewrite the self-contained ONNX file ``path`` with its weights beside it."""
    import onnx

    save_external(onnx.load(str(path)), path)
