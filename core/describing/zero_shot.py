"""CLIP's zero-shot vote on the kind of an image, from the caption model's own CLIP: the image
embedding the captioner makes anyway, compared with the kinds' label embeddings kept beside
the model at import (``model.clip_text``). The pixels' signals (``kinds``) decide; this vote
only settles what they leave open.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast, get_args

import numpy as np

from vocalens.core.describing.parts import Kind
from vocalens.core.model.clip_text import FILE

SCALE = 100.0  # CLIP's logit scale for openai's models


@dataclass(frozen=True)
class ZeroShot:
    kinds: list[Kind]
    table: np.ndarray  # (K, D), normalised

    @classmethod
    def load(cls, folder: Path) -> ZeroShot | None:
        """The vote of the model at ``folder``; None when it has none or it cannot be read
        (the signals decide alone then)."""
        path = folder / FILE
        if not path.is_file():
            return None
        try:
            from safetensors import safe_open

            with safe_open(str(path), "np") as f:
                names = (f.metadata() or {}).get("kinds", "").split(",")
                table = f.get_tensor("kinds").astype(np.float32)
        except Exception:  # damaged: the signals alone decide
            return None
        if len(names) != len(table) or not set(names) <= set(get_args(Kind)):
            return None
        return cls(cast(list[Kind], names), table)

    def vote(self, embedding: np.ndarray) -> dict[Kind, float]:
        """Each kind's probability for one image embedding (D,)."""
        if embedding.shape[-1] != self.table.shape[1]:
            return {}
        image = embedding / max(float(np.linalg.norm(embedding)), 1e-12)
        logits = SCALE * (self.table @ image)
        p = np.exp(logits - logits.max())
        p /= p.sum()
        return dict(zip(self.kinds, p.tolist(), strict=True))
