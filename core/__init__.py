"""VocaLens core: describe images on the user's own machine.

The public API, used by the command line and the desktop application::

    from vocalens.core import load_captioner, load_image
    captioner = load_captioner("clipcap-coco")      # or a model folder
    print(captioner.caption([load_image("photo.jpg")])[0].text)

Names are imported on first use, so ``import vocalens.core`` does not load torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Caption": "captioner",
    "Captioner": "captioner",
    "save_captioner": "checkpoint",
    "import_clipcap": "clipcap_import",
    "CaptionerConfig": "config",
    "DecodingConfig": "config",
    "EncoderConfig": "config",
    "ProjectorConfig": "config",
    "download_model": "download",
    "is_installed": "download",
    "ConfigError": "errors",
    "ImageError": "errors",
    "ModelError": "errors",
    "ModelNotInstalledError": "errors",
    "VocaLensError": "errors",
    "find_images": "images",
    "load_image": "images",
    "load_captioner": "loading",
    "resolve_model": "loading",
    "DEFAULT_MODEL": "registry",
    "REGISTRY": "registry",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'vocalens.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .captioner import Caption, Captioner
    from .checkpoint import save_captioner
    from .clipcap_import import import_clipcap
    from .config import CaptionerConfig, DecodingConfig, EncoderConfig, ProjectorConfig
    from .download import download_model, is_installed
    from .errors import ConfigError, ImageError, ModelError, ModelNotInstalledError, VocaLensError
    from .images import find_images, load_image
    from .loading import load_captioner, resolve_model
    from .registry import DEFAULT_MODEL, REGISTRY
