"""Describing one image: caption, visible text and context, as typed parts (``parts``)."""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from vocalens.core.describing.context import WindowInfo
from vocalens.core.describing.elements import find_elements
from vocalens.core.describing.kinds import blank_colour, decide, measure
from vocalens.core.describing.parts import (
    CaptionPart,
    Context,
    Description,
    KindPart,
    Notice,
    Source,
    TextPart,
)
from vocalens.core.errors import ModelNotInstalledError, VocaLensError, first_line
from vocalens.core.images import pixel_hash
from vocalens.core.inference.memory import release_freed_memory

if TYPE_CHECKING:
    from vocalens.core.describing.layout import ReadFirst, TextBlock
    from vocalens.core.describing.ocr import TextReader
    from vocalens.core.describing.zero_shot import ZeroShot
    from vocalens.core.inference.ort.convert import Progress
    from vocalens.core.inference.runtime import CaptionModel
    from vocalens.core.model.text import Caption

CAPTURED = ("screen", "window", "region", "object")  # captures: their controls are found
CAPTIONED = ("photo", "icon")  # kinds whose caption is said at normal verbosity
ASK_CLIP_BELOW = 0.75  # the signals' confidence under which CLIP's vote is asked, when there
CLIP_WINS_AT = 0.6  # the probability CLIP must give a kind to change the signals' decision
REMEMBERED = 4  # captions kept for images seen a moment ago


class Describer:
    """Runs the captioner and the text reader on one image, overlapping the two."""

    def __init__(
        self,
        captioner: CaptionModel | None,
        reader: TextReader | None,
        parallel: bool | None = None,
        zero_shot: ZeroShot | None = None,
        **decoding: Any,
    ) -> None:
        """``parallel``: run OCR beside the captioner. Both use every core, so on machines with
        few cores (under 4) they only slow each other down; ``None`` decides by core count.
        ``decoding``: the caption search every request starts from."""
        self.captioner, self.reader, self.zero_shot = captioner, reader, zero_shot
        self.parallel = (os.cpu_count() or 1) >= 4 if parallel is None else parallel
        self.decoding = decoding
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vocalens-caption")
        self._captions: OrderedDict[tuple[bytes, tuple[tuple[str, str], ...]], Caption] = (
            OrderedDict()
        )

    def describe(
        self,
        image: Image.Image,
        source: Source = "file",
        label: str = "",
        window: WindowInfo | None = None,
        on_update: Callable[[Description], None] | None = None,
        caption_text: bool = True,
        screen_reader: bool = False,
        first: ReadFirst | None = None,
        origin: tuple[int, int] = (0, 0),
        **decoding: Any,
    ) -> Description:
        """``decoding`` overrides the caption search for this request only. ``on_update``
        hears the description as it grows (a copy each time): first its context, then each
        piece of visible text as it is read, then the caption and the kind. ``caption_text``:
        caption images full of text too (only full verbosity says such captions).
        ``screen_reader``: one is running, so a wholly black screen is a curtain, not blank.
        ``first``: where reading starts (the block under the mouse, the active window).
        ``origin``: where the image's top left is on the screen (a capture's controls are
        boxed in screen pixels, so that they can be clicked)."""
        start = time.perf_counter()
        desc = Description([Context(source, label, window)], image_size=image.size, origin=origin)

        def tell() -> None:
            if on_update is not None:
                on_update(replace(desc, parts=list(desc.parts), timings=dict(desc.timings)))

        tell()  # the window's name is known at once
        if self.captioner is not None:
            desc.model = self.captioner.config.name
        colour = blank_colour(image)
        if colour is not None:
            if colour == "black" and screen_reader and source in CAPTURED:
                desc.parts.append(Notice("curtain"))  # what hides the screen, not "blank"
            desc.parts.append(KindPart("blank", colour=colour))
            desc.timings["total_ms"] = _ms(start)
            return desc
        options = {**self.decoding, **{k: v for k, v in decoding.items() if v is not None}}
        pending = None
        if self.captioner is not None and self.parallel:
            pending = self._pool.submit(self._caption, image, options)
        blocks: list[TextBlock] = []
        notices: list[Notice] = []
        if self.reader is not None:
            t = time.perf_counter()
            pieces = self.reader.stream(image, first)
            while True:
                try:
                    block = next(pieces)
                except StopIteration:
                    break
                except Exception as exc:  # OCR trouble must not cost the caption
                    notices.append(Notice("text_failed", reason=str(exc)))
                    break
                blocks.append(block)
                desc.parts.append(TextPart(block.text))
                tell()  # may raise to stop here (a newer request waits): that goes to the caller
            desc.timings["ocr_ms"] = _ms(t)
        t = time.perf_counter()
        kind, sure = decide(measure(image, blocks), source)
        desc.timings["kind_ms"] = _ms(t)
        if self.reader is not None and (source in CAPTURED or kind == "screen"):
            t = time.perf_counter()
            lines = [line for block in blocks for line in block.lines]
            desc.elements = [e.moved(*origin) for e in find_elements(image, lines)]
            desc.timings["elements_ms"] = _ms(t)
        made: Caption | None = None
        if self.captioner is not None and (caption_text or kind in CAPTIONED or pending):
            t = time.perf_counter()
            made = pending.result() if pending is not None else self._caption(image, options)
            desc.timings["caption_ms"] = _ms(t)
        if self.zero_shot is not None and self.captioner is not None and sure < ASK_CLIP_BELOW:
            seen = made.embedding if made is not None else None  # CLIP's, made with the caption
            votes = self.zero_shot.vote(
                seen if seen is not None else self.captioner.image_embedding(image)
            )
            best = max(votes, key=votes.__getitem__, default=None)
            if best is not None and votes[best] >= CLIP_WINS_AT:
                kind, sure = best, votes[best]
        wanted = made is not None and made.text and (caption_text or kind in CAPTIONED)
        caption = CaptionPart(made.text, made.confidence) if wanted and made else None
        texts = [p for p in desc.parts if isinstance(p, TextPart)]  # in the order they are said
        desc.parts = [
            desc.parts[0],
            *notices,
            KindPart(kind, sure),
            *filter(None, [caption]),
            *texts,
        ]
        release_freed_memory()  # the working memory of reading and captioning (tens of MB)
        desc.timings["total_ms"] = _ms(start)
        return desc

    def _caption(self, image: Image.Image, options: dict[str, Any]) -> Caption:
        """The caption, remembered for the last few images (the same window described again
        is answered at once)."""
        assert self.captioner is not None
        if options.get("strategy") == "sample" and options.get("seed") is None:
            return self.captioner.caption([image], **options)[0]  # a fresh draw each time
        key = (pixel_hash(image), tuple(sorted((k, repr(v)) for k, v in options.items())))
        if key not in self._captions:
            self._captions[key] = self.captioner.caption([image], **options)[0]
            while len(self._captions) > REMEMBERED:
                self._captions.popitem(last=False)
        self._captions.move_to_end(key)
        return self._captions[key]

    def forget(self) -> None:
        """Drop the captions and text remembered of earlier images."""
        self._captions.clear()
        if self.reader is not None:
            self.reader.forget()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def captions_off(exc: Exception) -> Notice:
    """Why captions are off, as a notice, for whatever stopped the model from loading."""
    if isinstance(exc, ModelNotInstalledError):
        return Notice("captions_off", reason=exc.message, command=exc.command)
    if isinstance(exc, VocaLensError):
        return Notice("captions_off", reason=str(exc))
    reason = f"The model's files could not be read ({first_line(exc, 160)})."
    return Notice("captions_off", reason=f"{reason} Download or convert it again.")


