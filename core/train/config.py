"""Training settings: a JSON file and ``--set key=value`` overrides on top of the defaults."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vocalens.core.errors import ConfigError
from vocalens.core.model.config import DEFAULT_CLIP, DEFAULT_GPT2, ProjectorKind, _build


@dataclass
class TrainConfig:
    # the model: start from a VocaLens model folder, or from a CLIP + GPT-2 pair
    init: str | None = None  # model name or folder (encoder, GPT-2, tokenizer; its projector too
    # when the kind and prefix length match, so training fine-tunes it)
    encoder: str = DEFAULT_CLIP
    pretrained: str | None = "openai"
    gpt2: str = DEFAULT_GPT2
    projector: ProjectorKind = "mlp"
    prefix_length: int = 10
    clip_length: int = 10  # transformer projector only
    num_layers: int = 8  # transformer projector only
    finetune_gpt2: bool = False
    # optimisation
    lr: float = 1e-4  # projector
    gpt2_lr: float = 2e-5  # GPT-2, when fine-tuned (ClipCap's rate)
    weight_decay: float = 0.01
    warmup_steps: int = 500
    schedule: Literal["linear", "cosine", "constant"] = "linear"
    max_grad_norm: float = 1.0
    grad_accum: int = 1
    batch_size: int = 40
    epochs: int = 10
    max_steps: int | None = None  # optimizer steps; ends training early when reached
    mixed_precision: bool = True  # CUDA only: bf16 where supported, else fp16 with scaling
    seed: int = 42
    device: str = "auto"
    # captions
    stop: str = "."  # appended to every training caption; decoding stops on it
    lowercase: bool = False
    max_tokens: int = 40
    # reporting
    log_every: int = 10
    sample_images: int = 5  # validation images captioned after every epoch
    val_fraction: float = 0.05  # held out from train when the data has no val split
    max_val_images: int = 2000

    def validate(self) -> TrainConfig:
        problems = _wrong_types(self)
        if problems:  # the comparisons below need numbers
            raise ConfigError(f"Invalid training settings: {'; '.join(problems)}.")
        if self.prefix_length < 1 or self.batch_size < 1 or self.grad_accum < 1:
            problems.append("prefix_length, batch_size and grad_accum must be at least 1")
        if self.lr <= 0 or self.gpt2_lr <= 0:
            problems.append("learning rates must be above 0")
        if self.epochs < 1 and not self.max_steps:
            problems.append("train for at least one epoch or step")
        if self.schedule not in ("linear", "cosine", "constant"):
            problems.append("schedule must be linear, cosine or constant")
        if self.projector not in ("mlp", "clipcap-mlp", "transformer"):
            problems.append("projector must be mlp, clipcap-mlp or transformer")
        if not 0.0 <= self.val_fraction < 1.0:
            problems.append("val_fraction must be in [0, 1)")
        if problems:
            raise ConfigError(f"Invalid training settings: {'; '.join(problems)}.")
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _wrong_types(cfg: TrainConfig) -> list[str]:
    """A setting of another type than its default's: ``finetune_gpt2=True`` (not JSON's
    ``true``) arrives as text."""
    problems = []
    for f in dataclasses.fields(cfg):
        value, default = getattr(cfg, f.name), f.default
        if isinstance(default, bool) and not isinstance(value, bool):
            problems.append(f"{f.name} must be true or false")
        elif isinstance(default, int) and not isinstance(default, bool):
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(f"{f.name} must be a whole number")
        elif isinstance(default, float) and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            problems.append(f"{f.name} must be a number")
    return problems


def load_train_config(path: str | Path | None, sets: list[str]) -> TrainConfig:
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"The training config {path} cannot be read ({exc}).") from None
        if not isinstance(data, dict):
            raise ConfigError(f"The training config {path} is not a JSON object.")
    for item in sets:
        key, value = parse_set(item)
        data[key] = value
    return _build(TrainConfig, data, check_types=False)


def parse_set(item: str) -> tuple[str, Any]:
    """``key=value`` with a JSON value (``lr=1e-4``, ``finetune_gpt2=true``) or plain text."""
    key, sep, raw = item.partition("=")
    known = {f.name for f in dataclasses.fields(TrainConfig)}
    if not sep or key.strip() not in known:
        raise ConfigError(
            f"'{item}' is not a known setting.",
            f"Use key=value with a key from: {', '.join(sorted(known))}.",
        )
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.strip(), value
