"""One description of an image: caption, visible text and context, made in parallel."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from PIL import Image, ImageStat

from .context import WindowInfo

if TYPE_CHECKING:
    from .captioner import Captioner
    from .ocr import TextReader

Source = Literal["screen", "window", "region", "clipboard", "file"]
Kind = Literal["blank", "text", "picture", "mixed"]
TEXT_HEAVY_WORDS = 25  # this many words of text: a screen of text, not a picture
TEXT_HEAVY_COVER = 0.12  # or text boxes cover this share of the image


@dataclass
class Description:
    source: Source
    label: str = ""  # file path, window title, "clipboard"
    caption: str | None = None
    blocks: list[str] = field(default_factory=list)  # visible text, in reading order
    window: WindowInfo | None = None
    image_size: tuple[int, int] = (0, 0)
    kind: Kind = "picture"
    colour: str = ""  # blank images: the colour they are
    model: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.blocks)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Describer:
    """Runs the captioner and the text reader on one image, overlapping the two."""

    def __init__(
        self,
        captioner: Captioner | None,
        reader: TextReader | None,
        missing_caption_reason: str = "",
        parallel: bool | None = None,
        **decoding: Any,
    ) -> None:
        """``parallel``: run OCR beside the captioner. Both use every core, so on machines with
        few cores (under 4) they only slow each other down; ``None`` decides by core count."""
        self.captioner, self.reader = captioner, reader
        self.parallel = (os.cpu_count() or 1) >= 4 if parallel is None else parallel
        self.missing_caption_reason = missing_caption_reason
        self.decoding = decoding
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vocalens-ocr")

    def describe(
        self,
        image: Image.Image,
        source: Source = "file",
        label: str = "",
        window: WindowInfo | None = None,
    ) -> Description:
        start = time.perf_counter()
        desc = Description(source, label, window=window, image_size=image.size)
        if self.captioner is not None:
            desc.model = self.captioner.config.name
        colour = blank_colour(image)
        if colour is not None:
            desc.kind, desc.colour = "blank", colour
            desc.timings["total_ms"] = _ms(start)
            return desc
        pending = None
        if self.reader is not None and self.parallel:
            pending = self._pool.submit(self._read, image)
        if self.captioner is not None:
            t = time.perf_counter()
            desc.caption = self.captioner.caption([image], **self.decoding)[0].text or None
            desc.timings["caption_ms"] = _ms(t)
        elif self.missing_caption_reason:
            desc.warnings.append(self.missing_caption_reason)
        cover = 0.0
        if self.reader is not None:
            try:
                result = pending.result() if pending is not None else self._read(image)
                desc.blocks, cover, desc.timings["ocr_ms"] = result
            except Exception as exc:  # OCR trouble must not cost the caption
                desc.warnings.append(f"The text could not be read ({exc}).")
        words = sum(len(b.split()) for b in desc.blocks)
        if words >= TEXT_HEAVY_WORDS or cover >= TEXT_HEAVY_COVER:
            desc.kind = "text"
        elif words:
            desc.kind = "mixed"
        desc.timings["total_ms"] = _ms(start)
        return desc

    def _read(self, image: Image.Image) -> tuple[list[str], float, float]:
        assert self.reader is not None
        t = time.perf_counter()
        blocks = self.reader.read(image)
        area = sum((ln.box.right - ln.box.left) * ln.box.height for b in blocks for ln in b.lines)
        cover = area / max(image.width * image.height, 1)
        return [b.text for b in blocks], cover, _ms(t)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1e3, 1)


COLOURS = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "grey": (128, 128, 128),
    "light grey": (200, 200, 200),
    "dark grey": (60, 60, 60),
    "red": (200, 30, 30),
    "green": (40, 160, 60),
    "blue": (40, 70, 200),
    "yellow": (235, 215, 50),
    "orange": (240, 140, 30),
    "purple": (130, 50, 160),
    "pink": (240, 150, 190),
    "brown": (120, 75, 40),
    "teal": (0, 128, 128),
    "navy": (20, 30, 90),
}


def blank_colour(image: Image.Image, tolerance: float = 4.0) -> str | None:
    """The colour's name when the image is one flat colour (a blank or curtained screen)."""
    small = image.convert("RGB").resize((64, 64), Image.Resampling.BOX)
    stat = ImageStat.Stat(small)
    if max(stat.stddev) > tolerance:
        return None
    mean = stat.mean
    return min(
        COLOURS, key=lambda n: sum((a - b) ** 2 for a, b in zip(COLOURS[n], mean, strict=True))
    )
