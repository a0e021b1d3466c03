"""The one precision vocabulary (no torch here: the command line reads it at start).

What a user chooses (``PRECISIONS``): ``auto`` (on the CPU, the fastest path that decides like
fp32 for this model, checked once), ``fp32`` (exact) or ``int8``. What runs (``PATHS``, fastest
first after fp32): transformers' GPT-2 (``fp32``), the lean decoder in the model's own precision
(``lean``), the lean decoder with int8 weights (``int8-decoder``), and that with the CLIP tower's
Linear layers in int8 too (``int8``).
"""

from __future__ import annotations

from typing import Literal

from .errors import ConfigError

Precision = Literal["auto", "fp32", "int8"]
PRECISIONS: tuple[Precision, ...] = ("auto", "fp32", "int8")
DecodingPath = Literal["fp32", "lean", "int8-decoder", "int8"]
PATHS: tuple[DecodingPath, ...] = ("fp32", "lean", "int8-decoder", "int8")
FASTEST_FIRST: tuple[DecodingPath, ...] = ("int8", "int8-decoder", "lean")  # auto's candidates


def check_precision(precision: str) -> Precision:
    if precision not in PRECISIONS:
        raise ConfigError(
            f"Unknown precision '{precision}'.",
            f"Use {', '.join(PRECISIONS[:-1])} or {PRECISIONS[-1]}.",
        )
    return precision
