"""Projectors: a CLIP embedding (B, D) becomes a prefix of K GPT-2 embeddings (B, K, E).

Parameter names follow ClipCap's released checkpoints so they import without renaming.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from vocalens.core.errors import ConfigError
from vocalens.core.model.config import ProjectorConfig


class _WidenedMLP(nn.Module):
    """Linear → ``middle`` → Linear, the output reshaped into K prefix tokens."""

    def __init__(self, cfg: ProjectorConfig, middle: list[nn.Module]) -> None:
        super().__init__()
        self.prefix_length, self.embed_dim = cfg.prefix_length, cfg.embed_dim
        self.model = nn.Sequential(
            nn.Linear(cfg.input_dim, self.hidden(cfg)),
            *middle,
            nn.Linear(self.hidden(cfg), cfg.prefix_length * cfg.embed_dim),
        )

    @staticmethod
    def hidden(cfg: ProjectorConfig) -> int:
        return cfg.hidden_dim or cfg.prefix_length * cfg.embed_dim // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x).view(x.shape[0], self.prefix_length, self.embed_dim)  # (B, K, E)


class MLPProjector(_WidenedMLP):
    """Linear → LayerNorm → GELU → Linear, widened to K tokens."""

    def __init__(self, cfg: ProjectorConfig) -> None:
        super().__init__(cfg, [nn.LayerNorm(self.hidden(cfg)), nn.GELU()])


class ClipCapMLPProjector(_WidenedMLP):
    """ClipCap's MLP: Linear → Tanh → Linear with hidden size K·E/2."""

    def __init__(self, cfg: ProjectorConfig) -> None:
        super().__init__(cfg, [nn.Tanh()])


class _Attention(nn.Module):
    """ClipCap's self-attention: queries without bias, keys and values from one projection."""

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.to_queries = nn.Linear(dim, dim, bias=False)
        self.to_keys_values = nn.Linear(dim, dim * 2, bias=False)
        self.project = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        h = self.num_heads
        q = self.to_queries(x).view(b, n, h, c // h).transpose(1, 2)  # (B, h, n, c/h)
        kv = self.to_keys_values(x).view(b, n, 2, h, c // h)
        k, v = kv[:, :, 0].transpose(1, 2), kv[:, :, 1].transpose(1, 2)  # (B, h, n, c/h)
        out = F.scaled_dot_product_attention(q, k, v)  # (B, h, n, c/h)
        return self.project(out.transpose(1, 2).reshape(b, n, c))


class _MLP(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.relu(self.fc1(x)))


class _Layer(nn.Module):
    def __init__(self, dim: int, num_heads: int, mlp_ratio: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = _Attention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = _MLP(dim, int(dim * mlp_ratio))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class _Transformer(nn.Module):
    def __init__(self, dim: int, num_heads: int, num_layers: int, mlp_ratio: float) -> None:
        super().__init__()
        self.layers = nn.ModuleList(_Layer(dim, num_heads, mlp_ratio) for _ in range(num_layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return x


class TransformerProjector(nn.Module):
    """ClipCap's mapper: K' tokens from the embedding plus K learned constants, self-attention,
    and the K constant positions as output."""

    def __init__(self, cfg: ProjectorConfig) -> None:
        super().__init__()
        if cfg.embed_dim % cfg.num_heads:
            raise ConfigError(
                f"The GPT-2 width {cfg.embed_dim} is not divisible by {cfg.num_heads} heads."
            )
        self.clip_length = cfg.clip_length
        self.linear = nn.Linear(cfg.input_dim, cfg.clip_length * cfg.embed_dim)
        self.prefix_const = nn.Parameter(torch.randn(cfg.prefix_length, cfg.embed_dim))
        self.transformer = _Transformer(cfg.embed_dim, cfg.num_heads, cfg.num_layers, cfg.mlp_ratio)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        clip_tokens = self.linear(x).view(x.shape[0], self.clip_length, -1)  # (B, K', E)
        const = self.prefix_const.unsqueeze(0).expand(x.shape[0], -1, -1)  # (B, K, E)
        out = self.transformer(torch.cat([clip_tokens, const], dim=1))  # (B, K'+K, E)
        return out[:, self.clip_length :]  # (B, K, E)


PROJECTORS: dict[str, type[nn.Module]] = {
    "mlp": MLPProjector,
    "clipcap-mlp": ClipCapMLPProjector,
    "transformer": TransformerProjector,
}


def build_projector(cfg: ProjectorConfig) -> nn.Module:
    try:
        cls = PROJECTORS[cfg.kind]
    except KeyError:
        raise ConfigError(
            f"Unknown projector kind '{cfg.kind}'.", f"Use one of: {', '.join(PROJECTORS)}."
        ) from None
    return cls(cfg)
