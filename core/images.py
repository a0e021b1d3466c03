"""Reading images a user hands us, whatever state they are in, into plain RGB."""

from __future__ import annotations

import io
import math
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from vocalens.core.errors import ImageError
from vocalens.core.files import NotAFile, open_regular
from vocalens.core.hashes import blake2b
from vocalens.core.words import tr

MAX_PIXELS = 89_000_000  # JPEG photos (decoded small, below); Pillow's own bomb limit
MAX_DECODED_PIXELS = 34_000_000  # other formats decode whole (4 bytes a pixel); 8K screens fit
MAX_SIDE = 32_768  # pixels along either side: a page scrolled through many screens fits
MIN_SIDE = 4  # a thinner strip holds no letter and no picture
MAX_BYTES = 200 << 20  # 200 MB: larger files are not read at all
WORK_SIDE = 2048  # larger images are reduced to about this: what OCR reads, more than CLIP needs
# A long, thin image (a status bar, a scrolled page) keeps its short side's detail, so its text
# stays readable, up to this many pixels (60 MB in RGB); OCR and the captioner read it in parts.
WORK_PIXELS = 20_000_000
THIN = 4
ORIENTATION = 0x0112  # the EXIF tag that says how a photo was turned
REDUCIBLE = ("L", "LA", "RGB", "RGBA", "RGBX", "RGBa", "La")  # what Image.reduce takes
WIDE_MODES = ("I;16", "I;16B", "I;16L", "I", "F")  # more than 8 bits a channel
# What users really hand us. Anything else Pillow knows (PostScript through Ghostscript, game
# textures, scientific formats…) is refused.
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "DIB", "TIFF", "WEBP", "PPM", "ICO", "TGA", "AVIF")
JPEG = b"\xff\xd8\xff"
SCAN = b"\xff\xda"
MAX_SCANS = 100  # a progressive JPEG has about ten; an embedded thumbnail a few more
SIGNATURES = (b"\x89PNG", JPEG, b"GIF8", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")
IMAGE_SUFFIXES = frozenset(
    [
        ".png",
        ".jpg",
        ".jpeg",
        ".jpe",
        ".jfif",
        ".gif",
        ".bmp",
        ".dib",
        ".tif",
        ".tiff",
        ".webp",
        ".ppm",
        ".pgm",
        ".pbm",
        ".pnm",
        ".ico",
        ".tga",
        ".avif",
        ".heic",
        ".heif",
        ".jp2",
    ]
)


# Found in folders so that they are named when they cannot be read, never offered to open.
UNREADABLE_SUFFIXES = frozenset([".heic", ".heif", ".jp2"])
READABLE_SUFFIXES = IMAGE_SUFFIXES - UNREADABLE_SUFFIXES


def load_image(source: str | Path | bytes, name: str | None = None) -> Image.Image:
    """Open a file or bytes as an RGB image: EXIF rotation applied, alpha flattened on white,
    first frame of an animation, 16-bit and CMYK converted. Raises ``ImageError`` with one
    sentence naming the input and the reason."""
    label = name or (str(source) if not isinstance(source, bytes) else "<bytes>")
    data, head = _read(source, label)  # bytes, or the file (read as it decodes, not held whole)
    opened = io.BytesIO(data) if isinstance(data, bytes) else data
    with opened:
        if not head:
            raise ImageError(tr("{label}: the file is empty.").format(label=label))
        return _open(opened, head, label)


def _open(opened: BinaryIO, head: bytes, label: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.init()  # every plugin registered, so that ``formats`` can name them
            with Image.open(opened, formats=FORMATS) as image:
                return _decode(image, label)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(
            tr("{label}: the image is too large to open safely.").format(label=label)
        ) from None
    except UnidentifiedImageError:
        if head.startswith(SIGNATURES):
            raise ImageError(
                tr("{label}: the image is truncated or corrupt.").format(label=label)
            ) from None
        raise ImageError(
            tr("{label}: not an image, or a format VocaLens cannot read.").format(label=label)
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(
            tr("{label}: the image is truncated or corrupt ({exc}).").format(label=label, exc=exc)
        ) from None
    except Exception as exc:  # a hostile file can break a decoder in any way: refuse it
        raise ImageError(
            tr("{label}: the image could not be read ({kind}).").format(
                label=label, kind=type(exc).__name__
            )
        ) from None


def _decode(image: Image.Image, label: str) -> Image.Image:
    """The first frame, no larger than ``WORK_SIDE`` (enough for OCR and the captioner), in
    RGB, upright. Memory stays near one decoded frame: JPEGs decode small, others are reduced
    before any conversion copies them."""
    _check_size(image, label)
    image.seek(0)
    k = 1 / work_reduction(image.size)
    if image.format == "JPEG" and k < 1:
        image.draft("RGB", (math.ceil(image.width * k), math.ceil(image.height * k)))
    image.load()
    wanted = work_reduction(image.size)  # a JPEG's draft stays at or above it: not halved again
    factor = math.floor(wanted) if image.format == "JPEG" else math.ceil(wanted)
    if factor > 1:
        image = _reduce(image, factor)
    if image.getexif().get(ORIENTATION, 1) != 1:  # a copy only where it turns
        image = ImageOps.exif_transpose(image)
    return to_rgb(image)


def work_reduction(size: tuple[int, int]) -> float:
    """How many times smaller an image of ``size`` is worked on (1.0: as it is): the longest
    side brought to ``WORK_SIDE``; for a long, thin image the shortest side instead, within
    ``WORK_PIXELS``, so that a strip's text keeps its size."""
    short, long = sorted(size)
    if not long_and_thin(size):
        return max(1.0, long / WORK_SIDE)
    return max(1.0, short / WORK_SIDE, math.sqrt(short * long / WORK_PIXELS))


def long_and_thin(size: tuple[int, int]) -> bool:
    """Whether an image is a strip or a long page (over ``THIN`` times longer than wide),
    read in parts rather than scaled whole."""
    return max(size) > THIN * min(size)


SCALED_PIXELS = 4_000_000  # a shortest-side resize beyond this is cut to its centre first


def centre_square(image: Image.Image, size: int = 224) -> Image.Image:
    """What CLIP's preprocessing (the shortest side scaled to ``size``, the centre cropped)
    keeps of a long, thin image, cut out before scaling where scaling it whole would make
    over ``SCALED_PIXELS``: an 8000×20 strip is not first blown up to 89600×224. Other images
    are returned as they are (and preprocessed exactly as open_clip does)."""
    short, long = sorted(image.size)
    if size * size * long <= SCALED_PIXELS * short:
        return image
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    return image.crop((left, top, left + side, top + side))


def _reduce(image: Image.Image, factor: int) -> Image.Image:
    """``factor`` times smaller with no full-size copy on the way: box-averaged band by band
    (Pillow would premultiply a whole RGBA copy first), 16-bit and float kept as every
    ``factor``-th pixel."""
    if image.mode in WIDE_MODES:
        size = (max(1, image.width // factor), max(1, image.height // factor))
        return image.resize(size, Image.Resampling.NEAREST)
    if image.mode not in REDUCIBLE:  # palette, 1-bit, CMYK…: colours first (one copy)
        image = to_rgb(image)
    if "A" in image.getbands():
        bands = [image.getchannel(i).reduce(factor) for i in range(len(image.getbands()))]
        return Image.merge(image.mode, bands)
    return image.reduce(factor)


def _check_size(image: Image.Image, label: str) -> None:
    """Refuse, before anything is decoded, sizes that would exhaust memory."""
    width, height = image.size
    if min(width, height) < 1 or (min(width, height) < MIN_SIDE and long_and_thin(image.size)):
        raise ImageError(
            tr("{label}: the image is too thin to show anything ({width}×{height} pixels).").format(
                label=label, width=width, height=height
            )
        )
    limit = MAX_PIXELS if image.format == "JPEG" else MAX_DECODED_PIXELS
    if width * height > limit or max(width, height) > MAX_SIDE:
        raise ImageError(
            tr("{label}: the image is too large ({width}×{height} pixels).").format(
                label=label, width=width, height=height
            ),
            tr("Scale it down below {megapixels} megapixels and {side} pixels a side.").format(
                megapixels=limit // 1_000_000, side=MAX_SIDE
            ),
        )


def _read(source: str | Path | bytes, label: str) -> tuple[bytes | BinaryIO, bytes]:
    """The source to decode (a file is opened, read as it decodes, not held whole: the caller
    closes it), and its first bytes. Only a regular file is opened: a named pipe would wait
    for ever, a device never end."""
    if isinstance(source, bytes):
        return source, source[:16]
    try:
        opened = open_regular(Path(source), MAX_BYTES)
    except NotAFile as exc:
        why = exc.reason.replace("is a folder, not a file", "is a folder, not an image")
        if why.startswith("is over"):
            why = "the file is too large (over 200 MB) to be an image"
        raise ImageError(tr("{label}: {why}.").format(label=label, why=why)) from None
    try:
        head = opened.read(16)
        if head.startswith(JPEG):
            _check_scans(opened, label)
        opened.seek(0)
    except BaseException:
        opened.close()
        raise
    return opened, head


def _check_scans(opened: BinaryIO, label: str) -> None:
    """Refuse a JPEG of more scans than any encoder writes: each scan of a progressive JPEG
    is decoded over the whole image again, so thousands of them hold a decoder for minutes.
    A scan begins with the bytes FF DA, which the coded data never holds (an FF there is
    followed by 00 or a restart marker)."""
    opened.seek(0)
    scans, tail = 0, b""
    while chunk := opened.read(1 << 20):
        scans += (tail + chunk).count(SCAN)
        tail = chunk[-1:]
        if scans > MAX_SCANS:
            raise ImageError(
                tr(
                    "{label}: the image is built to take minutes to decode ({scans}+ scans)."
                ).format(label=label, scans=scans),
                tr("Save it again from an image editor."),
            )


def to_rgb(image: Image.Image) -> Image.Image:
    """Any PIL mode to 8-bit RGB; transparency is composited on white."""
    if image.mode in WIDE_MODES:
        array = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or array.max() > 255 else 255.0
        image = Image.fromarray(np.clip(array / top * 255.0, 0, 255).astype(np.uint8), "L")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image


def find_images(path: Path, most: int | None = None) -> list[Path]:
    """Image files under a folder, recursively, sorted; with ``most``, the search stops once
    that many are found (a drop of a whole disk ends)."""
    found: list[Path] = []
    for child in path.rglob("*"):
        if child.suffix.lower() in IMAGE_SUFFIXES and child.is_file():
            found.append(child)
            if most is not None and len(found) >= most:
                break
    return sorted(found)


def pixel_hash(image: Image.Image) -> bytes:
    """A digest of the pixels: the same image (an unchanged window) gives the same digest."""
    digest = blake2b(digest_size=16)
    for top in range(0, image.height, 256):  # in bands: a long page is not copied whole
        digest.update(image.crop((0, top, image.width, min(top + 256, image.height))).tobytes())
    digest.update(f"{image.mode}{image.size}".encode())
    return digest.digest()
