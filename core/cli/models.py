"""``vocalens models``: list, download, import and inspect captioning models."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from vocalens.core.model.config import DEFAULT_CLIP, DEFAULT_GPT2


def register(sub: Any) -> None:
    p = sub.add_parser("models", help="list, download, import and inspect models")
    msub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    msub.add_parser("list", help="known models and whether they are installed").set_defaults(
        run=list_models
    )
    d = msub.add_parser("download", help="download and convert a model (needs the internet)")
    d.add_argument(
        "name", help="registered model name, or a Hub GPT-2 id such as openai-community/gpt2"
    )
    d.set_defaults(run=download)
    c = msub.add_parser(
        "clean", help="remove the downloaded files a model was converted from (frees disk)"
    )
    c.add_argument("name", nargs="?", help="registered model name (default: every model)")
    c.set_defaults(run=clean)
    i = msub.add_parser(
        "import-clipcap", help="convert a ClipCap .pt checkpoint into a model folder"
    )
    i.add_argument("weights", type=Path, help="ClipCap checkpoint (.pt)")
    i.add_argument("--out", type=Path, required=True, help="model folder to create")
    i.add_argument(
        "--clip",
        default=DEFAULT_CLIP,
        help="CLIP architecture: a known name (default ViT-B-32) or a JSON file with "
        "model_cfg and preprocess",
    )
    i.add_argument(
        "--clip-weights",
        default="openai",
        help="open_clip pretrained tag (taken from the download cache) or a checkpoint file "
        "(.safetensors, .bin) (default openai)",
    )
    i.add_argument("--gpt2", default=DEFAULT_GPT2, help="base GPT-2: Hub id or folder")
    i.add_argument("--tokenizer", type=Path, help="folder with vocab.json and merges.txt")
    i.add_argument("--force", action="store_true", help="replace an existing model folder")
    i.set_defaults(run=import_clipcap)
    f = msub.add_parser("info", help="describe a model folder or registered model")
    f.add_argument("model", help="model folder or registered name")
    f.set_defaults(run=info)


def list_models(args: argparse.Namespace) -> int:
    from vocalens.core.catalog.download import installed_path, is_installed
    from vocalens.core.catalog.registry import DEFAULT_MODEL, REGISTRY

    for name, entry in REGISTRY.items():
        state = f"installed at {installed_path(name)}" if is_installed(name) else "not downloaded"
        default = " (default)" if name == DEFAULT_MODEL else ""
        print(f"{name}{default}: {entry.description} [{state}]")
    return 0


def download(args: argparse.Namespace) -> int:
    from vocalens.core.catalog.download import download_model, download_size
    from vocalens.core.catalog.registry import REGISTRY

    path = download_model(args.name)
    print(f"{args.name} is ready at {path}")
    size = download_size(args.name) if args.name in REGISTRY else 0
    if size:
        print(
            f"The files it was made from ({size / 1e9:.1f} GB) are no longer needed: "
            f"`vocalens models clean {args.name}` removes them."
        )
    return 0


def clean(args: argparse.Namespace) -> int:
    from vocalens.core.catalog.download import is_installed, remove_downloads
    from vocalens.core.catalog.registry import REGISTRY, lookup

    names = [lookup(args.name).name] if args.name else list(REGISTRY)
    freed = sum(remove_downloads(n) for n in names if is_installed(n))
    print(f"Removed {freed / 1e9:.1f} GB of downloaded files." if freed else "Nothing to remove.")
    return 0


def import_clipcap(args: argparse.Namespace) -> int:
    from vocalens.core.catalog.clip_towers import ClipTower, tower
    from vocalens.core.catalog.clipcap_import import import_clipcap as convert
    from vocalens.core.errors import ModelError

    if args.out.exists() and any(args.out.iterdir()) and not args.force:
        raise ModelError(
            f"{args.out} already exists and is not empty.",
            "Choose another --out folder, or add --force to replace it.",
        )

    def clip() -> ClipTower:  # looked for once the checkpoint is known to be good
        weights = Path(args.clip_weights)
        tag = None if weights.is_file() else args.clip_weights
        if tag is not None:
            weights = _cached_clip(args.clip, tag)
        return tower(args.clip, tag, weights)

    path = convert(
        args.weights,
        args.out,
        clip,
        gpt2=args.gpt2,
        tokenizer=args.tokenizer,
    )
    print(f"Converted {args.weights} into {path}")
    return 0


def _cached_clip(model: str, tag: str) -> Path:
    """A CLIP checkpoint named by its tag, from the download cache (never fetched)."""
    from huggingface_hub import try_to_load_from_cache

    from vocalens.core.catalog.clip_towers import hub_file
    from vocalens.core.errors import ModelNotInstalledError
    from vocalens.core.paths import hub_cache

    source = hub_file(model, tag)
    found = try_to_load_from_cache(source.repo, source.filename, cache_dir=hub_cache())
    if isinstance(found, str):
        return Path(found)
    raise ModelNotInstalledError(
        f"The CLIP weights {model} ({tag}) are not on this machine.",
        "Give the checkpoint file with --clip-weights FILE, or download a model that uses them.",
        missing=[f"{source.repo}/{source.filename}"],
    )


def info(args: argparse.Namespace) -> int:
    from vocalens.core.catalog.loading import resolve_model
    from vocalens.core.model.config import read_config

    folder = resolve_model(args.model)
    cfg = read_config(folder)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    summary = {
        "folder": str(folder),
        "name": cfg.name,
        "encoder": f"{cfg.encoder.model} ({cfg.encoder.pretrained})",
        "projector": f"{cfg.projector.kind}, prefix {cfg.projector.prefix_length} × "
        f"{cfg.projector.embed_dim}",
        "decoder": "fine-tuned GPT-2 (stored)"
        if cfg.decoder.weights
        else f"GPT-2 {cfg.decoder.base} (frozen)",
        "decoding": f"{cfg.decoding.strategy}, stop at {cfg.decoding.stop_strings}",
        "size_mb": round(size / 1e6, 1),
        "versions": cfg.versions,
    }
    for key, value in summary.items():
        print(f"{key}: {json.dumps(value) if isinstance(value, dict) else value}")
    return 0
