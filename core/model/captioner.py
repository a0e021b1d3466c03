"""The captioner: CLIP encoder → projector → GPT-2, on one device."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch import nn
from transformers import GPT2LMHeadModel, GPT2Tokenizer

from vocalens.core.images import centre_square
from vocalens.core.model.config import CaptionerConfig, DecodingConfig, apply_overrides
from vocalens.core.model.encoder import ImageEncoder
from vocalens.core.model.generate import generate
from vocalens.core.model.text import (
    Caption,
    as_array,
    caption_in_stages,
    stop_token_mask,
    to_captions,
)


class Captioner(nn.Module):
    """Holds the three parts; every method runs on ``self.device``."""

    def __init__(
        self,
        encoder: ImageEncoder,
        projector: nn.Module,
        decoder: GPT2LMHeadModel,
        tokenizer: GPT2Tokenizer,
        config: CaptionerConfig,
    ) -> None:
        super().__init__()
        self.encoder, self.projector, self.decoder = encoder, projector, decoder
        self.tokenizer, self.config = tokenizer, config
        self._stops: tuple[tuple[str, ...], np.ndarray] | None = None
        self.precision = "fp32"
        self.runtime = "torch"

    @property
    def device(self) -> torch.device:
        return next(self.projector.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.encoder.parameters()).dtype

    def pixels(self, images: Sequence[Image.Image]) -> torch.Tensor:
        """Preprocess RGB images into one batch (B, 3, H, W) on the model's device."""
        batch = torch.stack([self.encoder.preprocess(centre_square(image)) for image in images])
        return batch.to(self.device, self.dtype)

    @torch.inference_mode()
    def embed(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.encoder(pixels.to(self.device, self.dtype))  # (B, D)

    @torch.inference_mode()
    def image_embedding(self, image: Image.Image) -> np.ndarray:
        return as_array(self.embed(self.pixels([image])))[0]

    def prefix(self, embeddings: torch.Tensor) -> torch.Tensor:
        proj_dtype = next(self.projector.parameters()).dtype
        return self.projector(embeddings.to(self.device, proj_dtype)).to(self.dtype)  # (B, K, E)

    def decoding(self, **overrides: Any) -> DecodingConfig:
        return apply_overrides(self.config.decoding, **overrides)

    @torch.inference_mode()
    def caption(
        self, images: Sequence[Image.Image], use_cache: bool = True, **overrides: Any
    ) -> list[Caption]:
        """Caption RGB images (see ``core.images.load_image``) in one batch."""
        if not images:
            return []
        return caption_in_stages(
            lambda: self.pixels(images),
            self.embed,
            lambda e: self.caption_embeddings(e, use_cache=use_cache, **overrides),
        )

    @torch.inference_mode()
    def caption_embeddings(
        self, embeddings: torch.Tensor, use_cache: bool = True, **overrides: Any
    ) -> list[Caption]:
        opts = self.decoding(**overrides)
        stops = self.stop_mask(opts.stop_strings)
        prefix = self.prefix(embeddings)
        decoded = generate(self.decoder, prefix, opts, stops, use_cache)
        return to_captions(decoded, self.tokenizer, stops, opts.stop_strings)

    def stop_mask(self, stop_strings: list[str]) -> np.ndarray:
        key = tuple(stop_strings)
        if self._stops is None or self._stops[0] != key:
            vocab = self.decoder.config.vocab_size
            mask = stop_token_mask(self.tokenizer, stop_strings, vocab)[:vocab]
            self._stops = (key, mask)
        return self._stops[1]
