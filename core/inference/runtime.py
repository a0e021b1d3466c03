"""How a model folder runs here: onnxruntime (the default) or torch, on which device, at
which precision.

The model format (``config``, ``checkpoint``) describes and loads exact weights; this layer
picks the runtime. onnxruntime runs ONNX files made from the folder once (``ort.convert``)
at the precision chosen once (``ort.load``); torch runs the exact model (GPUs that onnxruntime
has no provider for, debugging, and the reference that tests compare with).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from vocalens.core.errors import ConfigError, ModelError, TorchOnly
from vocalens.core.inference.precision import check_precision, check_runtime
from vocalens.core.model.config import CaptionerConfig, DecodingConfig
from vocalens.core.model.text import Caption

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from vocalens.core.inference.ort.convert import Progress


class CaptionModel(Protocol):
    """What the describer and the command line use of a captioner, whichever runtime."""

    config: CaptionerConfig
    precision: str
    runtime: str

    def decoding(self, **overrides: Any) -> DecodingConfig: ...
    def caption(self, images: list[Image.Image], **overrides: Any) -> list[Caption]: ...
    def image_embedding(self, image: Image.Image) -> np.ndarray: ...  # CLIP's, (D,)


def resolve_runtime(runtime: str = "auto") -> str:
    """onnx when onnxruntime is installed (auto), else torch; an explicit choice must be there."""
    runtime = check_runtime(runtime)
    have_onnx = importlib.util.find_spec("onnxruntime") is not None
    have_torch = importlib.util.find_spec("torch") is not None
    if runtime == "auto":
        runtime = "onnx" if have_onnx or not have_torch else "torch"
    missing = {"onnx": not have_onnx, "torch": not have_torch}[runtime]
    if missing:
        extra = "vocalens[train]" if runtime == "torch" else "vocalens"
        raise ConfigError(
            f"The {runtime} runtime is not installed here.",
            f"Install it with `pip install {extra}`.",
        )
    return runtime


def open_captioner(
    directory: str | Path,
    device: str = "auto",
    dtype: str = "auto",
    precision: str = "auto",
    runtime: str = "auto",
    converting: Progress | None = None,
) -> CaptionModel:
    """Load a model folder. ``precision``: fp32 (exact), int8, or auto (on the CPU, the fastest
    precision whose decisions agree with fp32's for this model, chosen once at its first load).
    ``converting`` hears of a first conversion (fraction done, stage)."""
    directory = Path(directory)
    check_precision(precision)
    if resolve_runtime(runtime) == "onnx":
        from vocalens.core.inference.ort.load import open_ort

        try:
            return open_ort(directory, device, precision, converting)
        except TorchOnly:  # a model onnxruntime cannot run here: torch can, when installed
            if runtime != "auto" or importlib.util.find_spec("torch") is None:
                raise
    if precision == "int8":
        raise ConfigError(
            "int8 runs on onnxruntime only.", "Use --runtime onnx, or --precision fp32."
        )
    from vocalens.core.model.checkpoint import load_from_directory

    return load_from_directory(directory, device=device, dtype=dtype)


def needs_preparing(
    directory: str | Path, device: str = "auto", precision: str = "auto", runtime: str = "auto"
) -> bool:
    """Whether loading this folder will first convert it or choose its precision (seconds,
    once), so that the user can be told."""
    try:
        if resolve_runtime(runtime) != "onnx":
            return False
        from vocalens.core.inference.ort.load import needs_preparing as ort_needs

        return ort_needs(Path(directory), device, precision)
    except (OSError, ModelError, ConfigError):
        return False
