"""The fast CPU path: the lean GPT-2 with int8 weights, and the CLIP tower's Linear layers in
int8. Both are read from the model folder's int8 file when it matches, else quantized now and
added to it, so each is quantized once per model. ``use_path`` switches a loaded captioner
between its decoding paths (``precision.PATHS``)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from torch import Tensor, nn
from transformers import GPT2LMHeadModel

from .clip_attention import linear_names, linear_self_attention
from .errors import ConfigError
from .int8 import export_int8, import_int8, quantize_linears, read_cache, write_cache
from .lean import LeanGPT2
from .precision import PATHS

if TYPE_CHECKING:
    from .captioner import Captioner

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


def use_path(
    captioner: Captioner,
    path: str,
    head_tokens: Tensor | None = None,
    release: bool = False,
    cache: Cache | None = None,
) -> None:
    """Decode with ``path`` (one of ``PATHS``) from now on. ``head_tokens`` cuts the output head
    down to those token ids (the ones the captioner can emit); ``release`` frees transformers'
    GPT-2 blocks once the lean decoder has its own weights (the fp32 path is then gone);
    ``cache``: (model folder, fingerprint) where int8 weights are kept between loads. The CLIP
    tower, once int8, stays int8."""
    if path == "fp32":
        if not captioner.exact_available:
            raise ConfigError(
                "The exact fp32 path was released to save memory.",
                "Load the model again with precision fp32.",
            )
        captioner.lean = None
    elif path == "lean":
        captioner.lean = LeanGPT2(captioner.decoder, head_tokens).to(captioner.device).eval()
    elif path in ("int8", "int8-decoder"):
        if captioner.device.type != "cpu":
            raise ConfigError("int8 runs on the CPU only.", "Use fp16 on a GPU.")
        if not captioner.precision.startswith("int8") or head_tokens is not None:
            captioner.lean = int8_decoder(captioner.decoder, head_tokens, cache)
        if path == "int8":
            int8_visual(captioner.encoder.visual, cache, head_tokens)
    else:
        raise ConfigError(f"Unknown decoding path '{path}'.", f"Use one of {', '.join(PATHS)}.")
    captioner.precision = path
    if release and captioner.lean is not None:
        release_exact(captioner)


def release_exact(captioner: Captioner) -> None:
    """Keep only what the prefix and the stop mask need of transformers' GPT-2."""
    decoder = captioner.decoder
    decoder.transformer.h = nn.ModuleList()
    tiny = nn.Embedding(1, decoder.config.n_embd)
    decoder.transformer.wte = tiny
    decoder.lm_head.weight = tiny.weight
    captioner.exact_available = False
