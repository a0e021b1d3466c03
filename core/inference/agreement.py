"""Does a faster precision decide like fp32? Measured teacher-forced along fp32's greedy
captions, and used once per model to choose the CPU default: the fastest precision that agrees.

int8 noise is harmless for most models, but a model whose decisions are near-ties (small
models trained on narrow data) can flip words; such a model keeps the fp32 weights there.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np
from PIL import Image, ImageDraw

from vocalens.core.model.decoding import Stepper
from vocalens.core.model.text import Caption
from vocalens.core.synthetic import scene

MARGIN = 0.05  # top-1 must agree wherever fp32's top-2 logit margin exceeds this
COSINE = 0.99  # per-step logit cosine similarity with fp32, at least
RISK = 0.01  # at most this share of fp32's margins may be smaller than int8's margin errors


@dataclass
class Agreement:
    cosine_min: float
    cosine_mean: float
    top1_all: float
    top1_decisive: float
    decisive_steps: int
    steps: int
    flip_risk: float  # how often a step's top-2 margin is below another step's int8 error

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 5) for k, v in asdict(self).items()}

    def passes(self) -> bool:
        """Every step keeps fp32's top token, the logits stay close, and the model's margins
        are seldom as small as the noise (else unseen images would flip words)."""
        return self.top1_all == 1.0 and self.cosine_min >= COSINE and self.flip_risk <= RISK


def probe_images() -> list[Image.Image]:
    """A fixed set: coloured-shape scenes at several sizes, a gradient and a text-like page."""
    rng = random.Random(20)
    images = [scene(rng, size)[0] for size in (64, 96, 160, 224) * 6]
    gradient = Image.linear_gradient("L").resize((320, 200)).convert("RGB")
    page = Image.new("RGB", (400, 240), "white")
    draw = ImageDraw.Draw(page)
    for row in range(8):
        draw.text((12, 10 + 28 * row), f"Line {row + 1}: the quick brown fox", fill="black")
    return [*images, gradient, page]


class Steppable(Protocol):
    """What agreement needs of a captioner (``ort.captioner.OrtCaptioner`` has it)."""

    def pixels(self, images: list[Image.Image]) -> np.ndarray: ...
    def embed(self, pixels: np.ndarray) -> np.ndarray: ...
    def prefix(self, embeddings: np.ndarray) -> np.ndarray: ...
    def stepper(self, prefix: np.ndarray, copies: int = 1) -> Stepper: ...
    def caption_embeddings(self, embeddings: np.ndarray, **overrides: Any) -> list[Caption]: ...


@dataclass
class Reference:
    """fp32's view of some images: embeddings, greedy tokens and the logits of every step."""

    images: list[Image.Image]
    embeddings: np.ndarray
    tokens: list[list[int]]
    logits: list[np.ndarray]  # per image (T + 1, V): the prediction before each token and after


def reference(model: Steppable, images: list[Image.Image], **decoding: Any) -> Reference:
    """Greedy captions by the fp32 model; ``decoding`` overrides the model's settings (at most
    16 new tokens unless said)."""
    embeddings = model.embed(model.pixels(images))
    decoding = {"max_new_tokens": 16, **decoding, "strategy": "greedy"}
    tokens = [c.tokens for c in model.caption_embeddings(embeddings, **decoding)]
    return Reference(images, embeddings, tokens, teacher_forced(model, embeddings, tokens))


def teacher_forced(
    model: Steppable, embeddings: np.ndarray, tokens: list[list[int]]
) -> list[np.ndarray]:
    """The logits before each of ``tokens`` and after the last, per row (T + 1, V)."""
    longest = max(len(t) for t in tokens)
    ids = np.zeros((len(tokens), longest + 1), dtype=np.int64)
    for i, row in enumerate(tokens):
        ids[i, : len(row)] = row
    step = model.stepper(model.prefix(embeddings))
    got = [step.first()]
    for i in range(longest):
        got.append(step.next(ids[:, i]))
    steps = np.stack(got, axis=1)  # (B, longest + 1, V)
    return [steps[i, : len(row) + 1] for i, row in enumerate(tokens)]


def compare(ref: Reference, model: Steppable, embeddings: np.ndarray | None = None) -> Agreement:
    """Feed ``model`` fp32's tokens; ``embeddings``: use these rather than the model's own
    encoder (to judge the rest alone)."""
    if embeddings is None:
        embeddings = model.embed(model.pixels(ref.images))
    fast = teacher_forced(model, embeddings, ref.tokens)
    cosines: list[np.ndarray] = []
    margins: list[np.ndarray] = []
    errors: list[np.ndarray] = []
    same_all = same_sure = sure_steps = 0
    for exact, out in zip(ref.logits, fast, strict=True):
        exact, out = exact.astype(np.float64), out.astype(np.float64)
        norms = np.linalg.norm(exact, axis=-1) * np.linalg.norm(out, axis=-1)
        cosines.append((exact * out).sum(-1) / np.maximum(norms, 1e-12))
        top2 = np.argsort(-exact, axis=-1)[:, :2]
        values = np.take_along_axis(exact, top2, axis=-1)
        margin = values[:, 0] - values[:, 1]
        moved = np.take_along_axis(out, top2, axis=-1)
        margins.append(margin)
        errors.append(np.abs(margin - (moved[:, 0] - moved[:, 1])))
        sure = margin > MARGIN
        same = exact.argmax(-1) == out.argmax(-1)
        same_all += int(same.sum())
        same_sure += int((same & sure).sum())
        sure_steps += int(sure.sum())
    cos = np.concatenate(cosines)
    ordered = np.sort(np.concatenate(margins))
    risk = np.searchsorted(ordered, np.concatenate(errors)).mean() / len(ordered)
    return Agreement(
        flip_risk=float(risk),
        cosine_min=float(cos.min()),
        cosine_mean=float(cos.mean()),
        top1_all=same_all / len(cos),
        top1_decisive=same_sure / max(sure_steps, 1),
        decisive_steps=sure_steps,
        steps=len(cos),
    )
