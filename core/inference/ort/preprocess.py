"""CLIP's image preprocessing with Pillow and numpy, equal to open_clip's eval transform."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from PIL import Image

from vocalens.core.errors import TorchOnly
from vocalens.core.images import centre_square

OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)
RESAMPLE = {
    "bicubic": Image.Resampling.BICUBIC,
    "bilinear": Image.Resampling.BILINEAR,
    "nearest": Image.Resampling.NEAREST,
    "lanczos": Image.Resampling.LANCZOS,
}


class Preprocess:
    """RGB images → one float32 batch (B, 3, S, S), resized on the shortest side and
    centre-cropped (or squashed), scaled to [0, 1] and normalised."""

    def __init__(self, cfg: Mapping[str, Any] | None) -> None:
        cfg = dict(cfg or {})
        size = cfg.get("size", 224)
        sides = list(size) if isinstance(size, list | tuple) else [size, size]
        self.mode = str(cfg.get("resize_mode", "shortest"))
        if sides[0] != sides[1] or self.mode not in ("shortest", "squash"):
            raise TorchOnly(
                f"This image encoder's preprocessing ({self.mode}, {size}) cannot run on "
                "onnxruntime yet.",
                "Run it with --runtime torch.",
            )
        self.size = int(sides[0])
        interpolation = str(cfg.get("interpolation", "bicubic"))
        if interpolation not in RESAMPLE:
            raise TorchOnly(f"Unknown image interpolation '{interpolation}' in config.json.")
        self.resample = RESAMPLE[interpolation]
        self.mean = np.asarray(cfg.get("mean", OPENAI_MEAN), np.float32).reshape(3, 1, 1)
        self.std = np.asarray(cfg.get("std", OPENAI_STD), np.float32).reshape(3, 1, 1)

    def __call__(self, images: Sequence[Image.Image]) -> np.ndarray:
        return np.stack([self.one(image) for image in images])

    def one(self, image: Image.Image) -> np.ndarray:
        s = self.size
        if self.mode == "squash":
            image = image.resize((s, s), self.resample)
        else:
            image = centre_square(image, s)
            w, h = image.size
            short, long = (w, h) if w <= h else (h, w)
            new_long = int(s * long / short)
            target = (s, new_long) if w <= h else (new_long, s)
            if target != (w, h):
                image = image.resize(target, self.resample)
            left = round((image.width - s) / 2.0)
            top = round((image.height - s) / 2.0)
            image = image.crop((left, top, left + s, top + s))
        pixels = np.asarray(image.convert("RGB"), dtype=np.float32) / np.float32(255.0)
        return (pixels.transpose(2, 0, 1) - self.mean) / self.std  # (3, S, S)
