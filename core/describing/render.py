"""Words for descriptions and notices, in one place: what is spoken, shown in the result
window, announced, printed and kept in history. Screens lead with context and text; photos
lead with the caption. Verbosity caps how much text is spoken first."""

from __future__ import annotations

import re
from typing import Literal

from vocalens.core.describing.elements import Element
from vocalens.core.describing.parts import Description, Kind, Notice
from vocalens.core.words import N_, number, tr, trc

Verbosity = Literal["brief", "normal", "full"]
Surface = Literal["app", "cli"]  # where a fix is offered: a menu entry, or a command
WORD_CAP = {"brief": 12, "normal": 60, "full": 10**9}
# The decoder's mean token probability above which a caption is said plainly, and below
# which it is left out; between the two it is hedged ("It may show …").
CONFIDENT, UNSURE = 0.5, 0.2
KIND_NAMES: dict[Kind, str] = {  # translated where used (tr)
    "photo": N_("photo"),
    "screen": N_("screen"),
    "document": N_("document"),
    "chart": N_("chart or diagram"),
    "icon": N_("icon or logo"),
    "blank": N_("blank image"),
}
TEXT_LEAD: dict[Kind, str] = {
    "photo": N_("Text in the image: {text}"),
    "screen": N_("Text: {text}"),
    "document": N_("Document: {text}"),
    "chart": N_("Chart: {text}"),
    "icon": N_("Text in the icon: {text}"),
    "blank": N_("Text: {text}"),
}
PLACES = (  # the ninths of a window or screen, row by row
    (N_("top left"), N_("top"), N_("top right")),
    (N_("left"), N_("middle"), N_("right")),
    (N_("bottom left"), N_("bottom"), N_("bottom right")),
)
SOURCE_NAMES = {  # what was described, as a window's heading or a history entry names it
    "file": N_("File"),
    "clipboard": N_("Clipboard image"),
    "screen": N_("Screen"),
    "window": N_("Window"),
    "object": N_("Focused object"),
    "region": N_("Region"),
}
BARE_NUMBER = re.compile(r"^[\d.,:%$€£+\-/ ]+$")  # an axis tick, not a label


def notice_text(notice: Notice, surface: Surface = "app") -> str:
    """One sentence (and the way forward) for a notice."""
    code, reason, command = notice.code, notice.reason, notice.command
    if code == "captions_off":
        fix = ""
        if command and surface == "app":  # no command is read aloud
            fix = tr("Choose Download caption model in the VocaLens menu or window.")
        elif command:
            fix = tr(
                "Run `{command}` once while online, or give a model folder with --model DIR."
            ).format(command=command)
        return tr("Captions are off: {reason} {fix}").format(reason=reason, fix=fix).strip()
    if code == "text_off":
        text = tr("Text reading is not installed, so visible text is not read.")
        if surface == "cli":
            text += " " + tr("Install it with: {command}.").format(
                command="pip install 'vocalens[ocr]'"
            )
        return text
    if code == "languages_off":
        return reason
    if code == "text_failed":
        return tr("The text could not be read ({reason}).").format(reason=reason)
    if code == "curtain":
        return tr(
            "VocaLens cannot see the screen (a screen curtain or protected content is on). "
            "Turn the curtain off to have the screen described."
        )
    if code == "cpu_fallback":
        return tr("The GPU ran out of memory; VocaLens now uses the CPU.")
    if code == "model_preparing":
        return tr("Preparing the caption model for this computer. This takes a few seconds, once.")
    if code == "model_loading":
        return tr("Loading the caption model…")
    if reason:  # where it runs: the GPU's interface, or the processor
        return tr("The caption model is ready; it runs on the graphics card ({gpu}).").format(
            gpu=reason
        )
    return tr("The caption model is ready; it runs on the processor.")


def full_text(desc: Description) -> str:
    """Everything: the full spoken form, what kind of image it is and how sure VocaLens is,
    then all the visible text (result window, history)."""
    text = spoken(desc, "full") + "\n\n" + kind_line(desc)
    return text + "\n\n" + tr("All text:") + "\n" + desc.text if desc.text else text


def element_line(element: Element) -> str:
    """One control or piece of text as it is listed: "Button: Save", "Text field, empty:
    Name", "Checkbox, checked: Remember me"."""
    name, role = element.name, element.role
    if role == "button":
        return tr("Button: {name}").format(name=name) if name else tr("Button with no name")
    if role == "text field":
        if not element.value:
            return (
                tr("Text field, empty: {name}").format(name=name)
                if name
                else tr("Text field, empty")
            )
        line = tr("Text field: {name}, {value}") if name else tr("Text field: {value}")
        return line.format(name=name, value=element.value)
    if role == "checkbox":
        line = (
            tr("Checkbox, checked: {name}")
            if element.checked
            else tr("Checkbox, not checked: {name}")
        )
        return line.format(name=name)
    if role == "radio button":
        line = (
            tr("Radio button, selected: {name}")
            if element.checked
            else tr("Radio button, not selected: {name}")
        )
        return line.format(name=name)
    return name


