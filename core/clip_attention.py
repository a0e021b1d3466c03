"""CLIP's self-attention rebuilt from plain Linear layers, so int8 reaches it too.

open_clip's blocks use nn.MultiheadAttention, whose packed input projection (and its
out_proj, a NonDynamicallyQuantizableLinear) dynamic quantization leaves in fp32: about a
third of the ViT-B-32 tower. The same computation with nn.Linear layers quantizes whole.
"""

from __future__ import annotations

import torch
from open_clip.transformer import ResidualAttentionBlock
from torch import nn
from torch.nn import functional as F


class SelfAttention(nn.Module):
    """Drop-in for a self-attention ``nn.MultiheadAttention`` (same call, same result)."""

    def __init__(self, mha: nn.MultiheadAttention, copy: bool = True) -> None:
        super().__init__()
        dim = mha.embed_dim
        self.num_heads, self.batch_first = mha.num_heads, mha.batch_first
        device = None if copy else "meta"  # meta: shapes only, weights arrive later
        self.in_proj = nn.Linear(dim, 3 * dim, mha.in_proj_bias is not None, device=device)
        self.out_proj = nn.Linear(dim, dim, mha.out_proj.bias is not None, device=device)
        if not copy:
            return
        with torch.no_grad():
            self.in_proj.weight.copy_(mha.in_proj_weight)
            if mha.in_proj_bias is not None:
                self.in_proj.bias.copy_(mha.in_proj_bias)
            self.out_proj.weight.copy_(mha.out_proj.weight)
            if mha.out_proj.bias is not None:
                self.out_proj.bias.copy_(mha.out_proj.bias)
        self.to(mha.in_proj_weight.dtype)

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor | None = None,
        value: torch.Tensor | None = None,
        need_weights: bool = False,
        attn_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, None]:
        x = query if self.batch_first else query.transpose(0, 1)  # (B, N, D)
        b, n, d = x.shape
        qkv = self.in_proj(x).view(b, n, 3, self.num_heads, d // self.num_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each (B, H, N, D/H)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        out = self.out_proj(out.transpose(1, 2).reshape(b, n, d))
        return (out if self.batch_first else out.transpose(0, 1)), None


def swappable(block: nn.Module) -> bool:
    """An open_clip block whose self-attention ``linear_self_attention`` rebuilds."""
    return (
        isinstance(block, ResidualAttentionBlock)
        and not hasattr(block, "ln_1_kv")  # cross-attention blocks keep theirs
        and isinstance(block.attn, nn.MultiheadAttention)
        and block.attn._qkv_same_embed_dim
    )


def linear_self_attention(module: nn.Module, copy: bool = True) -> int:
    """Swap the self-attention of every open_clip block in ``module``; returns how many.
    ``copy=False`` leaves the new layers without weights (to be filled from int8 files)."""
    blocks = [block for block in module.modules() if swappable(block)]
    for block in blocks:
        block.attn = SelfAttention(block.attn, copy)  # type: ignore[arg-type]
    return len(blocks)


def linear_names(module: nn.Module) -> set[str]:
    """The names ``module``'s nn.Linear layers have once its self-attention is swapped."""
    names = {name for name, m in module.named_modules() if isinstance(m, nn.Linear)}
    return names | {f"{name}.attn.in_proj" for name, m in module.named_modules() if swappable(m)}
