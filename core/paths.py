"""Where VocaLens keeps downloads, converted models and data (platformdirs, overridable)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_path, user_data_path

APP = "vocalens"


def cache_dir() -> Path:
    """Raw downloads (Hugging Face cache layout). ``VOCALENS_CACHE_DIR`` overrides."""
    return Path(os.environ.get("VOCALENS_CACHE_DIR") or user_cache_path(APP, appauthor=False))


def models_dir() -> Path:
    """Converted models, one folder each. ``VOCALENS_MODELS_DIR`` overrides."""
    override = os.environ.get("VOCALENS_MODELS_DIR")
    return Path(override) if override else user_data_path(APP, appauthor=False) / "models"


def hub_cache() -> Path:
    return cache_dir() / "hub"