def where(element: Element, desc: Description) -> str:
    """The element and where it is: "Button: Save, bottom right of Report.docx"."""
    x, y = element.centre
    window = desc.window
    if (
        window is not None
        and window.known
        and 0 <= x - window.left < window.width
        and 0 <= y - window.top < window.height
    ):
        place = _ninth(x - window.left, y - window.top, window.width, window.height)
        return tr("{element}, {place} of {window}").format(
            element=element_line(element), place=place, window=window.title
        )
    left, top = desc.origin
    width, height = desc.image_size
    place = _ninth(x - left, y - top, max(width, 1), max(height, 1))
    return tr("{element}, {place} of the screen").format(element=element_line(element), place=place)


def _ninth(x: float, y: float, width: float, height: float) -> str:
    column = min(2, max(0, int(3 * x / width)))
    row = min(2, max(0, int(3 * y / height)))
    return tr(PLACES[row][column])


def pressing_line(element: Element, how: str) -> str:
    """What is said before the mouse clicks an element (``how``: left, right) or only moves
    onto it (move)."""
    line = {
        "left": tr("Clicking {element}."),
        "right": tr("Right-clicking {element}."),
        "move": tr("The mouse is on {element}."),
    }[how]
    return line.format(element=element_line(element))


def found_line(words: str, found: list[Element], desc: Description, click: bool) -> str:
    """What a search for ``words`` on the screen says: where the one match is (or that it is
    being clicked), that nothing matches, or the names of several equally good matches."""
    if not found:
        return tr("Nothing on the screen matches “{words}”. Describe the screen to hear what "
                  "is there.").format(words=words)  # fmt: skip
    if len(found) > 1:
        names = "; ".join(element_line(e) for e in found[:5])
        return tr("Several match “{words}”: {names}. Say more of the name.").format(
            words=words, names=names
        )
    if click:
        return tr("Clicking {element}.").format(element=where(found[0], desc))
    return _sentence(where(found[0], desc))


def kind_line(desc: Description) -> str:
    """What kind of image, and how sure: "Kind: chart or diagram (sure). Caption: unsure"."""
    line = tr("Kind: {kind} ({sureness}).").format(
        kind=tr(KIND_NAMES[desc.kind]), sureness=_sureness(desc.kind_confidence)
    )
    if desc.caption and desc.caption_confidence is not None:
        # a translation says the caption is in English ("Bildbeschreibung (englisch): …")
        line += " " + tr("Caption: {sureness} ({confidence}).").format(
            sureness=_sureness(desc.caption_confidence),
            confidence=number(desc.caption_confidence),
        )
    return line


def _sureness(confidence: float) -> str:
    if confidence >= 0.8:
        return tr("sure")
    return tr("fairly sure") if confidence >= 0.6 else tr("unsure")


def spoken(desc: Description, verbosity: Verbosity = "normal") -> str:
    return " ".join(phrases(desc, verbosity))


def phrases(desc: Description, verbosity: Verbosity = "normal", final: bool = True) -> list[str]:
    """What is said, phrase by phrase (one per visible-text block). ``final=False``: a
    description still being made — only what cannot change any more, so that speaking it
    at once and the rest as it comes says what ``spoken`` says of the whole. A picture's
    words wait for its kind; a screen's are said from its window's name on.

    What is said follows the kind: a photo leads with its caption (plain when the decoder
    was sure, hedged when it was not, left out when it was guessing); an icon is named as
    one; a document is its text; a chart is called a chart and its title and labels are
    read (not its bare axis numbers); a screen is its window and its text, with a hedged
    caption at full verbosity only."""
    parts: list[str] = [notice_text(n) for n in desc.notices]
    screenish = desc.source in ("screen", "window", "region", "object")
    streams = desc.source in ("screen", "window")  # its text is said as it is read
    kind_known = desc.kind_known
    if desc.source == "object":
        parts.append(_sentence(desc.label))  # its role and name, at once
    elif screenish and desc.window is not None and desc.window.known:
        parts.append(_window_line(desc))
    if not final and not streams and not kind_known:
        return parts if screenish else []
    kind = desc.kind if kind_known else "screen"
    if kind == "blank":
        if not any(n.code == "curtain" for n in desc.notices):
            blank = tr("The screen is blank: plain {colour}.") if screenish else None
            blank = blank or tr("The image is blank: plain {colour}.")
            parts.append(blank.format(colour=tr(desc.colour or "")))
        return parts
    caption = _caption_line(desc, kind, verbosity) if kind_known else ""
    opening = _opening(kind, caption, desc.caption is not None) if kind_known else ""
    if opening and not streams:
        parts.append(opening)
    blocks = desc.blocks
    if kind == "chart" and not streams:
        blocks = [b for b in map(_without_numbers, blocks) if b]
    sentences, cut = _capped(blocks, WORD_CAP[verbosity])
    if sentences:
        lead = TEXT_LEAD["screen" if streams else kind]
        parts += [tr(lead).format(text=sentences[0]), *sentences[1:]]
        if cut:
            parts.append(tr("More text follows."))
    elif final and screenish and verbosity != "brief" and kind in ("screen", "document"):
        parts.append(tr("No text found."))
    if opening and streams:
        parts.append(opening)
    elif kind not in ("photo", "icon") and caption:
        parts.append(caption)
    if final and not parts:
        parts.append(tr("Nothing could be described."))
    return parts


