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

from vocalens.core.offline import keep_to_this_machine

keep_to_this_machine()  # before anything of ours imports onnxruntime

_EXPORTS = {
    "write_atomic": "files",
    "write_text_atomic": "files",
    "NotAFile": "files",
    "read_json": "files",
    "Caption": "model.text",
    "Captioner": "model.captioner",
    "CaptureError": "describing.capture",
    "grab_screen": "describing.capture",
    "visible_parts": "describing.capture",
    "grab_window": "describing.capture",
    "screen_rect": "describing.capture",
    "reading_start": "describing.capture",
    "Box": "describing.layout",
    "ReadFirst": "describing.layout",
    "save_captioner": "model.checkpoint",
    "import_clipcap": "catalog.clipcap_import",
    "CaptionerConfig": "model.config",
    "DecodingConfig": "model.config",
    "EncoderConfig": "model.config",
    "ProjectorConfig": "model.config",
    "WindowInfo": "describing.context",
    "active_window": "describing.context",
    "window_stacking": "describing.context",
    "screen_reader_running": "describing.context",
    "Describer": "describing.describe",
    "captions_off": "describing.describe",
    "Opened": "describing.describe",
    "open_describer": "describing.describe",
    "DownloadCancelled": "catalog.download",
    "Fetched": "catalog.download",
    "convert_model": "catalog.download",
    "download_model": "catalog.download",
    "fetch_model": "catalog.download",
    "is_installed": "catalog.download",
    "ConfigError": "errors",
    "ImageError": "errors",
    "ModelError": "errors",
    "ModelNotInstalledError": "errors",
    "VocaLensError": "errors",
    "IMAGE_SUFFIXES": "images",
    "READABLE_SUFFIXES": "images",
    "find_images": "images",
    "load_image": "images",
    "load_captioner": "catalog.loading",
    "resolve_model": "catalog.loading",
    "CaptionPart": "describing.parts",
    "Context": "describing.parts",
    "Description": "describing.parts",
    "Kind": "describing.parts",
    "KindPart": "describing.parts",
    "Notice": "describing.parts",
    "NoticeCode": "describing.parts",
    "Part": "describing.parts",
    "Source": "describing.parts",
    "TextPart": "describing.parts",
    "map_large_blocks_apart": "inference.memory",
    "release_freed_memory": "inference.memory",
    "PRECISIONS": "inference.precision",
    "Precision": "inference.precision",
    "quiet_libraries": "quiet",
    "cache_dir": "paths",
    "config_dir": "paths",
    "data_dir": "paths",
    "DEFAULT_MODEL": "catalog.registry",
    "REGISTRY": "catalog.registry",
    "Verbosity": "describing.render",
    "full_text": "describing.render",
    "kind_line": "describing.render",
    "notice_text": "describing.render",
    "phrases": "describing.render",
    "spoken": "describing.render",
    "unsaid": "describing.render",
    "element_line": "describing.render",
    "found_line": "describing.render",
    "pressing_line": "describing.render",
    "source_name": "describing.render",
    "Element": "describing.elements",
    "CONTROL_ROLES": "describing.elements",
    "matching": "describing.elements",
    "x_display": "describing.context",
    "LANGUAGES": "words",
    "use_language": "words",
    "tr": "words",
    "trn": "words",
    "N_": "words",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'vocalens.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from vocalens.core.catalog.clipcap_import import import_clipcap
    from vocalens.core.catalog.download import (
        DownloadCancelled,
        Fetched,
        convert_model,
        download_model,
        fetch_model,
        is_installed,
    )
    from vocalens.core.catalog.loading import load_captioner, resolve_model
    from vocalens.core.catalog.registry import DEFAULT_MODEL, REGISTRY
    from vocalens.core.describing.capture import (
        CaptureError,
        grab_screen,
        grab_window,
        reading_start,
        screen_rect,
        visible_parts,
    )
    from vocalens.core.describing.context import (
        WindowInfo,
        active_window,
        screen_reader_running,
        window_stacking,
        x_display,
    )
    from vocalens.core.describing.describe import Describer, Opened, captions_off, open_describer
    from vocalens.core.describing.elements import CONTROL_ROLES, Element, matching
    from vocalens.core.describing.layout import Box, ReadFirst
    from vocalens.core.describing.parts import (
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
    from vocalens.core.describing.render import (
        Verbosity,
        element_line,
        found_line,
        full_text,
        kind_line,
        notice_text,
        phrases,
        source_name,
        spoken,
        unsaid,
    )
    from vocalens.core.errors import (
        ConfigError,
        ImageError,
        ModelError,
        ModelNotInstalledError,
        VocaLensError,
    )
    from vocalens.core.files import NotAFile, read_json, write_atomic, write_text_atomic
    from vocalens.core.images import (
        IMAGE_SUFFIXES,
        READABLE_SUFFIXES,
        find_images,
        load_image,
    )
    from vocalens.core.inference.memory import map_large_blocks_apart, release_freed_memory
    from vocalens.core.inference.precision import PRECISIONS, Precision
    from vocalens.core.model.captioner import Captioner
    from vocalens.core.model.checkpoint import save_captioner
    from vocalens.core.model.config import (
        CaptionerConfig,
        DecodingConfig,
        EncoderConfig,
        ProjectorConfig,
    )
    from vocalens.core.model.text import Caption
    from vocalens.core.paths import cache_dir, config_dir, data_dir
    from vocalens.core.quiet import quiet_libraries
    from vocalens.core.words import LANGUAGES, N_, tr, trn, use_language
