"""Building modules without random initialisation and filling them from safetensors files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn

from vocalens.core.errors import ModelError


def load_into_skeleton(
    build: Callable[[], nn.Module], path: Path, tied: dict[str, str] | None = None
) -> nn.Module:
    """``build()`` on the meta device (no memory, no random init), then the weights from
    ``path`` take the parameters' places. ``tied``: name → the name it shares storage with
    (a file keeps only one of the two)."""
    with torch.device("meta"):
        module = build()
    state = load_file(str(path))
    for name, twin in (tied or {}).items():
        if name not in state and twin in state:
            state[name] = state[twin]
    missing, unexpected = module.load_state_dict(state, strict=False, assign=True)
    if unexpected or missing:
        raise ModelError(
            f"The weights in {path} do not fit the architecture in config.json "
            f"(missing {sorted(missing)[:3]}, unexpected {sorted(unexpected)[:3]}).",
            "The folder may be damaged; download or convert the model again.",
        )
    tie = getattr(module, "tie_weights", None)
    if callable(tie):
        tie()
    leftover = [n for n, t in [*module.named_parameters(), *module.named_buffers()] if t.is_meta]
    if leftover:
        raise ModelError(
            f"{path} lacks weights for {', '.join(leftover[:3])}.",
            "The folder may be damaged; download or convert the model again.",
        )
    return module
