"""Which onnxruntime execution providers run the model: a GPU's when one is installed."""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..errors import ConfigError

CPU = "CPUExecutionProvider"
GPU_PROVIDERS = {  # preferred first
    "cuda": "CUDAExecutionProvider",
    "dml": "DmlExecutionProvider",  # DirectML: any GPU on Windows
    "coreml": "CoreMLExecutionProvider",  # Apple silicon and macOS GPUs
}
DEVICES = ("auto", "cpu", *GPU_PROVIDERS)


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


def session_options() -> object:
    """Quiet sessions that use the physical cores, with every graph optimisation and no
    busy-waiting between runs."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only: nothing of onnxruntime's reaches the user
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    # The parts run one after another on one shared pool of threads: with a pool per session,
    # the idle threads of one spin on the cores the next one needs (the first decoding steps
    # took twice their time).
    options.use_per_session_threads = not _share_threads()
    return options


_SHARED: list[bool] = []


def _share_threads() -> bool:
    """Create onnxruntime's global thread pool once, if this process has not started
    onnxruntime without it; ``VOCALENS_THREADS`` sets its size (default: one per core)."""
    if not _SHARED:
        from onnxruntime.capi import _pybind_state

        threads = os.environ.get("VOCALENS_THREADS", "")
        size = int(threads) if threads.isdigit() else 0  # 0: onnxruntime's default
        try:
            _pybind_state.set_global_thread_pool_sizes(size, 1)
            _SHARED.append(True)
        except RuntimeError:  # the environment exists already: sessions keep their own pools
            _SHARED.append(False)
    return _SHARED[0]
