"""Our checkpoint format: a folder with ``config.json``, ``*.safetensors`` and the tokenizer."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import torch
from safetensors.torch import save_file, save_model
from transformers import GPT2LMHeadModel, GPT2Tokenizer

from vocalens.core.errors import ConfigError, ModelNotInstalledError
from vocalens.core.files import write_folder_atomic
from vocalens.core.model.captioner import Captioner
from vocalens.core.model.config import CONFIG, CaptionerConfig, library_versions, read_config
from vocalens.core.model.decoder import gpt2_config_dict, open_decoder, open_tokenizer
from vocalens.core.model.device import resolve_device, resolve_dtype
from vocalens.core.model.encoder import ImageEncoder, open_encoder
from vocalens.core.model.projector import build_projector
from vocalens.core.model.weights import load_into_skeleton
from vocalens.core.paths import hub_cache

ENCODER_WEIGHTS = "encoder.safetensors"
DECODER_WEIGHTS = "decoder.safetensors"


def save_captioner(
    captioner: Captioner,
    directory: str | Path,
    *,
    include_decoder: bool,
    include_encoder: bool = True,
    extra: Callable[[Path], None] | None = None,
) -> Path:
    """Write ``captioner`` to ``directory`` atomically (a temporary folder, then a rename).

    ``include_decoder``: store GPT-2's weights (fine-tuned); otherwise the config names the base.
    ``extra`` writes further files into the folder before it replaces the old one.
    """

    def fill(tmp: Path) -> None:
        cfg = _write_parts(captioner, tmp, include_decoder, include_encoder)
        (tmp / CONFIG).write_text(json.dumps(cfg.to_dict(), indent=2) + "\n", encoding="utf-8")
        if extra is not None:
            extra(tmp)

    return write_folder_atomic(Path(directory), fill)


def _write_parts(
    captioner: Captioner, out: Path, include_decoder: bool, include_encoder: bool
) -> CaptionerConfig:
    cfg = captioner.config
    encoder_cfg = replace(cfg.encoder, weights=ENCODER_WEIGHTS if include_encoder else None)
    if include_encoder:
        save_file(_cpu_state(captioner.encoder.visual), str(out / ENCODER_WEIGHTS))
    decoder_cfg = replace(
        cfg.decoder,
        gpt2_config=gpt2_config_dict(captioner.decoder),
        weights=DECODER_WEIGHTS if include_decoder else None,
    )
    if include_decoder:
        save_model(captioner.decoder, str(out / DECODER_WEIGHTS))
    save_file(_cpu_state(captioner.projector), str(out / cfg.projector.weights))
    captioner.tokenizer.save_pretrained(str(out / cfg.decoder.tokenizer))
    return replace(cfg, encoder=encoder_cfg, decoder=decoder_cfg, versions=library_versions())


def _cpu_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu").contiguous() for k, v in module.state_dict().items()}


def load_from_directory(
    directory: str | Path, device: str = "auto", dtype: str = "auto"
) -> Captioner:
    """Load a model folder with its exact weights (``runtime.open_captioner`` decides how to
    run them)."""
    directory = Path(directory)
    cfg = read_config(directory)
    dev = resolve_device(device)
    dt = resolve_dtype(dtype, dev)
    encoder = open_encoder(cfg.encoder, directory, hub_cache(), offline=True)
    decoder = open_decoder(cfg.decoder, directory, hub_cache())
    tokenizer = open_tokenizer(directory / cfg.decoder.tokenizer)
    weights = directory / cfg.projector.weights
    if not weights.is_file():
        raise ModelNotInstalledError(
            f"The projector weights are missing: {weights}.",
            "Download or convert the model again.",
            missing=[str(weights)],
        )
    projector = load_into_skeleton(lambda: build_projector(cfg.projector), weights)
    cfg = replace(cfg, encoder=encoder.cfg)
    return assemble(encoder, projector, decoder, tokenizer, cfg, dev, dt)


def assemble(
    encoder: ImageEncoder,
    projector: torch.nn.Module,
    decoder: GPT2LMHeadModel,
    tokenizer: GPT2Tokenizer,
    cfg: CaptionerConfig,
    device: torch.device,
    dtype: torch.dtype,
) -> Captioner:
    """Put the parts together on one device; the projector stays fp32 (it is small)."""
    if decoder.config.n_embd != cfg.projector.embed_dim:
        raise ConfigError(
            f"The projector makes {cfg.projector.embed_dim}-wide embeddings but GPT-2 expects "
            f"{decoder.config.n_embd}.",
            "Use the GPT-2 size the projector was trained with.",
        )
    encoder.to(device, dtype)
    decoder.to(device=device, dtype=dtype)  # type: ignore[call-arg]
    projector.to(device).eval().requires_grad_(False)
    decoder.requires_grad_(False)
    return Captioner(encoder, projector, decoder, tokenizer, cfg).eval()
