"""How a model folder runs here: the device, the precision policy and the derived files.

The model format (``checkpoint``) loads exact weights; this layer decides how to run them —
today torch's fp32 and lean/int8 CPU paths — and keeps what it derives from a folder (int8
weights, the precision choice) beside it, keyed to the weights they came from. Nothing in the
format imports this module.
"""

from __future__ import annotations

from pathlib import Path

import torch

from .agreement import choose, read_choice, write_choice
from .captioner import Captioner
from .checkpoint import load_from_directory
from .config import CONFIG, CaptionerConfig, read_config
from .device import resolve_device
from .errors import ModelError
from .fast import Cache, release_exact, use_path
from .paths import derived_dir, fingerprint
from .precision import check_precision
from .weights import release_freed_memory


def open_captioner(
    directory: str | Path, device: str = "auto", dtype: str = "auto", precision: str = "auto"
) -> Captioner:
    """Load a model folder and run it at ``precision``: fp32 (exact), int8 (the lean int8
    path, CPU only; the exact blocks are freed), or auto (on the CPU the fastest path whose
    decisions agree with fp32's for this model, chosen once at its first load; else fp32)."""
    directory = Path(directory)
    captioner = load_from_directory(directory, device=device, dtype=dtype)
    chosen = resolve_precision(precision, captioner.device)
    if chosen != "fp32":
        cache = derived_cache(directory, captioner.config)
        if chosen == "auto":
            chosen = read_choice(*cache) or ""
        if chosen:
            use_path(captioner, chosen, cache=cache)
        else:
            chosen, tried = choose(captioner, cache)
            write_choice(*cache, chosen, tried)
        release_exact(captioner)
    release_freed_memory()
    return captioner


def derived_cache(directory: Path, cfg: CaptionerConfig) -> Cache:
    """Where the int8 weights and the precision choice of this model folder are kept, and
    the fingerprint of the weights they were made from."""
    files = [
        CONFIG,
        cfg.projector.weights,
        *filter(None, [cfg.encoder.weights, cfg.decoder.weights]),
    ]
    return derived_dir(directory), fingerprint(directory, files)


def first_fast_load(directory: str | Path, device: str = "auto", precision: str = "auto") -> bool:
    """Whether loading this folder will first choose and prepare its fast CPU path (some
    seconds, once), so that the user can be told."""
    directory = Path(directory)
    if resolve_precision(precision, resolve_device(device)) != "auto":
        return False
    try:
        return read_choice(*derived_cache(directory, read_config(directory))) is None
    except (OSError, ModelError):
        return False


def resolve_precision(precision: str, device: torch.device) -> str:
    """fp32, int8, or auto: on the CPU, the fastest path that agrees with fp32 for this
    model (chosen at its first load), and fp32 elsewhere."""
    if check_precision(precision) == "auto":
        return "auto" if device.type == "cpu" and int8_supported() else "fp32"
    return precision


def int8_supported() -> bool:
    """Whether this torch build has a CPU engine for int8 Linear layers."""
    engines = torch.backends.quantized.supported_engines
    return any(e in engines for e in ("fbgemm", "x86", "qnnpack"))
