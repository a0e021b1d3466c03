"""The frozen CLIP image encoder: open_clip's visual tower only, with its own preprocessing."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from collections.abc import Callable, Iterator
from copy import deepcopy
from dataclasses import asdict
from pathlib import Path
from typing import Any

import open_clip
import torch
from open_clip.constants import HF_SAFE_WEIGHTS_NAME as SAFE_WEIGHTS
from open_clip.constants import HF_WEIGHTS_NAME as WEIGHTS
from open_clip.model import _build_vision_tower
from open_clip.transform import PreprocessCfg, image_transform_v2
from PIL import Image
from torch import nn

from vocalens.core.errors import ModelError, ModelNotInstalledError, first_line
from vocalens.core.model.config import EncoderConfig
from vocalens.core.model.weights import load_into_skeleton

Preprocess = Callable[[Image.Image], torch.Tensor]


class ImageEncoder(nn.Module):
    """Images → CLIP embeddings (B, D). Holds the visual tower and nothing else of CLIP."""

    def __init__(self, visual: nn.Module, cfg: EncoderConfig) -> None:
        super().__init__()
        self.visual = visual
        self.cfg = cfg
        self.preprocess: Preprocess = image_transform_v2(
            PreprocessCfg(**(cfg.preprocess or {})), is_train=False
        )

    @property
    def embed_dim(self) -> int:
        return int((self.cfg.model_cfg or {})["embed_dim"])

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        emb = self.visual(pixels)  # (B, D)
        return nn.functional.normalize(emb, dim=-1) if self.cfg.normalize else emb


def open_encoder(
    cfg: EncoderConfig,
    directory: Path | None = None,
    cache_dir: Path | None = None,
    offline: bool = False,
) -> ImageEncoder:
    """Rebuild the encoder from our checkpoint directory, or build it with open_clip.
    ``offline``: CLIP weights named by a tag come only from the local cache (loading a model
    never touches the network; downloading is ``vocalens models download``'s job)."""
    if cfg.weights and directory is not None:
        return _from_checkpoint(cfg, directory)
    if offline and cfg.pretrained and not os.path.isfile(cfg.pretrained):
        cfg = dataclasses.replace(cfg, pretrained=_cached_weights(cfg, cache_dir))
    return _from_open_clip(cfg, cache_dir)


def _cached_weights(cfg: EncoderConfig, cache_dir: Path | None) -> str:
    """The local file of an open_clip tag's weights, never fetched."""
    tag = open_clip.get_pretrained_cfg(cfg.model, cfg.pretrained or "")
    candidates: list[Path | None] = []
    hub = str(tag.get("hf_hub", "")).strip("/").split("/")
    if len(hub) >= 2:
        from huggingface_hub import try_to_load_from_cache

        repo = "/".join(hub[:2])
        names = ["/".join(hub[2:])] if len(hub) > 2 else [SAFE_WEIGHTS, WEIGHTS]
        for name in names:
            found = try_to_load_from_cache(repo, name, cache_dir=cache_dir)
            candidates.append(Path(found) if isinstance(found, str) else None)
    if tag.get("url") and cache_dir is not None:
        candidates.append(cache_dir / os.path.basename(str(tag["url"])))
    for path in candidates:
        if path is not None and path.is_file():
            return str(path)
    raise ModelNotInstalledError(
        f"The CLIP image encoder weights ({cfg.model}, {cfg.pretrained}) are not on this "
        "machine, and loading a model never downloads.",
        "Download or convert the model again while online.",
        missing=[f"{cfg.model}:{cfg.pretrained}"],
    )


def _from_checkpoint(cfg: EncoderConfig, directory: Path) -> ImageEncoder:
    path = directory / str(cfg.weights)
    if not path.is_file():
        raise ModelNotInstalledError(
            f"The image encoder weights are missing: {path}.",
            "Download or convert the model again.",
            missing=[str(path)],
        )
    if not cfg.model_cfg:
        raise ModelError(f"{directory / 'config.json'} does not describe the encoder architecture.")
    model_cfg = cfg.model_cfg
    visual = load_into_skeleton(lambda: build_visual(model_cfg), path)
    return ImageEncoder(visual.eval().requires_grad_(False), cfg)


def build_visual(model_cfg: dict[str, Any]) -> nn.Module:
    """Construct an open_clip visual tower (random weights) from an architecture dict."""
    return _build_vision_tower(
        model_cfg["embed_dim"],
        deepcopy(model_cfg["vision_cfg"]),
        model_cfg.get("quick_gelu", False),
    )


def _from_open_clip(cfg: EncoderConfig, cache_dir: Path | None) -> ImageEncoder:
    pretrained = cfg.pretrained
    tag_cfg = open_clip.get_pretrained_cfg(cfg.model, pretrained) if pretrained else {}
    quick_gelu = bool(tag_cfg.get("quick_gelu", False))
    if pretrained and not tag_cfg and not os.path.isfile(pretrained):
        raise ModelNotInstalledError(
            f"The CLIP weights '{pretrained}' are neither an open_clip tag for {cfg.model} "
            "nor a file.",
            "Give a tag from `python -m open_clip list-pretrained` or the path of a checkpoint.",
            missing=[pretrained],
        )
    try:
        with _random_weights_expected(pretrained is None):
            model = open_clip.create_model(
                cfg.model,
                pretrained=pretrained,
                force_quick_gelu=quick_gelu,
                cache_dir=str(cache_dir) if cache_dir else None,
            )
    except (RuntimeError, OSError, ValueError) as exc:
        raise ModelError(
            f"Could not load the CLIP model {cfg.model} ({pretrained}): {first_line(exc)}",
            "Check the name and tag, or give a local checkpoint file with --clip-weights.",
        ) from exc
    model_cfg = open_clip.get_model_config(cfg.model) or {}
    model_cfg = {
        k: model_cfg[k] for k in ("embed_dim", "vision_cfg", "quick_gelu") if k in model_cfg
    }
    model_cfg["quick_gelu"] = quick_gelu or model_cfg.get("quick_gelu", False)
    visual = model.visual
    preprocess = dict(getattr(visual, "preprocess_cfg", None) or asdict(PreprocessCfg()))
    del model  # drop the text tower
    resolved = EncoderConfig(
        model=cfg.model,
        pretrained=cfg.pretrained,
        model_cfg=model_cfg,
        preprocess=preprocess,
        normalize=cfg.normalize,
        weights=None,
    )
    return ImageEncoder(visual.eval().requires_grad_(False), resolved)


@contextlib.contextmanager
def _random_weights_expected(expected: bool) -> Iterator[None]:
    """Silence open_clip's warning about random weights when they are what we asked for."""
    root = logging.getLogger()
    level = root.level
    if expected:
        root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)
