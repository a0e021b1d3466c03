"""Importing ClipCap's released ``.pt`` checkpoints into our format, running no pickled code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from .checkpoint import assemble, save_captioner
from .config import CaptionerConfig, DecoderConfig, DecodingConfig, EncoderConfig, ProjectorConfig
from .decoder import open_decoder, open_tokenizer
from .encoder import ImageEncoder, open_encoder
from .errors import ModelError, ModelNotInstalledError
from .paths import hub_cache
from .projector import build_projector
from .ptfile import read_pt

LEGACY_BUFFERS = (".attn.bias", ".attn.masked_bias")  # saved by old transformers, rejected now
GPT2_HEADS = {768: 12, 1024: 16, 1280: 20, 1600: 25}
CLIPCAP_HEADS = 8


def read_clipcap(path: Path) -> dict[str, torch.Tensor]:
    """The tensors of a ClipCap checkpoint, read by ``ptfile`` (nothing in the file runs)."""
    state: Any = read_pt(path)
    for key in ("state_dict", "model"):
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    if not isinstance(state, dict) or not any(str(k).startswith("clip_project.") for k in state):
        raise ModelError(f"{path} holds no ClipCap projector (no 'clip_project.*' weights).")
    return {k: torch.from_numpy(v) for k, v in state.items() if isinstance(v, np.ndarray)}


def projector_config(state: dict[str, torch.Tensor], embed_dim: int) -> ProjectorConfig:
    """Infer the projector kind and sizes from the weight shapes."""
    if "clip_project.model.0.weight" in state:
        hidden, dim_in = state["clip_project.model.0.weight"].shape
        out = state["clip_project.model.2.weight"].shape[0]
        return ProjectorConfig(
            kind="clipcap-mlp",
            input_dim=dim_in,
            embed_dim=embed_dim,
            prefix_length=out // embed_dim,
            hidden_dim=hidden,
        )
    if "clip_project.linear.weight" in state:
        out, dim_in = state["clip_project.linear.weight"].shape
        prefix_length = state["clip_project.prefix_const"].shape[0]
        layers = {
            int(m.group(1))
            for k in state
            if (m := re.match(r"clip_project\.transformer\.layers\.(\d+)\.", k))
        }
        fc1 = state["clip_project.transformer.layers.0.mlp.fc1.weight"].shape[0]
        return ProjectorConfig(
            kind="transformer",
            input_dim=dim_in,
            embed_dim=embed_dim,
            prefix_length=prefix_length,
            clip_length=out // embed_dim,
            num_layers=len(layers),
            num_heads=CLIPCAP_HEADS,
            mlp_ratio=fc1 / embed_dim,
        )
    raise ModelError("The checkpoint's projector is neither ClipCap's MLP nor its transformer.")


def gpt2_from_state(
    state: dict[str, torch.Tensor], base: GPT2Config | None, eos_token_id: int | None = None
) -> GPT2LMHeadModel:
    """GPT-2 rebuilt from the checkpoint's ``gpt.*`` weights, legacy buffers dropped."""
    weights = {
        k[4:]: v
        for k, v in state.items()
        if k.startswith("gpt.") and not k.endswith(LEGACY_BUFFERS)
    }
    if "transformer.wte.weight" not in weights:
        raise ModelError("The checkpoint holds no GPT-2 weights ('gpt.*').")
    vocab, width = weights["transformer.wte.weight"].shape
    layers = {int(m.group(1)) for k in weights if (m := re.match(r"transformer\.h\.(\d+)\.", k))}
    heads = base.n_head if base is not None and base.n_embd == width else GPT2_HEADS.get(width)
    config = GPT2Config(
        vocab_size=vocab,
        n_positions=weights["transformer.wpe.weight"].shape[0],
        n_embd=width,
        n_layer=len(layers),
        n_head=heads or max(1, width // 64),
        bos_token_id=eos_token_id,
        eos_token_id=eos_token_id,
    )
    model = GPT2LMHeadModel(config)
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if set(missing) - {"lm_head.weight"} or unexpected:
        raise ModelError(
            "The checkpoint's GPT-2 weights do not match a GPT-2 architecture "
            f"(missing {sorted(missing)[:3]}, unexpected {sorted(unexpected)[:3]})."
        )
    model.tie_weights()
    return model.eval()


def import_clipcap(
    weights: str | Path,
    out: str | Path,
    *,
    clip_model: str = "ViT-B-32",
    clip_pretrained: str | None = "openai",
    gpt2: str = "openai-community/gpt2",
    tokenizer: str | Path | None = None,
    name: str = "",
    encoder: ImageEncoder | None = None,
) -> Path:
    """Convert a ClipCap checkpoint into a model folder at ``out`` and return its path.

    ``gpt2`` names the base GPT-2 (Hub id or folder): its tokenizer is used, and its weights,
    when present, decide whether the checkpoint's GPT-2 was fine-tuned (and must be stored).
    """
    state = read_clipcap(Path(weights))
    tok = open_tokenizer(Path(tokenizer) if tokenizer else _tokenizer_dir(gpt2))
    base = _local_gpt2(gpt2)
    decoder = gpt2_from_state(state, base.config if base is not None else None, tok.eos_token_id)
    proj_cfg = projector_config(state, decoder.config.n_embd)
    projector = build_projector(proj_cfg)
    projector.load_state_dict(
        {k[len("clip_project.") :]: v for k, v in state.items() if k.startswith("clip_project.")}
    )
    if encoder is None:
        encoder = open_encoder(
            EncoderConfig(model=clip_model, pretrained=clip_pretrained), cache_dir=hub_cache()
        )
    if encoder.embed_dim != proj_cfg.input_dim:
        raise ModelError(
            f"The checkpoint expects {proj_cfg.input_dim}-wide CLIP embeddings but {clip_model} "
            f"makes {encoder.embed_dim}.",
            "Pass the CLIP model it was trained with (--clip).",
        )
    cfg = CaptionerConfig(
        encoder=encoder.cfg,
        projector=proj_cfg,
        decoder=DecoderConfig(base=gpt2),
        decoding=DecodingConfig(stop_strings=["."]),
        name=name or Path(weights).stem,
    )
    captioner = assemble(encoder, projector, decoder, tok, cfg, torch.device("cpu"), torch.float32)
    fine_tuned = base is None or not _same_weights(decoder, base)
    return save_captioner(captioner, out, include_decoder=fine_tuned)


def _local_gpt2(gpt2: str) -> GPT2LMHeadModel | None:
    try:
        return open_decoder(DecoderConfig(base=gpt2), cache_dir=hub_cache())
    except ModelNotInstalledError:
        return None


def _tokenizer_dir(gpt2: str) -> Path:
    if Path(gpt2).is_dir():
        return Path(gpt2)
    from huggingface_hub import snapshot_download

    try:
        return Path(
            snapshot_download(
                gpt2,
                cache_dir=hub_cache(),
                local_files_only=True,
                allow_patterns=["vocab.json", "merges.txt"],
            )
        )
    except Exception:  # any hub failure means: not cached here
        raise ModelNotInstalledError(
            f"The GPT-2 tokenizer '{gpt2}' is not on this machine.",
            f"Run `vocalens models download {gpt2}` while online, or pass --gpt2 DIR / "
            "--tokenizer DIR with vocab.json and merges.txt.",
            missing=[f"{gpt2}/vocab.json", f"{gpt2}/merges.txt"],
        ) from None


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(
        sa[k].shape == sb[k].shape and torch.equal(sa[k], sb[k]) for k in sa
    )
