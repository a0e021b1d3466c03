"""AdamW with separate learning rates, and a warmup + decay schedule."""

from __future__ import annotations

import math

import torch
from torch.optim.lr_scheduler import LambdaLR

from vocalens.core.model.captioner import Captioner
from vocalens.core.train.config import TrainConfig


def make_optimizer(captioner: Captioner, cfg: TrainConfig) -> torch.optim.AdamW:
    groups = [{"params": list(captioner.projector.parameters()), "lr": cfg.lr}]
    if cfg.finetune_gpt2:
        groups.append({"params": list(captioner.decoder.parameters()), "lr": cfg.gpt2_lr})
    return torch.optim.AdamW(groups, weight_decay=cfg.weight_decay)


def make_schedule(optimizer: torch.optim.Optimizer, cfg: TrainConfig, total: int) -> LambdaLR:
    warmup = min(cfg.warmup_steps, max(total - 1, 0))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        if cfg.schedule == "constant":
            return 1.0
        progress = min(1.0, (step - warmup) / max(1, total - warmup))
        if cfg.schedule == "cosine":
            return 0.5 * (1.0 + math.cos(math.pi * progress))
        return max(0.0, 1.0 - progress)

    return LambdaLR(optimizer, factor)
