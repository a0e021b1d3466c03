"""int8 copies of ONNX models by onnxruntime's dynamic quantization: weights stored in int8,
activations quantized on the fly."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

WEIGHTS = ("MatMul", "Gather")  # every matrix product and embedding table


def quantize_int8(source: Path, target: Path, ops: Sequence[str] = WEIGHTS) -> None:
    """Write the int8 copy of ``source`` to ``target``, quantizing the weights of ``ops``."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _quiet_root():  # its advice to pre-process goes to the root logger
        quantize_dynamic(
            source,
            target,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=list(ops),
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )


@contextlib.contextmanager
def _quiet_root() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)
