"""A description as typed parts, in the order they become known and are said: the context
(where the image came from), the kind of image, the caption, the visible text block by block,
and notices (captions off, text unreadable, …). Status is data here; ``render`` alone turns it
into words, so the command line, speech, the result window and history say the same thing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from vocalens.core.describing.context import WindowInfo
from vocalens.core.describing.elements import Element

Source = Literal["screen", "window", "object", "region", "clipboard", "file"]  # object: focused
Kind = Literal["photo", "screen", "document", "chart", "icon", "blank"]  # see ``kinds``
NoticeCode = Literal[
    "captions_off",  # no caption model: reason, command
    "text_off",  # text reading is not installed
    "text_failed",  # OCR failed on this image: reason
    "cpu_fallback",  # the GPU ran out of memory; the CPU took over
    "curtain",  # a black screen while a screen reader runs: a curtain or protected content
    "model_preparing",  # the first load makes the fast CPU path (seconds, once)
    "model_loading",
    "model_ready",
    "languages_off",  # the packs for the user's languages are missing
]


@dataclass(frozen=True)
class Context:
    source: Source
    label: str = ""  # file path, window title, "clipboard"
    window: WindowInfo | None = None


@dataclass(frozen=True)
class KindPart:
    kind: Kind
    confidence: float = 1.0  # how sure the decision is, 0..1
    colour: str = ""  # blank images: the colour they are


@dataclass(frozen=True)
class CaptionPart:
    text: str
    confidence: float | None = None  # the decoder's mean token probability; None: not measured


@dataclass(frozen=True)
class TextPart:
    text: str  # one block of visible text; blocks come in reading order


@dataclass(frozen=True)
class Notice:
    code: NoticeCode
    reason: str = ""  # one sentence: why
    command: str = ""  # a command that fixes it, where there is one


Part = Context | KindPart | CaptionPart | TextPart | Notice


@dataclass
class Description:
    """Everything said about one image: its parts, plus facts for the log and history."""

    parts: list[Part]
    image_size: tuple[int, int] = (0, 0)
    model: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds
    # a screen's controls and text, in reading order, boxed in screen pixels (``elements``)
    elements: list[Element] = field(default_factory=list)
    origin: tuple[int, int] = (0, 0)  # where the image's top left was on the screen

    @classmethod
    def of(
        cls,
        source: Source,
        label: str = "",
        *,
        window: WindowInfo | None = None,
        caption: str | None = None,
        blocks: list[str] | tuple[str, ...] = (),
        kind: Kind = "photo",
        colour: str = "",
        notices: list[Notice] | tuple[Notice, ...] = (),
        model: str = "",
    ) -> Description:
        parts: list[Part] = [Context(source, label, window), KindPart(kind, colour=colour)]
        parts += notices
        if caption:
            parts.append(CaptionPart(caption))
        parts += [TextPart(b) for b in blocks]
        return cls(parts, model=model)

    @property
    def context(self) -> Context:
        return next(p for p in self.parts if isinstance(p, Context))

    @property
    def source(self) -> Source:
        return self.context.source

    @property
    def label(self) -> str:
        return self.context.label

    @property
    def window(self) -> WindowInfo | None:
        return self.context.window

    @property
    def kind(self) -> Kind:
        return self._kind.kind

    @property
    def kind_known(self) -> bool:
        """False while the description is still being made and its kind is not decided."""
        return any(isinstance(p, KindPart) for p in self.parts)

    @property
    def colour(self) -> str:
        return self._kind.colour

    @property
    def _kind(self) -> KindPart:
        return next((p for p in self.parts if isinstance(p, KindPart)), KindPart("photo"))

    @property
    def kind_confidence(self) -> float:
        return self._kind.confidence

    @property
    def caption_confidence(self) -> float | None:
        return next((p.confidence for p in self.parts if isinstance(p, CaptionPart)), None)

    @property
    def caption(self) -> str | None:
        return next((p.text for p in self.parts if isinstance(p, CaptionPart)), None)

    @property
    def blocks(self) -> list[str]:
        return [p.text for p in self.parts if isinstance(p, TextPart)]

    @property
    def notices(self) -> list[Notice]:
        return [p for p in self.parts if isinstance(p, Notice)]

    @property
    def text(self) -> str:
        return "\n".join(self.blocks)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``vocalens describe --json``)."""
        return {
            "source": self.source,
            "label": self.label,
            "window": asdict(self.window) if self.window else None,
            "kind": self.kind,
            "kind_confidence": round(self.kind_confidence, 3),
            "colour": self.colour,
            "caption": self.caption,
            "caption_confidence": _rounded(self.caption_confidence),
            "blocks": self.blocks,
            "notices": [asdict(n) for n in self.notices],
            "image_size": list(self.image_size),
            "model": self.model,
            "timings": self.timings,
            "elements": [e.to_dict() for e in self.elements],
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