def _opening(kind: Kind, caption: str, captioned: bool) -> str:
    """What is said first of a picture: the caption of a photo, the kind of the others.
    ``captioned``: a caption was made (and may have been left out as a guess)."""
    if kind == "photo":
        guessed = tr("A photo; VocaLens cannot tell what it shows.")
        return caption or (guessed if captioned else tr("A photo."))
    if kind == "icon":
        if caption:
            return tr("An icon or logo; {caption}").format(caption=caption[0].lower() + caption[1:])
        return tr("An icon or logo.")
    if kind == "chart":
        return tr("A chart or diagram.")
    return ""


def unsaid(now: list[str], said: list[str]) -> list[str]:
    """The phrases of ``now`` not yet in ``said`` (what was said of the description so far),
    in order."""
    if now[: len(said)] == said:
        return now[len(said) :]
    return [p for p in now if p not in said]


def _window_line(desc: Description) -> str:
    w = desc.window
    assert w is not None
    if w.app and w.title and w.app.lower() not in w.title.lower():
        return f"{w.app} — {_sentence(w.title)}"
    return _sentence(w.title or w.app)


def _caption_line(desc: Description, kind: Kind, verbosity: Verbosity) -> str:
    """The caption as said for this kind and confidence; "" when it is better left out."""
    if not desc.caption:
        return ""
    sure = desc.caption_confidence
    if kind not in ("photo", "icon") and verbosity != "full":
        return ""  # captions of screens, pages and charts are confidently wrong: leave them out
    if sure is not None and sure < UNSURE and verbosity != "full":
        return ""
    caption = _sentence(desc.caption[:1].upper() + desc.caption[1:])
    if kind == "photo" and (sure is None or sure >= CONFIDENT):  # a translation adds "in English"
        return trc("a caption said plainly", "{caption}").format(caption=caption)
    return tr("It may show: {caption}").format(caption=caption)


def _without_numbers(block: str) -> str:
    """A chart's block without the rows that are bare numbers (axis ticks)."""
    return "\n".join(
        r for r in block.splitlines() if r.strip() and not BARE_NUMBER.match(r.strip())
    )


def _capped(blocks: list[str], cap: int) -> tuple[list[str], bool]:
    """Each block as spoken, up to ``cap`` words in all; True when some were left out."""
    words = 0
    spoken_blocks: list[str] = []
    for block in map(_flow, blocks):
        block_words = block.split()
        if words + len(block_words) > cap:
            room = cap - words
            if room > 0:
                spoken_blocks.append(_sentence(" ".join(block_words[:room])))
            return spoken_blocks, True
        words += len(block_words)
        spoken_blocks.append(_sentence(block))
    return spoken_blocks, False


def _flow(block: str) -> str:
    """A block's rows as speech: a row that ends without punctuation before a row that starts
    a new line of thought (capital or digit) gets a full stop; wrapped lines just continue."""
    rows = [r.strip() for r in block.splitlines() if r.strip()]
    out = []
    for row, following in zip(rows, [*rows[1:], ""], strict=True):
        starts_anew = following[:1].isupper() or following[:1].isdigit()
        out.append(_sentence(row) if starts_anew else row)
    return " ".join(out)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?:;…。？！؟؛۔।" else text + "."


def source_name(source: str) -> str:
    """What was described (``screen``, ``clipboard``…), named in the user's language."""
    return tr(SOURCE_NAMES[source]) if source in SOURCE_NAMES else source
