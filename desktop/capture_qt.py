"""Images from Qt: the clipboard, dropped or pasted files, and QImage conversion."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QImage

from vocalens.core import CaptureError, find_images, tr


def to_pil(image: QImage) -> Image.Image:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    return Image.frombytes(
        "RGB", (rgb.width(), rgb.height()), bytes(rgb.constBits()), "raw", "RGB", rgb.bytesPerLine()
    )


def local_files(mime: QMimeData) -> list[Path]:
    """Local files named by a drop or a copy in a file manager (folders and non-files left out)."""
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


MAX_FOUND = 1000  # images from one drop or command: enough to listen to, and a search ends


def image_files(paths: list[Path]) -> list[Path]:
    """The files among ``paths`` that look like images, with folders expanded (sorted), at
    most ``MAX_FOUND``."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += find_images(path, MAX_FOUND - len(found))
        else:
            found.append(path)  # let the loader say what is wrong with a bad file
        if len(found) >= MAX_FOUND:
            return found[:MAX_FOUND]
    return found


def clipboard_content(mime: QMimeData | None) -> tuple[Image.Image | None, list[Path]]:
    """An image on the clipboard, or image files copied in a file manager. Raises
    ``CaptureError`` with a sentence when there is neither."""
    if mime is None:
        raise CaptureError(
            tr("The clipboard is empty."), tr("Copy an image first, then try again.")
        )
    files = local_files(mime) if mime.hasUrls() else []
    if files:
        return None, files
    if mime.hasImage():
        data = mime.imageData()
        if isinstance(data, QImage) and not data.isNull():
            return to_pil(data), []
    if mime.hasText() and mime.text().strip():
        raise CaptureError(
            tr("The clipboard holds text, not an image."),
            tr("Copy an image or an image file, then try again."),
        )
    raise CaptureError(
        tr("The clipboard holds no image."), tr("Copy an image first, then try again.")
    )
