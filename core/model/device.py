"""Choosing where the model runs and in which precision."""

from __future__ import annotations

import torch

from vocalens.core.errors import ConfigError

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` picks CUDA, then Apple MPS, then the CPU; any other name is checked, then used."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise ConfigError(
            f"Unknown device '{name}'.", "Use auto, cpu, cuda, cuda:N or mps."
        ) from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError("No CUDA GPU is available here.", "Use --device cpu or --device auto.")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ConfigError("Apple MPS is not available here.", "Use --device cpu or --device auto.")
    return device


def resolve_dtype(name: str, device: torch.device) -> torch.dtype:
    """``auto`` is fp16 on CUDA and fp32 elsewhere; fp16/bf16 are refused where they do not work."""
    if name == "auto":
        return torch.float16 if device.type == "cuda" else torch.float32
    if name not in DTYPES:
        raise ConfigError(f"Unknown precision '{name}'.", "Use auto, fp32, fp16 or bf16.")
    dtype = DTYPES[name]
    if dtype == torch.bfloat16 and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ConfigError("This GPU does not support bf16.", "Use --dtype fp16 instead.")
    if dtype == torch.float16 and device.type == "cpu":
        raise ConfigError(
            "fp16 is not supported on the CPU.", "Use --dtype fp32 or bf16 on the CPU."
        )
    return dtype
