"""The precision and runtime vocabulary (no torch or onnxruntime here: the command line reads
it at start).

What a user chooses (``PRECISIONS``): ``auto`` (on the CPU, the fastest precision that decides
like fp32 for this model, checked once), ``fp32`` (exact) or ``int8``. What runs on onnxruntime
(``PATHS``): everything in fp32, GPT-2 and the projector in int8 with the CLIP tower in fp32
(``int8-decoder``), or every part in int8 (``int8``). The torch runtime runs fp32 only.
"""

from __future__ import annotations

from typing import Literal

from vocalens.core.errors import ConfigError

Precision = Literal["auto", "fp32", "int8"]
PRECISIONS: tuple[Precision, ...] = ("auto", "fp32", "int8")
Path_ = Literal["fp32", "int8-decoder", "int8"]
PATHS: tuple[Path_, ...] = ("fp32", "int8-decoder", "int8")
FASTEST_FIRST: tuple[Path_, ...] = ("int8", "int8-decoder")  # auto's candidates
Runtime = Literal["auto", "onnx", "torch"]
RUNTIMES: tuple[Runtime, ...] = ("auto", "onnx", "torch")


def check_precision(precision: str) -> Precision:
    if precision not in PRECISIONS:
        raise ConfigError(
            f"Unknown precision '{precision}'.",
            f"Use {', '.join(PRECISIONS[:-1])} or {PRECISIONS[-1]}.",
        )
    return precision


def check_runtime(runtime: str) -> Runtime:
    if runtime not in RUNTIMES:
        raise ConfigError(f"Unknown runtime '{runtime}'.", "Use auto, onnx or torch.")
    return runtime
