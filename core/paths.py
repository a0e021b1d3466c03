"""Where VocaLens keeps its files: platformdirs' folders for this user, each overridable by
one environment variable, ``VOCALENS_<WHAT>_DIR``: CACHE (downloads), MODELS (model folders),
DATA (the history), CONFIG (the settings)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_cache_path, user_config_path, user_data_path

from vocalens.core.hashes import sha256

APP = "vocalens"


def _user_dir(what: str, default: Path) -> Path:
    override = os.environ.get(f"VOCALENS_{what}_DIR")
    return Path(override) if override else default


def cache_dir() -> Path:
    """Raw downloads (Hugging Face cache layout). ``VOCALENS_CACHE_DIR`` overrides."""
    return _user_dir("CACHE", user_cache_path(APP, appauthor=False))


def models_dir() -> Path:
    """Converted models, one folder each. ``VOCALENS_MODELS_DIR`` overrides."""
    return _user_dir("MODELS", user_data_path(APP, appauthor=False) / "models")


def data_dir() -> Path:
    """The history. ``VOCALENS_DATA_DIR`` overrides."""
    return _user_dir("DATA", user_data_path(APP, appauthor=False))


def config_dir() -> Path:
    """The settings. ``VOCALENS_CONFIG_DIR`` overrides."""
    return _user_dir("CONFIG", user_config_path(APP, appauthor=False))


def hub_cache() -> Path:
    return cache_dir() / "hub"


def bundled_models_dir() -> Path | None:
    """Models shipped inside a packaged app for offline installs (read-only), if any."""
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) / "models" if base else None


def derived_dir(model_folder: Path) -> Path:
    """Where files made from a model (its int8 weights, its precision choice) are kept:
    beside it, unless it lies inside the packaged app or cannot be written; then in the
    cache, one folder per model folder."""
    folder = model_folder.resolve()
    bundled = bundled_models_dir()
    inside = bundled is not None and folder.is_relative_to(bundled.resolve())
    if not inside and os.access(folder, os.W_OK):
        return model_folder
    digest = sha256(str(folder).encode()).hexdigest()[:16]
    return cache_dir() / "derived" / f"{folder.name}-{digest}"


def fingerprint(folder: Path, files: list[str], extra: str = "") -> str:
    """Changes whenever a weight file in ``folder`` (or ``extra``) changes."""
    parts = [extra]
    for name in files:
        stat = (folder / name).stat()
        parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return sha256("|".join(parts).encode()).hexdigest()
