"""Building the fast CPU path: the lean GPT-2 with int8 weights, and the CLIP tower's Linear
layers in int8. Both are read from the model folder's int8 file when it matches, else
quantized now and added to it, so each is quantized once per model."""

from __future__ import annotations

import hashlib
from pathlib import Path

from torch import Tensor, nn
from transformers import GPT2LMHeadModel

from .clip_attention import linear_names, linear_self_attention
from .int8 import export_int8, import_int8, quantize_linears, read_cache, write_cache
from .lean import LeanGPT2

Cache = tuple[Path, str]  # (model folder, fingerprint of its weights)


def _key(cache: Cache | None, head_tokens: Tensor | None) -> Cache | None:
    if cache is None:
        return None
    key = f"{cache[1]}:attention-linear"
    if head_tokens is not None:
        key += ":" + hashlib.sha256(head_tokens.numpy().tobytes()).hexdigest()
    return cache[0], key


def _complete(module: nn.Module) -> bool:
    return not any(t.is_meta for t in [*module.parameters(), *module.buffers()])


def int8_decoder(
    decoder: GPT2LMHeadModel, head_tokens: Tensor | None, cache: Cache | None
) -> LeanGPT2:
    """The lean decoder with int8 Linear layers."""
    key = _key(cache, head_tokens)
    stored = read_cache(*key) if key is not None else None
    if stored is not None:
        lean = LeanGPT2(decoder, head_tokens, shapes_only=True)
        import_int8(lean, "lean.", stored)
        if _complete(lean):
            return lean.eval()
    lean = LeanGPT2(decoder, head_tokens, int8=True).eval()
    if key is not None:
        write_cache(*key, {**(stored or {}), **export_int8(lean, "lean.")})
    return lean


def int8_visual(visual: nn.Module, cache: Cache | None, head_tokens: Tensor | None) -> None:
    """Put int8 Linear layers into the CLIP tower, self-attention included (in place; the
    way back is loading the tower again)."""
    if not any(isinstance(m, nn.Linear) for m in visual.modules()):
        return  # done already
    key = _key(cache, head_tokens)
    stored = read_cache(*key) if key is not None else None
    wanted = {f"visual.{name}.qweight" for name in linear_names(visual)}
    if stored is not None and wanted <= stored.keys():
        linear_self_attention(visual, copy=False)  # no fp32 copies: int8 fills them
        import_int8(visual, "visual.", stored)
        return
    linear_self_attention(visual)  # so int8 reaches CLIP's attention projections too
    quantize_linears(visual)
    if key is not None:
        write_cache(*key, {**(stored or {}), **export_int8(visual, "visual.")})
