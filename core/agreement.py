"""Does a fast path decide like fp32? Measured teacher-forced along fp32's greedy captions,
and used once per model to choose the CPU default: the fastest path that agrees.

int8 noise is harmless for most models, but a model whose decisions are near-ties (small
models trained on narrow data) can flip words; such a model keeps the fp32 weights there.
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from PIL import Image, ImageDraw
from torch import Tensor

from .atomic import write_text_atomic
from .captioner import Captioner
from .fast import Cache, use_path
from .precision import FASTEST_FIRST
from .synthetic import scene

MARGIN = 0.05  # top-1 must agree wherever fp32's top-2 logit margin exceeds this
COSINE = 0.99  # per-step logit cosine similarity with fp32, at least
RISK = 0.01  # at most this share of fp32's margins may be smaller than int8's margin errors
CHOICE = "precision.json"  # the choice, kept beside the model


@dataclass
class Reference:
    """fp32's view of some images: embeddings, greedy tokens and the logits of every step."""

    images: list[Image.Image]
    embeddings: Tensor
    tokens: list[list[int]]
    logits: list[Tensor]  # per image (T + 1, V): the prediction before each token and after


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


@torch.inference_mode()
def reference(model: Captioner, images: list[Image.Image], **decoding: Any) -> Reference:
    """Greedy captions by the exact fp32 path (``model`` must still have it); ``decoding``
    overrides the model's settings (at most 16 new tokens unless said)."""
    embeddings = model.embed(model.pixels(images))
    decoding = {"max_new_tokens": 16, **decoding, "strategy": "greedy"}
    captions = model.caption_embeddings(embeddings, **decoding)
    prefix = model.prefix(embeddings)
    wte = model.decoder.get_input_embeddings()
    logits = []
    for row, caption in zip(prefix, captions, strict=True):
        ids = torch.tensor([caption.tokens], dtype=torch.long, device=model.device)
        embeds = torch.cat([row[None], wte(ids)], dim=1)
        out = model.decoder(inputs_embeds=embeds).logits[0, prefix.shape[1] - 1 :]
        logits.append(out.float())
    return Reference(images, embeddings, [c.tokens for c in captions], logits)


@torch.inference_mode()
def compare(ref: Reference, model: Captioner, embeddings: Tensor | None = None) -> Agreement:
    """Feed ``model``'s lean decoder fp32's tokens; ``embeddings``: use these rather than the
    model's own encoder (to judge the decoder alone)."""
    lean = model.lean
    assert lean is not None, "compare needs a lean decoder"
    if embeddings is None:
        embeddings = model.embed(model.pixels(ref.images))
    longest = max(len(t) for t in ref.tokens)
    ids = torch.zeros((len(ref.tokens), longest + 1), dtype=torch.long, device=model.device)
    for i, row in enumerate(ref.tokens):
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
    got = [lean.start(model.prefix(embeddings), longest + 1)]
    for step in range(longest):
        got.append(lean.step(ids[:, step]))
    fast = torch.stack(got, dim=1)  # (B, longest + 1, V')
    vocab = lean.token_ids()
    cosines: list[float] = []
    margins: list[Tensor] = []
    errors: list[Tensor] = []
    same_all = same_sure = sure_steps = 0
    for i, exact in enumerate(ref.logits):
        exact = exact if vocab is None else exact[:, vocab]
        out = fast[i, : len(exact)]
        cosines += torch.nn.functional.cosine_similarity(exact, out, dim=-1).tolist()
        top2 = exact.topk(2, dim=-1)
        margin = top2.values[:, 0] - top2.values[:, 1]
        moved = out.gather(1, top2.indices)
        margins.append(margin)
        errors.append((margin - (moved[:, 0] - moved[:, 1])).abs())
        sure = margin > MARGIN
        same = exact.argmax(-1) == out.argmax(-1)
        same_all += int(same.sum())
        same_sure += int((same & sure).sum())
        sure_steps += int(sure.sum())
    n = len(cosines)
    ordered = torch.cat(margins).sort().values
    risk = torch.searchsorted(ordered, torch.cat(errors)).float().mean() / len(ordered)
    return Agreement(
        flip_risk=float(risk),
        cosine_min=min(cosines),
        cosine_mean=sum(cosines) / n,
        top1_all=same_all / n,
        top1_decisive=same_sure / max(sure_steps, 1),
        decisive_steps=sure_steps,
        steps=n,
    )


def choose(model: Captioner, cache: Cache | None) -> tuple[str, dict[str, Agreement]]:
    """Leave ``model`` on the fastest CPU path that agrees with fp32 on the probe images
    (int8, then int8 with the CLIP tower in fp32, then the lean fp32 decoder); returns its
    name and the agreement of each path tried. ``model`` must still have its fp32 path."""
    ref = reference(model, probe_images())
    tried: dict[str, Agreement] = {}
    use_path(model, "int8-decoder", cache=cache)
    tried["int8-decoder"] = compare(ref, model, ref.embeddings)
    if not tried["int8-decoder"].passes():
        use_path(model, "lean")
        return "lean", tried
    exact_visual = copy.deepcopy(model.encoder.visual)
    use_path(model, "int8", cache=cache)
    tried["int8"] = compare(ref, model)
    if tried["int8"].passes():
        return "int8", tried
    model.encoder.visual = exact_visual
    use_path(model, "int8-decoder", cache=cache)
    return "int8-decoder", tried


def read_choice(folder: Path, fingerprint: str) -> str | None:
    try:
        data = json.loads((folder / CHOICE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint:
        return None
    choice = data.get("choice")
    return str(choice) if choice in FASTEST_FIRST else None


def write_choice(folder: Path, fingerprint: str, choice: str, tried: dict[str, Agreement]) -> None:
    """Best effort: a folder that cannot be written means choosing again at every load."""
    record = {"fingerprint": fingerprint, "choice": choice}
    record["agreement"] = {name: a.rounded() for name, a in tried.items()}  # type: ignore[assignment]
    with contextlib.suppress(OSError):
        write_text_atomic(folder / CHOICE, json.dumps(record, indent=2) + "\n")
