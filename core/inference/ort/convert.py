"""A model folder → its ONNX files (fp32 and int8), made once, without torch.

The graphs are written by our own builders (``*_graph``) and filled with the folder's
safetensors weights; int8 copies come from onnxruntime's dynamic quantization. Each file keeps
its weights in a data file beside it, which onnxruntime maps into memory (``external``).
Everything is written into a temporary folder that replaces ``onnx/`` only when complete, with
a manifest keyed to the weights it came from, holding every file's digest and sealed with this
user's key (``seal``): an interrupted conversion is never loaded, a damaged one, or one VocaLens
did not make here, is redone.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vocalens.core.errors import (
    ModelError,
    ModelNotInstalledError,
    TorchOnly,
    first_line,
    require_weights,
)
from vocalens.core.files import read_json, write_folder_atomic, write_text_atomic
from vocalens.core.inference.apart import Progress
from vocalens.core.inference.ort.external import data_file, move_weights_out, save_external
from vocalens.core.inference.ort.int8 import quantize_int8
from vocalens.core.inference.ort.seal import describe, intact, seal, sealed_here
from vocalens.core.inference.ort.token_rows import TokenRows
from vocalens.core.model.config import CONFIG, CaptionerConfig, read_config
from vocalens.core.paths import derived_dir, fingerprint, hub_cache

FOLDER = "onnx"
MANIFEST = "manifest.json"
# 3: weights in data files beside the graphs; 4: the patch embedding as a MatMul; 5: sealed
FORMAT = 5
MAX_MANIFEST_BYTES = 1 << 20
AGAIN = "Download or convert the model again."
PARTS = ("visual", "projector", "decoder")


@dataclass
class Converted:
    folder: Path
    manifest: dict[str, Any]

    def files(self, precision: str) -> dict[str, Path]:
        """The file of each part at ``precision`` (int8: every part in int8; int8-decoder: the
        CLIP tower in fp32)."""
        int8 = {"int8": PARTS, "int8-decoder": ("projector", "decoder")}.get(precision, ())
        return {p: self.folder / (f"{p}.int8.onnx" if p in int8 else f"{p}.onnx") for p in PARTS}

    def token_rows(self) -> TokenRows:
        """The token embeddings that the int8 decoder takes embedded: the fp32 decoder's."""
        place = self.manifest["tokens"]
        return TokenRows(
            self.folder / place["file"], int(place["offset"]), *map(int, place["shape"])
        )


def onnx_key(directory: Path, cfg: CaptionerConfig) -> str:
    files = [
        CONFIG,
        cfg.projector.weights,
        *filter(None, [cfg.encoder.weights, cfg.decoder.weights]),
    ]
    return fingerprint(directory, files, extra=f"onnx:{FORMAT}")


def converted(directory: Path) -> Converted | None:
    """The model folder's finished conversion, if it is there, current, and made by VocaLens
    for this user (sealed, every file as sealed)."""
    folder = derived_dir(directory) / FOLDER
    try:
        manifest = read_json(folder / MANIFEST, MAX_MANIFEST_BYTES)
        key = onnx_key(directory, read_config(directory))
        if not isinstance(manifest, dict) or manifest.get("key") != key:
            return None
        if not sealed_here(manifest):
            return None  # not made here: made again
        files = intact(folder, manifest.get("files"), skip=MANIFEST)
        tokens = manifest.get("tokens")
        if files is None or not isinstance(tokens, dict) or tokens.get("file") not in files:
            return None  # a file missing, cut short, changed or added since: made again
    except (OSError, ValueError, ModelError):
        return None
    if files != manifest["files"]:  # the same content in new places (a restored backup)
        manifest = seal({**manifest, "files": files})
        keep_manifest(folder, manifest)
    return Converted(folder, manifest)


