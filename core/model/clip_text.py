"""CLIP's text tower in numpy, for the kinds' label texts: when a model is imported, the label
texts of ``resources/kind_prompts.json`` (already in CLIP's tokens) go through it once, and
their mean embedding per kind is kept beside the model (``kinds.safetensors``), for
``describing.zero_shot`` to compare images with. No torch, no text tower at run time.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

FILE = "kinds.safetensors"
TEXT = "transformer.resblocks."
Arrays = dict[str, np.ndarray]


def prompts() -> dict[str, list[list[int]]]:
    """Each kind's label texts as CLIP token ids (start and end tokens included)."""
    text = resources.files("vocalens.resources").joinpath("kind_prompts.json").read_text()
    return {kind: [row["ids"] for row in rows] for kind, rows in json.loads(text).items()}


def text_weights(state: Arrays) -> Arrays | None:
    """The text tower's weights from a whole CLIP checkpoint's tensors; None without one."""
    needed = ("token_embedding.weight", "positional_embedding", "ln_final.weight")
    if not all(k in state for k in needed) or not any(k.startswith(TEXT) for k in state):
        return None
    return {k: v for k, v in state.items() if not k.startswith("visual.")}


def encode_text(
    w: Arrays, rows: list[list[int]], quick_gelu: bool, heads: int | None = None
) -> np.ndarray:
    """open_clip's ``encode_text`` for token rows (each ending in the end token), normalised
    (N, D). Causal attention means nothing after the end token changes its output, so each
    row is run at its own length. ``heads``: the tower's attention heads (None: one per 64
    channels, as open_clip's text towers have)."""
    width = w["token_embedding.weight"].shape[1]
    heads = heads or max(1, width // 64)
    layers = 1 + max(int(k[len(TEXT) :].split(".")[0]) for k in w if k.startswith(TEXT))
    context = w["positional_embedding"].shape[0]
    rows = [r[: context - 1] + r[-1:] if len(r) > context else r for r in rows]
    length = max(map(len, rows))
    ids = np.array([r + [0] * (length - len(r)) for r in rows])  # padding follows the end
    x = w["token_embedding.weight"][ids] + w["positional_embedding"][:length]  # (N, L, W)
    for i in range(layers):
        p = f"{TEXT}{i}."
        x = x + _attention(_norm(x, w, p + "ln_1"), w, p + "attn.", heads)
        h = _linear(_norm(x, w, p + "ln_2"), w, p + "mlp.c_fc")
        h = h / (1 + np.exp(-1.702 * h)) if quick_gelu else _gelu(h)
        x = x + _linear(h, w, p + "mlp.c_proj")
    x = _norm(x, w, "ln_final")[np.arange(len(rows)), [len(r) - 1 for r in rows]]
    proj = w.get("text_projection")
    x = x @ proj if proj is not None else _linear(x, w, "text_projection")
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def kind_embeddings(
    w: Arrays, quick_gelu: bool, heads: int | None = None
) -> tuple[list[str], np.ndarray]:
    """One embedding per kind: the normalised mean of its label texts' embeddings."""
    kinds, means = [], []
    for kind, rows in prompts().items():
        mean = encode_text(w, rows, quick_gelu, heads).mean(axis=0)
        kinds.append(kind)
        means.append(mean / np.linalg.norm(mean))
    return kinds, np.stack(means)


def write_kinds(folder: Path, w: Arrays, model_cfg: dict[str, Any]) -> None:
    """Keep the kinds' embeddings beside the model in ``folder``."""
    from safetensors.numpy import save_file

    heads = (model_cfg.get("text_cfg") or {}).get("heads")
    kinds, table = kind_embeddings(w, bool(model_cfg.get("quick_gelu")), heads)
    save_file({"kinds": table}, str(folder / FILE), metadata={"kinds": ",".join(kinds)})


def _norm(x: np.ndarray, w: Arrays, name: str) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * w[name + ".weight"] + w[name + ".bias"]


def _linear(x: np.ndarray, w: Arrays, name: str) -> np.ndarray:
    weight = w.get(name + ".weight", w.get(name + "_weight"))
    assert weight is not None, name
    y = x @ weight.T
    bias = w.get(name + ".bias", w.get(name + "_bias"))
    return y + bias if bias is not None else y


def _attention(x: np.ndarray, w: Arrays, p: str, heads: int) -> np.ndarray:
    n, length, width = x.shape
    qkv = _linear(x, w, p + "in_proj")
    q, k, v = (
        t.reshape(n, length, heads, -1).transpose(0, 2, 1, 3) for t in np.split(qkv, 3, axis=-1)
    )
    scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(q.shape[-1])
    scores = scores + np.triu(np.full((length, length), -np.inf, dtype=np.float32), 1)
    scores = np.exp(scores - scores.max(-1, keepdims=True))
    scores /= scores.sum(-1, keepdims=True)
    out = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, width)
    return _linear(out, w, p + "out_proj")


def _gelu(x: np.ndarray) -> np.ndarray:
    """The exact GELU, x·Φ(x), with erf from Abramowitz and Stegun 7.1.26 (error < 2e-7)."""
    z = np.abs(x) / math.sqrt(2)
    t = 1 / (1 + 0.3275911 * z)
    poly = 1.061405429
    for a in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly = a + t * poly
    poly = t * poly
    erf = np.sign(x) * (1 - poly * np.exp(-z * z))
    return 0.5 * x * (1 + erf)
