"""The captioner a training run starts from: a model folder, or CLIP + GPT-2 by name."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch
from transformers import GPT2Tokenizer

from vocalens.core.catalog.loading import resolve_model
from vocalens.core.errors import ModelNotInstalledError
from vocalens.core.model.captioner import Captioner
from vocalens.core.model.checkpoint import assemble, load_from_directory
from vocalens.core.model.config import (
    CaptionerConfig,
    DecoderConfig,
    DecodingConfig,
    EncoderConfig,
    ProjectorConfig,
)
from vocalens.core.model.decoder import open_decoder, open_tokenizer
from vocalens.core.model.device import resolve_device
from vocalens.core.model.encoder import open_encoder
from vocalens.core.model.projector import build_projector
from vocalens.core.paths import hub_cache
from vocalens.core.train.config import TrainConfig


def projector_config(cfg: TrainConfig, input_dim: int, embed_dim: int) -> ProjectorConfig:
    return ProjectorConfig(
        kind=cfg.projector,
        input_dim=input_dim,
        embed_dim=embed_dim,
        prefix_length=cfg.prefix_length,
        clip_length=cfg.clip_length,
        num_layers=cfg.num_layers,
    )


def build_captioner(cfg: TrainConfig) -> Captioner:
    """In fp32 on ``cfg.device``; the projector is new unless ``init`` holds one of the same
    shape, which is then fine-tuned."""
    device = resolve_device(cfg.device)
    decoding = DecodingConfig(stop_strings=[cfg.stop] if cfg.stop else [])
    if cfg.init:
        base = load_from_directory(resolve_model(cfg.init), device="cpu", dtype="fp32")
        proj_cfg = projector_config(cfg, base.encoder.embed_dim, base.config.projector.embed_dim)
        projector = base.projector
        torch.manual_seed(cfg.seed)
        if replace(proj_cfg, weights=base.config.projector.weights) != base.config.projector:
            projector = build_projector(proj_cfg)
        config = replace(base.config, projector=proj_cfg, decoding=decoding)
        parts = (base.encoder, projector, base.decoder, base.tokenizer)
    else:
        encoder = open_encoder(EncoderConfig(cfg.encoder, cfg.pretrained), None, hub_cache())
        decoder_cfg = DecoderConfig(base=cfg.gpt2)
        decoder = open_decoder(decoder_cfg, None, hub_cache())
        proj_cfg = projector_config(cfg, encoder.embed_dim, decoder.config.n_embd)
        torch.manual_seed(cfg.seed)
        config = CaptionerConfig(encoder.cfg, proj_cfg, decoder_cfg, decoding, name="trained")
        parts = (encoder, build_projector(proj_cfg), decoder, base_tokenizer(cfg.gpt2))
    encoder, projector, decoder, tokenizer = parts
    captioner = assemble(encoder, projector, decoder, tokenizer, config, device, torch.float32)
    return captioner


def base_tokenizer(base: str) -> GPT2Tokenizer:
    if Path(base).is_dir():
        return open_tokenizer(Path(base))
    try:
        return GPT2Tokenizer.from_pretrained(base, cache_dir=hub_cache(), local_files_only=True)
    except OSError as exc:
        raise ModelNotInstalledError(
            f"The tokenizer of '{base}' is not on this machine.",
            f"Fetch it with `vocalens models download {base}` while online.",
            missing=[base],
        ) from exc
