"""CLIPScore and RefCLIPScore (Hessel et al., 2021): w = 2.5, captions prompted with
"A photo depicts", RefCLIPScore the harmonic mean with the best caption-reference match."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import open_clip
import torch
from PIL import Image
from torch.nn import functional as F

from vocalens.core.errors import ModelError
from vocalens.core.paths import hub_cache

W = 2.5
PROMPT = "A photo depicts "


@dataclass
class ClipScores:
    clip_score: float
    ref_clip_score: float | None  # None without references
    per_image: list[float]


class ClipScorer:
    """A whole CLIP model (both towers), e.g. the one the captioner's encoder came from."""

    def __init__(self, model: str, pretrained: str | None, device: str | torch.device = "cpu"):
        if not pretrained:
            raise ModelError(
                f"CLIPScore needs trained CLIP weights, and none are named for {model}.",
                "Choose them with --clip-model and --clip-pretrained (a tag or a file).",
            )
        try:
            clip, _, preprocess = open_clip.create_model_and_transforms(
                model, pretrained=pretrained, cache_dir=str(hub_cache())
            )
        except (RuntimeError, OSError, ValueError) as exc:
            raise ModelError(
                f"Could not load the CLIP model {model} ({pretrained}) for CLIPScore: {exc}",
                "Check the name and tag, or give a local checkpoint file.",
            ) from exc
        self.device = torch.device(device)
        self.model = clip.to(self.device).eval()
        self.preprocess = preprocess
        self.tokenizer = open_clip.get_tokenizer(model)

    @torch.inference_mode()
    def images(self, images: Sequence[Image.Image]) -> torch.Tensor:
        pixels = torch.stack([self.preprocess(i) for i in images]).to(self.device)
        return F.normalize(self.model.encode_image(pixels).float(), dim=-1)

    @torch.inference_mode()
    def texts(self, texts: Sequence[str]) -> torch.Tensor:
        tokens = self.tokenizer([PROMPT + t for t in texts]).to(self.device)
        return F.normalize(self.model.encode_text(tokens).float(), dim=-1)

    def score(
        self,
        image_features: torch.Tensor,
        captions: Sequence[str],
        references: Sequence[Sequence[str]] | None = None,
    ) -> ClipScores:
        """``image_features``: from :meth:`images`, one row per caption."""
        cand = self.texts(captions)
        clip_s = W * torch.clamp((image_features * cand).sum(-1), min=0)
        ref_clip = None
        if references is not None and all(references):
            best = torch.stack(
                [(self.texts(refs) @ c).max() for c, refs in zip(cand, references, strict=True)]
            )
            ref_s = torch.clamp(best, min=0)
            harmonic = 2 * clip_s * ref_s / (clip_s + ref_s).clamp(min=1e-12)
            ref_clip = float(harmonic.mean())
        return ClipScores(float(clip_s.mean()), ref_clip, clip_s.tolist())
