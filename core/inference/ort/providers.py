"""Which onnxruntime execution providers run the model: a GPU's when one is installed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from vocalens.core.errors import ConfigError

CPU = "CPUExecutionProvider"
GPU_PROVIDERS = {  # preferred first
    "cuda": "CUDAExecutionProvider",
    "dml": "DmlExecutionProvider",  # DirectML: any GPU on Windows
    "coreml": "CoreMLExecutionProvider",  # Apple silicon and macOS GPUs
}
DEVICES = ("auto", "cpu", *GPU_PROVIDERS)
MAX_THREADS_PER_CORE = 4


def choose_providers(device: str, available: Sequence[str] | None = None) -> list[str]:
    """The providers for ``device`` (auto: the first GPU provider installed, else the CPU),
    the CPU always last so that operators a GPU provider lacks still run."""
    if available is None:
        import onnxruntime

        available = onnxruntime.get_available_providers()
    if device == "auto":
        gpu = [p for p in GPU_PROVIDERS.values() if p in available]
        return [*gpu[:1], CPU]
    if device == "cpu":
        return [CPU]
    wanted = GPU_PROVIDERS.get(device)
    if wanted is None:
        raise ConfigError(f"Unknown device '{device}'.", f"Use one of: {', '.join(DEVICES)}.")
    if wanted not in available:
        package = {"cuda": "onnxruntime-gpu", "dml": "onnxruntime-directml"}.get(device, "")
        hint = f"Install {package}, or use --device auto." if package else "Use --device auto."
        raise ConfigError(f"This onnxruntime has no {device} support.", hint)
    return [wanted, CPU]


def session_options(spin: bool = True) -> Any:
    """Quiet sessions that use the physical cores, with onnxruntime's extended graph
    optimisations.
    ``spin=False``: the session's threads sleep as soon as a run ends. The parts run one after
    another, and the idle threads of the image encoder would otherwise spin on the cores the
    decoder needs next (its first steps took twice their time). A process-wide thread pool
    would be neater, but onnxruntime then refuses every session made without it (the OCR's)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only: nothing of onnxruntime's reaches the user
    # Extended, not all: the layout changes "all" adds make loading a third slower and these
    # graphs no faster (measured: image tower 164 vs 243 ms to load, 18 ms a run either way).
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    # No arena: its chunks stay with the process after a caption (13 MB here), while
    # captions take as long without it (measured: greedy +1 ms, 3 beams +5 ms, loading faster).
    options.enable_cpu_mem_arena = False
    if not spin:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    threads = chosen_threads()
    if threads:
        options.intra_op_num_threads = threads
    return options


def chosen_threads() -> int:
    """``VOCALENS_THREADS``: how many threads onnxruntime runs a model on (0: its own choice,
    one a core). Raises ``ConfigError`` for anything but a whole number from 1 to
    ``MAX_THREADS_PER_CORE`` a core."""
    raw = os.environ.get("VOCALENS_THREADS", "").strip()
    if not raw:
        return 0
    most = MAX_THREADS_PER_CORE * (os.cpu_count() or 1)
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise ConfigError(
            f"VOCALENS_THREADS is {raw[:20]!r}; it must be a whole number from 1 to {most}.",
            "Change it, or unset it to use one thread a core.",
        )
    return int(raw)