def keep_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest again (best effort: a read-only folder checks again next time)."""
    with contextlib.suppress(OSError):
        write_text_atomic(folder / MANIFEST, json.dumps(manifest, indent=2) + "\n")


def convert(directory: Path, progress: Progress | None = None) -> Converted:
    """Make (or remake) the ONNX files of a model folder; returns them."""
    tell = progress or (lambda fraction, stage: None)
    cfg = read_config(directory)
    _require_files(directory, cfg)
    key = onnx_key(directory, cfg)
    target = derived_dir(directory) / FOLDER
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{FOLDER}-*"):  # left by an interrupted conversion
        shutil.rmtree(stale, ignore_errors=True)

    def fill(tmp: Path) -> None:
        manifest.update(tokens=_make(directory, cfg, tmp, tell))
        manifest.update(seal({**manifest, "files": describe(tmp)}))
        (tmp / MANIFEST).write_text(json.dumps(manifest) + "\n", "utf-8")

    manifest: dict[str, Any] = {"key": key, "format": FORMAT}
    write_folder_atomic(target, fill)
    tell(1.0, "done")
    return Converted(target, manifest)


def _require_files(directory: Path, cfg: CaptionerConfig) -> None:
    parts = {
        "projector": cfg.projector.weights,
        "image encoder": cfg.encoder.weights,
        "GPT-2": cfg.decoder.weights,
    }
    for part, name in parts.items():
        if name:
            require_weights(directory / name, f"{part} weights", AGAIN)
    if not cfg.encoder.weights:
        raise TorchOnly(
            f"{directory} keeps no image encoder weights of its own, so it cannot run on "
            "onnxruntime.",
            "Save or import the model again with VocaLens, or run it with --runtime torch.",
        )


def _make(directory: Path, cfg: CaptionerConfig, out: Path, tell: Progress) -> dict[str, Any]:
    """Write the files; returns where the token embeddings lie (see ``Converted.token_rows``)."""
    from vocalens.core.inference.ort.gpt2_graph import gpt2_graph
    from vocalens.core.inference.ort.projector_graph import projector_graph
    from vocalens.core.inference.ort.vision_graph import vision_graph

    tell(0.0, "image encoder")
    visual = vision_graph(
        cfg.encoder.model_cfg or {}, _encoder_weights(directory, cfg), cfg.encoder.normalize
    )
    save_external(visual, out / "visual.onnx")
    del visual
    tell(0.15, "image encoder, int8")
    _int8(out / "visual.onnx", out / "visual.int8.onnx")
    tell(0.3, "projector")
    save_external(
        projector_graph(cfg.projector, _read(directory / cfg.projector.weights)),
        out / "projector.onnx",
    )
    _int8(out / "projector.onnx", out / "projector.int8.onnx")
    tell(0.35, "language model")
    gpt2_cfg, gpt2_weights = _decoder_weights(directory, cfg)
    if gpt2_cfg["n_embd"] != cfg.projector.embed_dim:
        raise ModelError(
            f"The projector makes {cfg.projector.embed_dim}-wide embeddings but GPT-2 expects "
            f"{gpt2_cfg['n_embd']}.",
            "Use the GPT-2 size the projector was trained with.",
        )
    wte = "transformer.wte.weight"
    offsets = save_external(gpt2_graph(gpt2_cfg, gpt2_weights), out / "decoder.onnx", [wte])
    tokens = {
        "file": data_file(out / "decoder.onnx").name,
        "offset": offsets[wte],
        "shape": list(gpt2_weights[wte].shape),
    }
    tell(0.6, "language model, int8")
    with_head = out / "decoder.head.onnx"
    save_external(gpt2_graph(gpt2_cfg, gpt2_weights, separate_head=True, fused=True), with_head)
    del gpt2_weights
    tell(0.75, "language model, int8")
    _int8(with_head, out / "decoder.int8.onnx")
    with_head.unlink()
    data_file(with_head).unlink()
    return tokens


def _int8(source: Path, target: Path) -> None:
    quantize_int8(source, target)
    move_weights_out(target)


def _read(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file as float32 numpy arrays."""
    from safetensors.numpy import load_file

    require_weights(path, "weights", AGAIN)
    try:
        tensors = load_file(str(path))
    except Exception as exc:  # damaged, truncated, or not safetensors at all
        raise ModelError(
            f"The model's files could not be read ({path.name}: {first_line(exc, 120)}).",
            "Download or convert it again.",
        ) from None
    return {k: v.astype(np.float32, copy=False) for k, v in tensors.items()}


def _encoder_weights(directory: Path, cfg: CaptionerConfig) -> dict[str, np.ndarray]:
    return _read(directory / str(cfg.encoder.weights))


def _decoder_weights(
    directory: Path, cfg: CaptionerConfig
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """GPT-2's architecture and weights: the folder's own (fine-tuned), else the base model's
    files on this machine (a folder, or the local Hub cache; never fetched)."""
    arch = dict(cfg.decoder.gpt2_config or {})
    if cfg.decoder.weights:
        weights = _read(directory / cfg.decoder.weights)
    else:
        base = _base_folder(cfg.decoder.base)
        weights = _read(base / "model.safetensors")
        if not arch:
            arch = json.loads((base / "config.json").read_text(encoding="utf-8"))
    if "wte.weight" in weights:  # the Hub's GPT2Model names lack the ``transformer.`` prefix
        weights = {
            (k if k.startswith("lm_head.") else f"transformer.{k}"): v for k, v in weights.items()
        }
    if "transformer.wte.weight" not in weights and "lm_head.weight" in weights:
        weights["transformer.wte.weight"] = weights.pop("lm_head.weight")  # tied: one is kept
    if not arch:
        raise ModelError(f"{directory / CONFIG} does not describe the GPT-2 architecture.")
    return arch, weights


def _base_folder(base: str) -> Path:
    if Path(base).is_dir():
        return Path(base)
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(base, "model.safetensors", cache_dir=hub_cache())
    if isinstance(found, str):
        return Path(found).parent
    raise ModelNotInstalledError(
        f"GPT-2 '{base}' is not on this machine.",
        f"Fetch it with `vocalens models download {base}` while online.",
        missing=[base],
    )


def remove_conversion(directory: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.rmtree(derived_dir(directory) / FOLDER)
