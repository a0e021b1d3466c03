"""int8 Linear layers for the CPU: quantizing, and keeping the result beside the model.

Quantizing GPT-2 and the CLIP tower takes seconds; the int8 weights (per output channel,
with their scales) are written once to ``int8.safetensors`` in the model folder and read
back on later loads, so the fp32 weights they replace are never even read from disk.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file
from torch import Tensor, nn

from .atomic import write_atomic

CACHE = "int8.safetensors"


def quantize_linears(module: nn.Module) -> nn.Module:
    """Replace every nn.Linear in ``module`` with an int8 one (per-channel weights, activations
    scaled on the fly), in place."""
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch marks the quantized tensor API deprecated
        quantize_dynamic(
            module, {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True
        )
    return module


def _qlinear_type() -> type[nn.Module]:
    from torch.ao.nn.quantized.dynamic import Linear

    return Linear


def export_int8(module: nn.Module, prefix: str) -> dict[str, Tensor]:
    """The int8 weights, scales, zero points and biases of every quantized Linear."""
    out: dict[str, Tensor] = {}
    qlinear = _qlinear_type()
    for name, child in module.named_modules():
        if isinstance(child, qlinear):
            weight, bias = child._weight_bias()  # type: ignore[operator]
            key = f"{prefix}{name}"
            out[f"{key}.qweight"] = weight.int_repr().contiguous()
            out[f"{key}.scale"] = weight.q_per_channel_scales().float().contiguous()
            out[f"{key}.zero_point"] = weight.q_per_channel_zero_points().contiguous()
            if bias is not None:
                out[f"{key}.bias"] = bias.detach().contiguous()
    return out


def import_int8(module: nn.Module, prefix: str, tensors: dict[str, Tensor]) -> int:
    """Put int8 Linears from ``tensors`` in place of ``module``'s nn.Linear layers of the same
    names; returns how many were replaced. Packing the weights for the CPU kernels is most of
    the work, and runs on all cores."""
    todo = [
        (name, child)
        for name, child in module.named_modules()
        if isinstance(child, nn.Linear) and f"{prefix}{name}.qweight" in tensors
    ]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        built = list(pool.map(lambda item: _qlinear(item[1], f"{prefix}{item[0]}", tensors), todo))
    for (name, _), q in zip(todo, built, strict=True):
        parent_name, _, attr = name.rpartition(".")
        parent = module.get_submodule(parent_name) if parent_name else module
        setattr(parent, attr, q)
    return len(todo)


def _qlinear(child: nn.Linear, key: str, tensors: dict[str, Tensor]) -> nn.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weight = torch._make_per_channel_quantized_tensor(
            tensors[f"{key}.qweight"],
            tensors[f"{key}.scale"].double(),
            tensors[f"{key}.zero_point"],
            0,
        )
        # Built 1×1 (its constructor packs a dummy weight of the full size otherwise),
        # then given the real weight and sizes.
        q = _qlinear_type()(1, 1, dtype=torch.qint8)
        q.set_weight_bias(weight, tensors.get(f"{key}.bias"))  # type: ignore[operator]
        q.in_features = child.in_features  # type: ignore[assignment]
        q.out_features = child.out_features  # type: ignore[assignment]
    return q


def read_cache(folder: Path, key: str) -> dict[str, Tensor] | None:
    path = folder / CACHE
    if not path.is_file():
        return None
    try:
        with safe_open(str(path), framework="pt") as f:
            if (f.metadata() or {}).get("fingerprint") != key:
                return None
            return {name: f.get_tensor(name) for name in f.keys()}  # noqa: SIM118
    except Exception:  # damaged (a half-written file, a full disk): removed, made again
        path.unlink(missing_ok=True)
        return None


def write_cache(folder: Path, key: str, tensors: dict[str, Tensor]) -> None:
    """Best effort: a folder that cannot be written just means quantizing at every load."""
    with contextlib.suppress(OSError):
        write_atomic(
            folder / CACHE, lambda tmp: save_file(tensors, str(tmp), metadata={"fingerprint": key})
        )
