"""Our checkpoint format: a folder with ``config.json``, ``*.safetensors`` and the tokenizer."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import torch
from safetensors.torch import save_file, save_model
from transformers import GPT2LMHeadModel, GPT2Tokenizer

from .agreement import choose, read_choice, write_choice
from .captioner import Captioner
from .config import CaptionerConfig, library_versions
from .decoder import gpt2_config_dict, open_decoder, open_tokenizer
from .device import resolve_device, resolve_dtype
from .encoder import ImageEncoder, open_encoder
from .errors import ConfigError, ModelError, ModelNotInstalledError
from .int8 import fingerprint
from .paths import derived_dir, hub_cache
from .projector import build_projector
from .weights import load_into_skeleton, release_freed_memory

CONFIG = "config.json"
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
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        cfg = _write_parts(captioner, tmp, include_decoder, include_encoder)
        (tmp / CONFIG).write_text(json.dumps(cfg.to_dict(), indent=2) + "\n", encoding="utf-8")
        if extra is not None:
            extra(tmp)
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(directory, old)
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory


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


def read_config(directory: Path) -> CaptionerConfig:
    path = directory / CONFIG
    if not path.is_file():
        raise ModelNotInstalledError(
            f"{directory} is not a VocaLens model folder (no {CONFIG}).",
            "Give a folder made by `vocalens models download` or `vocalens train`.",
            missing=[str(path)],
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(
            f"{path} is not valid JSON ({exc}).", "Download or save the model again."
        ) from None
    if not isinstance(data, dict):
        raise ModelError(f"{path} does not hold a model configuration.")
    return CaptionerConfig.from_dict(data)


def load_from_directory(
    directory: str | Path, device: str = "auto", dtype: str = "auto", precision: str = "fp32"
) -> Captioner:
    """Load a model folder. ``precision``: fp32 (transformers' GPT-2, exact), int8 (the lean
    int8 path, CPU only; the exact blocks are freed), or auto (on the CPU the fastest path
    whose decisions agree with fp32's for this model, else fp32)."""
    directory = Path(directory)
    cfg = read_config(directory)
    dev = resolve_device(device)
    dt = resolve_dtype(dtype, dev)
    encoder = open_encoder(cfg.encoder, directory, hub_cache())
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
    captioner = assemble(encoder, projector, decoder, tokenizer, cfg, dev, dt)
    chosen = resolve_precision(precision, dev)
    if chosen != "fp32":
        cache = derived_cache(directory, cfg)
        if chosen == "auto":
            chosen = read_choice(*cache) or ""
        if chosen:
            captioner.use_precision(chosen, cache=cache)
        else:
            chosen, tried = choose(captioner, cache)
            write_choice(*cache, chosen, tried)
        captioner.release_exact()
    release_freed_memory()
    return captioner


def derived_cache(directory: Path, cfg: CaptionerConfig) -> tuple[Path, str]:
    """Where the int8 weights and the precision choice of this model folder are kept, and
    the fingerprint of the weights they were made from."""
    files = [
        CONFIG,
        cfg.projector.weights,
        *filter(None, [cfg.encoder.weights, cfg.decoder.weights]),
    ]
    return derived_dir(directory), fingerprint(directory, files)


def first_fast_load(directory: str | Path, device: str = "auto", precision: str = "auto") -> bool:
    """Whether loading this folder will first choose and prepare its fast CPU path (some
    seconds, once), so that the user can be told."""
    directory = Path(directory)
    if resolve_precision(precision, resolve_device(device)) != "auto":
        return False
    try:
        return read_choice(*derived_cache(directory, read_config(directory))) is None
    except (OSError, ModelError):
        return False


def resolve_precision(precision: str, device: torch.device) -> str:
    """fp32, int8, or auto: on the CPU, the fastest path that agrees with fp32 for this
    model (chosen at its first load), and fp32 elsewhere."""
    if precision == "auto":
        return "auto" if device.type == "cpu" and int8_supported() else "fp32"
    if precision not in ("fp32", "int8"):
        raise ConfigError(f"Unknown precision '{precision}'.", "Use auto, fp32 or int8.")
    return precision


def int8_supported() -> bool:
    """Whether this torch build has a CPU engine for int8 Linear layers."""
    engines = torch.backends.quantized.supported_engines
    return any(e in engines for e in ("fbgemm", "x86", "qnnpack"))


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
