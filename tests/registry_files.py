"""The files of the registered model ``clipcap-coco`` as its sources serve them, made here with
random weights: ClipCap's ``.pt`` checkpoint (a small GPT-2 and an MLP projector), open_clip's
real-size ViT-B-32 checkpoint (both towers, float16, as open_clip's file holds them), and the
GPT-2 tokenizer files."""

from __future__ import annotations

import io
from pathlib import Path

import open_clip
import torch
from safetensors.torch import save

from vocalens.core.catalog import clip_towers
from vocalens.core.catalog.registry import lookup
from vocalens.core.model.encoder import build_visual

MODEL = "clipcap-coco"


def clipcap_coco_files(decoder: torch.nn.Module, tokenizer: Path) -> dict[str, bytes]:
    """``decoder``: the GPT-2 inside the checkpoint; ``tokenizer``: its vocab.json/merges.txt."""
    torch.manual_seed(5)
    entry = lookup(MODEL)
    arch = clip_towers.known(entry.clip_model, entry.clip_pretrained)["model_cfg"]
    visual = build_visual(arch).eval()
    clip = {f"visual.{k}": v.half().contiguous() for k, v in visual.state_dict().items()}
    whole = open_clip.model.CLIP(**{"text_cfg": {}, **arch})  # its text tower: the defaults
    text = {k: v for k, v in whole.state_dict().items() if not k.startswith("visual.")}
    clip |= {k: v.half().contiguous() for k, v in text.items()}
    width = decoder.config.n_embd
    state = {
        "clip_project.model.0.weight": torch.randn(64, arch["embed_dim"]) * 0.05,
        "clip_project.model.0.bias": torch.zeros(64),
        "clip_project.model.2.weight": torch.randn(4 * width, 64) * 0.5,
        "clip_project.model.2.bias": torch.zeros(4 * width),
    }
    state |= {f"gpt.{k}": v.clone() for k, v in decoder.state_dict().items()}
    checkpoint = io.BytesIO()
    torch.save(state, checkpoint)
    weights = entry.weights
    clip_file = clip_towers.hub_file(entry.clip_model, entry.clip_pretrained)
    files = {
        f"{weights.repo}/{weights.filename}": checkpoint.getvalue(),
        f"{clip_file.repo}/{clip_file.filename}": save(clip),
        f"{entry.gpt2}/config.json": b'{"model_type": "gpt2"}',
    }
    for name in ("vocab.json", "merges.txt"):
        files[f"{entry.gpt2}/{name}"] = (tokenizer / name).read_bytes()
    return files
