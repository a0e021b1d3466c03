"""A lean GPT-2 for decoding: preallocated KV cache, plain Linear layers (so they can be
quantized to int8), and optionally an output head cut down to the tokens a captioner emits.

The exact path stays transformers' own GPT-2; this one exists for speed on the CPU.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional as F
from transformers import GPT2LMHeadModel

from .int8 import quantize_linears


def _linear(conv: Any) -> nn.Linear:
    """transformers' Conv1D (weight stored in × out) as an nn.Linear."""
    weight = conv.weight.detach()
    linear = nn.Linear(weight.shape[0], weight.shape[1])
    linear.weight.data = weight.t().contiguous()
    linear.bias.data = conv.bias.detach().clone()
    return linear


def _shape_only(conv: Any) -> nn.Linear:
    """A Linear of Conv1D's shape with no storage: int8 weights will take its place."""
    n_in, n_out = conv.weight.shape
    with torch.device("meta"):
        return nn.Linear(n_in, n_out)


class _Block(nn.Module):
    def __init__(self, block: Any, heads: int, linear: Callable[[Any], nn.Linear]) -> None:
        super().__init__()
        self.heads = heads
        self.ln_1: nn.LayerNorm = block.ln_1
        self.ln_2: nn.LayerNorm = block.ln_2
        self.qkv, self.proj = linear(block.attn.c_attn), linear(block.attn.c_proj)
        self.fc, self.fc_out = linear(block.mlp.c_fc), linear(block.mlp.c_proj)

    def forward(self, x: Tensor, k_cache: Tensor, v_cache: Tensor, start: int) -> Tensor:
        b, t, c = x.shape
        h = self.heads
        q, k, v = self.qkv(self.ln_1(x)).split(c, dim=2)
        q = q.view(b, t, h, c // h).transpose(1, 2)  # (B, h, t, d)
        k_cache[:, :, start : start + t] = k.view(b, t, h, c // h).transpose(1, 2)
        v_cache[:, :, start : start + t] = v.view(b, t, h, c // h).transpose(1, 2)
        keys, values = k_cache[:, :, : start + t], v_cache[:, :, : start + t]
        y = F.scaled_dot_product_attention(q, keys, values, is_causal=t > 1)  # (B, h, t, d)
        x = x + self.proj(y.transpose(1, 2).reshape(b, t, c))
        return x + self.fc_out(F.gelu(self.fc(self.ln_2(x)), approximate="tanh"))


class LeanGPT2(nn.Module):
    """Inference-only GPT-2 built from a transformers model's weights.

    ``vocab``: token ids the head may produce (None: all). Logits come out in that order;
    ``vocab[i]`` is the token id of logit ``i``.
    """

    def __init__(
        self,
        model: GPT2LMHeadModel,
        vocab: Tensor | None = None,
        int8: bool = False,
        shapes_only: bool = False,
    ) -> None:
        """``int8``: quantize each block as it is built, so the fp32 copies never pile up.
        ``shapes_only``: Linear layers without weights, for ``int8.import_int8`` to fill."""
        super().__init__()
        ready = quantize_linears if int8 and not shapes_only else (lambda m: m)
        linear = _shape_only if shapes_only else _linear
        cfg = model.config
        self.heads, self.width, self.max_positions = cfg.n_head, cfg.n_embd, cfg.n_positions
        self.wte: nn.Embedding = model.transformer.wte
        if int8:  # the input embeddings in fp16: half the memory, far below int8's noise
            table = model.transformer.wte.weight.detach().to(torch.float16)
            self.wte = nn.Embedding.from_pretrained(table, freeze=True)
        self.wpe: nn.Embedding = model.transformer.wpe
        self.blocks = nn.ModuleList(
            ready(_Block(b, cfg.n_head, linear)) for b in model.transformer.h
        )
        self.ln_f: nn.LayerNorm = model.transformer.ln_f
        self.register_buffer("vocab", vocab, persistent=False)
        outputs = cfg.vocab_size if vocab is None else len(vocab)
        if shapes_only:
            with torch.device("meta"):
                self.head = nn.Linear(self.width, outputs, bias=False)
        else:
            table = model.lm_head.weight.detach()
            self.head = nn.Linear(self.width, outputs, bias=False)
            self.head.weight.data = (table if vocab is None else table[vocab]).clone()
            if int8:
                quantize_linears(self)  # the blocks are done already; this converts the head
        self.k: Tensor | None = None
        self.v: Tensor | None = None
        self.length = 0

    def token_ids(self) -> Tensor | None:
        """The token id of each output, or None when the head covers the whole vocabulary."""
        return self._buffers.get("vocab")

    def start(self, prefix: Tensor, room: int) -> Tensor:
        """Feed the prefix embeddings (B, K, E), keeping cache room for ``room`` more tokens;
        returns the next-token logits (B, V')."""
        b, k, _ = prefix.shape
        size = min(k + room, self.max_positions)
        d = self.width // self.heads
        shape = (len(self.blocks), b, self.heads, size, d)
        self.k = prefix.new_zeros(shape)
        self.v = prefix.new_zeros(shape)
        self.length = 0
        return self._forward(prefix)

    def step(self, token_ids: Tensor) -> Tensor:
        """Feed one token id per row (B,); returns the next-token logits (B, V')."""
        return self._forward(self.wte(token_ids[:, None]).float())

    def reorder(self, index: Tensor) -> None:
        assert self.k is not None and self.v is not None
        self.k = self.k[:, index]
        self.v = self.v[:, index]

    def _forward(self, embeds: Tensor) -> Tensor:
        assert self.k is not None and self.v is not None
        t = embeds.shape[1]
        positions = torch.arange(self.length, self.length + t, device=embeds.device)
        x = embeds + self.wpe(positions)
        for i, block in enumerate(self.blocks):
            x = block(x, self.k[i], self.v[i], self.length)
        self.length += t
        return self.head(self.ln_f(x[:, -1])).float()  # (B, V')
