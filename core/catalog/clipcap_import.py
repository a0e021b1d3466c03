"""Importing ClipCap's released ``.pt`` checkpoints into a model folder with numpy alone: no
torch, and nothing in the file runs (``ptfile`` reads it)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from vocalens.core.catalog.clip_towers import ClipTower, split_weights
from vocalens.core.errors import ModelError, ModelNotInstalledError, require_files
from vocalens.core.files import write_folder_atomic
from vocalens.core.model.clip_text import text_weights, write_kinds
from vocalens.core.model.config import (
    CONFIG,
    DEFAULT_GPT2,
    CaptionerConfig,
    DecoderConfig,
    DecodingConfig,
    EncoderConfig,
    ProjectorConfig,
    library_versions,
)
from vocalens.core.model.ptfile import read_pt
from vocalens.core.paths import hub_cache

LEGACY_BUFFERS = (".attn.bias", ".attn.masked_bias")  # saved by old transformers, not weights
GPT2_HEADS = {768: 12, 1024: 16, 1280: 20, 1600: 25}
CLIPCAP_HEADS = 8
TOKENIZER_FILES = ("vocab.json", "merges.txt")
EOS = "<|endoftext|>"
ENCODER_WEIGHTS = "encoder.safetensors"
DECODER_WEIGHTS = "decoder.safetensors"
Arrays = dict[str, np.ndarray]


def read_clipcap(path: Path) -> Arrays:
    """The tensors of a ClipCap checkpoint, as float32 numpy arrays."""
    state: Any = read_pt(path)
    for key in ("state_dict", "model"):
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    if not isinstance(state, dict) or not any(str(k).startswith("clip_project.") for k in state):
        raise ModelError(f"{path} holds no ClipCap projector (no 'clip_project.*' weights).")
    return {
        str(k): np.ascontiguousarray(v, dtype=np.float32)
        for k, v in state.items()
        if isinstance(v, np.ndarray)
    }


def projector_config(state: Arrays, embed_dim: int) -> ProjectorConfig:
    """Infer the projector kind and sizes from the weight shapes."""
    if "clip_project.model.0.weight" in state:
        hidden, dim_in = state["clip_project.model.0.weight"].shape
        out = state["clip_project.model.2.weight"].shape[0]
        return ProjectorConfig(
            kind="clipcap-mlp",
            input_dim=int(dim_in),
            embed_dim=embed_dim,
            prefix_length=int(out) // embed_dim,
            hidden_dim=int(hidden),
        )
    if "clip_project.linear.weight" in state:
        out, dim_in = state["clip_project.linear.weight"].shape
        layers = {
            int(m.group(1))
            for k in state
            if (m := re.match(r"clip_project\.transformer\.layers\.(\d+)\.", k))
        }
        fc1 = state["clip_project.transformer.layers.0.mlp.fc1.weight"].shape[0]
        return ProjectorConfig(
            kind="transformer",
            input_dim=int(dim_in),
            embed_dim=embed_dim,
            prefix_length=int(state["clip_project.prefix_const"].shape[0]),
            clip_length=int(out) // embed_dim,
            num_layers=len(layers),
            num_heads=CLIPCAP_HEADS,
            mlp_ratio=fc1 / embed_dim,
        )
    raise ModelError("The checkpoint's projector is neither ClipCap's MLP nor its transformer.")


def gpt2_weights(state: Arrays) -> Arrays:
    """The checkpoint's ``gpt.*`` weights under transformers' names, one of the tied input and
    output embeddings kept, legacy buffers dropped."""
    weights = {
        k[4:]: v
        for k, v in state.items()
        if k.startswith("gpt.") and not k.endswith(LEGACY_BUFFERS) and k != "gpt.lm_head.weight"
    }
    if "transformer.wte.weight" not in weights:
        raise ModelError("The checkpoint holds no GPT-2 weights ('gpt.*').")
    return weights


def gpt2_architecture(weights: Arrays, base: dict[str, Any] | None, eos: int | None) -> dict:
    """The architecture fields (transformers' GPT2Config names) the weights were made with."""
    vocab, width = weights["transformer.wte.weight"].shape
    layers = {int(m.group(1)) for k in weights if (m := re.match(r"transformer\.h\.(\d+)\.", k))}
    same = base is not None and base.get("n_embd") == width
    heads = base["n_head"] if same and base is not None else GPT2_HEADS.get(int(width))
    return {
        "vocab_size": int(vocab),
        "n_positions": int(weights["transformer.wpe.weight"].shape[0]),
        "n_embd": int(width),
        "n_layer": len(layers),
        "n_head": int(heads or max(1, width // 64)),
        "n_inner": None,
        "activation_function": (base or {}).get("activation_function", "gelu_new"),
        "layer_norm_epsilon": (base or {}).get("layer_norm_epsilon", 1e-5),
        "bos_token_id": eos,
        "eos_token_id": eos,
    }


def import_clipcap(
    weights: str | Path,
    out: str | Path,
    clip: ClipTower | Callable[[], ClipTower],
    *,
    gpt2: str = DEFAULT_GPT2,
    tokenizer: str | Path | None = None,
    name: str = "",
) -> Path:
    """Convert a ClipCap checkpoint into a model folder at ``out`` and return its path.

    ``clip`` is the CLIP image tower the checkpoint was trained on (or how to find it, asked
    once the checkpoint has been read: a bad checkpoint is said first). ``gpt2`` names the base
    GPT-2 (Hub id or folder): its tokenizer is used, and its weights, when on this machine,
    decide whether the checkpoint's GPT-2 was fine-tuned (and must be stored)."""
    state = read_clipcap(Path(weights))
    if not isinstance(clip, ClipTower):
        clip = clip()
    tok_dir = Path(tokenizer) if tokenizer else _tokenizer_dir(gpt2)
    vocab = _vocabulary(tok_dir)
    decoder = gpt2_weights(state)
    base_arch, base_weights = _local_gpt2(gpt2)
    arch = gpt2_architecture(decoder, base_arch, vocab.get(EOS))
    projector = {k[13:]: v for k, v in state.items() if k.startswith("clip_project.")}
    proj_cfg = projector_config(state, arch["n_embd"])
    if clip.embed_dim != proj_cfg.input_dim:
        raise ModelError(
            f"The checkpoint expects {proj_cfg.input_dim}-wide CLIP embeddings but {clip.model} "
            f"makes {clip.embed_dim}.",
            "Pass the CLIP model it was trained with (--clip).",
        )
    visual, rest = split_weights(clip.weights)
    text_tower = text_weights(rest)  # the kinds' label texts go through it once, below
    fine_tuned = base_weights is None or not _same(decoder, base_weights)
    cfg = CaptionerConfig(
        encoder=EncoderConfig(
            model=clip.model,
            pretrained=clip.pretrained,
            model_cfg=clip.model_cfg,
            preprocess=clip.preprocess,
            weights=ENCODER_WEIGHTS,
        ).validate(),
        projector=proj_cfg.validate(),
        decoder=DecoderConfig(
            base=gpt2, gpt2_config=arch, weights=DECODER_WEIGHTS if fine_tuned else None
        ),
        decoding=DecodingConfig(stop_strings=["."]),
        name=name or Path(weights).stem,
        versions=library_versions(),
    )

    def fill(folder: Path) -> None:
        from safetensors.numpy import save_file

        save_file(visual, str(folder / ENCODER_WEIGHTS))
        if text_tower is not None:
            write_kinds(folder, text_tower, clip.model_cfg)
        save_file(projector, str(folder / proj_cfg.weights))
        if fine_tuned:
            save_file(decoder, str(folder / DECODER_WEIGHTS))
        (folder / cfg.decoder.tokenizer).mkdir()
        for file in TOKENIZER_FILES:
            shutil.copyfile(tok_dir / file, folder / cfg.decoder.tokenizer / file)
        text = json.dumps(cfg.to_dict(), indent=2) + "\n"
        (folder / CONFIG).write_text(text, encoding="utf-8")

    return write_folder_atomic(Path(out), fill)


def _vocabulary(folder: Path) -> dict[str, int]:
    advice = "Give a folder with GPT-2's vocab.json and merges.txt (--tokenizer DIR)."
    require_files(folder, TOKENIZER_FILES, "tokenizer", advice)
    try:
        vocab: dict[str, int] = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{folder / 'vocab.json'} could not be read: {exc}.") from None
    return vocab


def _local_gpt2(gpt2: str) -> tuple[dict[str, Any] | None, Arrays | None]:
    """The base GPT-2's architecture and weights where this machine has them (never fetched)."""
    folder = Path(gpt2)
    if not folder.is_dir():
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(gpt2, "model.safetensors", cache_dir=hub_cache())
        if not isinstance(found, str):
            return None, None
        folder = Path(found).parent
    try:
        from safetensors.numpy import load_file

        arch = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        weights = load_file(str(folder / "model.safetensors"))
    except Exception:  # absent or unreadable: the checkpoint's own GPT-2 is stored
        return None, None
    if "wte.weight" in weights:  # the Hub's GPT2Model names lack the ``transformer.`` prefix
        weights = {f"transformer.{k}": v for k, v in weights.items()}
    weights.pop("lm_head.weight", None)
    return arch, weights


def _same(a: Arrays, b: Arrays) -> bool:
    b = {k: v for k, v in b.items() if not k.endswith(LEGACY_BUFFERS)}
    return a.keys() == b.keys() and all(
        a[k].shape == b[k].shape and np.array_equal(a[k], b[k]) for k in a
    )


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
                allow_patterns=list(TOKENIZER_FILES),
            )
        )
    except Exception:  # any hub failure means: not cached here
        raise ModelNotInstalledError(
            f"The GPT-2 tokenizer '{gpt2}' is not on this machine.",
            f"Run `vocalens models download {gpt2}` while online, or pass --gpt2 DIR / "
            "--tokenizer DIR with vocab.json and merges.txt.",
            missing=[f"{gpt2}/vocab.json", f"{gpt2}/merges.txt"],
        ) from None