@dataclass
class Opened:
    """A describer, and what the user should be told about it once (captions off, …)."""

    describer: Describer
    notices: list[Notice] = field(default_factory=list)


def open_describer(
    model: str | Path | None,
    *,
    text: bool = True,
    device: str = "auto",
    dtype: str = "auto",
    precision: str = "auto",
    runtime: str = "auto",
    scripts: str = "auto",
    languages: str = "auto",
    progress: Callable[[Notice], None] | None = None,
    converting: Progress | None = None,
    **decoding: Any,
) -> Opened:
    """Open the caption model (``None``: none) and the text reader. A model that cannot be
    used turns captions off, said once as a notice; text and context go on working.
    ``scripts``: the writing systems text is read in (see ``TextReader``); ``languages``: the
    languages in other scripts read as well (see ``ocr_languages.chosen_languages``).
    ``progress`` hears what happens (preparing, ready); ``converting`` how far a first
    conversion is."""
    from vocalens.core.catalog.loading import load_captioner, resolve_model
    from vocalens.core.describing.ocr import TextReader
    from vocalens.core.describing.ocr_languages import open_reader
    from vocalens.core.inference.runtime import needs_preparing

    tell = progress or (lambda notice: None)
    notices: list[Notice] = []
    captioner = None
    if model is not None:
        try:
            folder = resolve_model(model)
            first = needs_preparing(folder, device, precision, runtime)
            tell(Notice("model_preparing" if first else "model_loading"))
            captioner = load_captioner(folder, device, dtype, precision, runtime, converting)
            tell(Notice("model_ready", reason=runs_on(captioner)))
        except Exception as exc:  # a damaged weight file, and the like: text goes on working
            notices.append(captions_off(exc))
    zero_shot = None
    if captioner is not None:
        from vocalens.core.describing.zero_shot import ZeroShot

        zero_shot = ZeroShot.load(folder)
    reader = None
    if text:
        if TextReader.available():
            extra, problem = open_reader(languages)
            if problem:
                notices.append(Notice("languages_off", reason=problem))
            reader = TextReader(scripts=scripts, languages=extra)
        else:
            notices.append(Notice("text_off"))
    return Opened(Describer(captioner, reader, zero_shot=zero_shot, **decoding), notices)


GPUS = {"CUDAExecutionProvider": "CUDA", "DmlExecutionProvider": "DirectML",
        "CoreMLExecutionProvider": "Core ML", "cuda": "CUDA", "mps": "Metal"}  # fmt: skip


def runs_on(captioner: object) -> str:
    """The graphics card's interface the captioner runs on ("CUDA", "DirectML"), or "" for
    the processor."""
    device = str(getattr(captioner, "device", "cpu"))
    return GPUS.get(device.split(":")[0], "")


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1e3, 1)
