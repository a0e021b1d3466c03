"""VocaLens core: describe images on the user's own machine.

The public API, used by the command line and the desktop application (and nothing below it)::

    from vocalens.core import load_captioner, load_image
    captioner = load_captioner("clipcap-coco")      # or a model folder
    print(captioner.caption([load_image("photo.jpg")])[0].text)

    from vocalens.core import open_describer, spoken
    opened = open_describer("clipcap-coco")         # captions off? ``opened.notices`` says why
    print(spoken(opened.describer.describe(load_image("screen.png"), source="screen")))

Names are imported on first use, so ``import vocalens.core`` does not load torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "write_atomic": "atomic",
    "write_text_atomic": "atomic",
    "Caption": "text",
    "Captioner": "captioner",
    "CaptureError": "capture",
    "grab_screen": "capture",
    "visible_parts": "capture",
    "grab_window": "capture",
    "save_captioner": "checkpoint",
    "import_clipcap": "clipcap_import",
    "CaptionerConfig": "config",
    "DecodingConfig": "config",
    "EncoderConfig": "config",
    "ProjectorConfig": "config",
    "WindowInfo": "context",
    "active_window": "context",
    "window_stacking": "context",
    "screen_reader_running": "context",
    "Describer": "describe",
    "captions_off": "describe",
    "Opened": "describe",
    "open_describer": "describe",
    "DownloadCancelled": "download",
    "Fetched": "download",
    "convert_model": "download",
    "download_model": "download",
    "fetch_model": "download",
    "is_installed": "download",
    "ConfigError": "errors",
    "ImageError": "errors",
    "ModelError": "errors",
    "ModelNotInstalledError": "errors",
    "VocaLensError": "errors",
    "IMAGE_SUFFIXES": "images",
    "find_images": "images",
    "load_image": "images",
    "load_captioner": "loading",
    "resolve_model": "loading",
    "CaptionPart": "parts",
    "Context": "parts",
    "Description": "parts",
    "Kind": "parts",
    "KindPart": "parts",
    "Notice": "parts",
    "NoticeCode": "parts",
    "Part": "parts",
    "Source": "parts",
    "TextPart": "parts",
    "PRECISIONS": "precision",
    "Precision": "precision",
    "quiet_libraries": "quiet",
    "DEFAULT_MODEL": "registry",
    "REGISTRY": "registry",
    "Verbosity": "render",
    "full_text": "render",
    "kind_line": "render",
    "notice_text": "render",
    "phrases": "render",
    "spoken": "render",
    "unsaid": "render",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'vocalens.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .atomic import write_atomic, write_text_atomic
    from .captioner import Captioner
    from .capture import CaptureError, grab_screen, grab_window, visible_parts
    from .checkpoint import save_captioner
    from .clipcap_import import import_clipcap
    from .config import CaptionerConfig, DecodingConfig, EncoderConfig, ProjectorConfig
    from .context import WindowInfo, active_window, screen_reader_running, window_stacking
    from .describe import Describer, Opened, captions_off, open_describer
    from .download import (
        DownloadCancelled,
        Fetched,
        convert_model,
        download_model,
        fetch_model,
        is_installed,
    )
    from .errors import ConfigError, ImageError, ModelError, ModelNotInstalledError, VocaLensError
    from .images import IMAGE_SUFFIXES, find_images, load_image
    from .loading import load_captioner, resolve_model
    from .parts import (
        CaptionPart,
        Context,
        Description,
        Kind,
        KindPart,
        Notice,
        NoticeCode,
        Part,
        Source,
        TextPart,
    )
    from .precision import PRECISIONS, Precision
    from .quiet import quiet_libraries
    from .registry import DEFAULT_MODEL, REGISTRY
    from .render import Verbosity, full_text, kind_line, notice_text, phrases, spoken, unsaid
    from .text import Caption
