"""transformers' GPT-2 as a ``decoding.Stepper``: the torch runtime's decoder.

``use_cache=False`` recomputes the whole sequence each step (ClipCap's way) and exists for
tests and benchmarks.
"""

from __future__ import annotations

import inspect

import numpy as np
import torch
from torch import Tensor
from transformers import DynamicCache, GPT2LMHeadModel

from vocalens.core.model.config import DecodingConfig
from vocalens.core.model.decoding import Decoded, Stepper, decode

# transformers 5.24 renamed GPT-2's ``past_key_values`` argument to ``cache`` (the old name goes in
# 5.40); pass the cache under whichever name this release takes.
_NEW_NAME = "cache" in inspect.signature(GPT2LMHeadModel.forward).parameters
_CACHE_ARG = "cache" if _NEW_NAME else "past_key_values"


class HFStepper:
    """transformers' GPT-2, with a KV cache or (``use_cache=False``) recomputing everything."""

    def __init__(self, model: GPT2LMHeadModel, prefix: Tensor, use_cache: bool = True) -> None:
        self.model, self.prefix, self.use_cache = model, prefix, use_cache
        self.cache = DynamicCache() if use_cache else None
        self.tokens = prefix.new_zeros((prefix.shape[0], 0), dtype=torch.long)  # (B, T)

    def first(self) -> np.ndarray:
        return self._logits(self.prefix)

    def next(self, tokens: np.ndarray) -> np.ndarray:
        new = torch.from_numpy(tokens).to(self.prefix.device)
        self.tokens = torch.cat([self.tokens, new[:, None]], dim=1)
        if self.use_cache:
            return self._logits(self.model.transformer.wte(new[:, None]))
        embeds = torch.cat([self.prefix, self.model.transformer.wte(self.tokens)], dim=1)
        return self._logits(embeds)

    def reorder(self, index: np.ndarray) -> None:
        rows = torch.from_numpy(index).to(self.prefix.device)
        self.tokens = self.tokens[rows]
        self.prefix = self.prefix[rows]
        if self.cache is not None:
            self.cache.reorder_cache(rows)  # type: ignore[arg-type]

    def ids(self, rows: list[list[int]]) -> list[list[int]]:
        return rows

    def _logits(self, embeds: Tensor) -> np.ndarray:
        cache = {_CACHE_ARG: self.cache}
        out = self.model(inputs_embeds=embeds, use_cache=self.use_cache, logits_to_keep=1, **cache)
        return out.logits[:, -1].float().cpu().numpy()  # (B, V)


def generate(
    decoder: GPT2LMHeadModel,
    prefix: Tensor,
    opts: DecodingConfig,
    stops: Tensor | np.ndarray,
    use_cache: bool = True,
) -> list[Decoded]:
    """Token ids for each prefix (B, K, E) from a torch decoder (see ``decoding.decode``);
    ``stops`` is a boolean mask over the decoder's outputs."""

    def make(copies: int, room: int) -> Stepper:
        rows = prefix.repeat_interleave(copies, dim=0) if copies > 1 else prefix
        return HFStepper(decoder, rows, use_cache)

    mask = stops.cpu().numpy() if isinstance(stops, Tensor) else stops
    return decode(make, prefix.shape[0], opts, mask.astype(bool))
