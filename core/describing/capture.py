"""Screen capture with mss (X11, Windows, macOS). Wayland needs the desktop portal instead."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from PIL import Image, ImageDraw

from vocalens.core.describing.context import WindowInfo
from vocalens.core.describing.layout import Box, ReadFirst
from vocalens.core.errors import VocaLensError
from vocalens.core.words import tr


class CaptureError(VocaLensError):
    """The screen could not be captured."""


def wayland_session() -> bool:
    return (
        sys.platform.startswith("linux")
        and (
            os.environ.get("XDG_SESSION_TYPE") == "wayland"
            or bool(os.environ.get("WAYLAND_DISPLAY"))
        )
        and not os.environ.get("DISPLAY")
    )


Rect = tuple[int, int, int, int]  # left, top, width, height in physical screen pixels


def grab(
    left: int, top: int, width: int, height: int, leave_out: Sequence[Rect] = ()
) -> Image.Image:
    """Pixels of a screen rectangle (physical pixels) as RGB. ``leave_out``: screen rectangles
    (VocaLens's own windows) painted over in one flat colour, so they are never described."""
    if width <= 0 or height <= 0:
        raise CaptureError(
            tr("The area to capture is empty."), tr("Select an area at least one pixel wide.")
        )
    if wayland_session():
        raise CaptureError(
            tr("This Wayland desktop does not let applications read the screen directly."),
            tr("Use an X11 session, or take a screenshot with the desktop's tool and open it."),
        )
    try:
        with _mss() as sct:
            shot = sct.grab({"left": left, "top": top, "width": width, "height": height})
    except CaptureError:
        raise
    except Exception as exc:  # mss raises its own ScreenShotError and OS errors
        raise CaptureError(
            tr("The screen could not be captured ({exc}).").format(exc=exc),
            tr("Check that a display is available and screen recording is allowed."),
        ) from None
    image = Image.frombytes("RGB", shot.size, shot.bgra, "raw", "BGRX")
    return _painted_over(image, left, top, leave_out)


def _painted_over(image: Image.Image, left: int, top: int, rects: Sequence[Rect]) -> Image.Image:
    """``rects`` (screen coordinates) painted over in the image's average colour."""
    inside = [
        (x - left, y - top, x - left + w, y - top + h)
        for x, y, w, h in rects
        if x < left + image.width and y < top + image.height and x + w > left and y + h > top
    ]
    if inside:
        fill = image.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
        draw = ImageDraw.Draw(image)
        for box in inside:
            draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=fill)
    return image


def visible_parts(ours: Mapping[int, Rect], stacking: Sequence[tuple[int, Rect]]) -> list[Rect]:
    """The parts of our windows (id → rectangle, frame included) that show: ``stacking`` lists
    the screen's windows bottom to top, and a window above ours hides what it covers."""
    shown: list[Rect] = []
    for window, rect in stacking:
        if window in ours:
            shown.append(ours[window])
        else:
            shown = [part for s in shown for part in _minus(s, rect)]
    return shown


def _minus(a: Rect, b: Rect) -> list[Rect]:
    """``a`` without ``b``: up to four rectangles."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    x0, y0, x1, y1 = max(ax, bx), max(ay, by), min(ax + aw, bx + bw), min(ay + ah, by + bh)
    if x0 >= x1 or y0 >= y1:
        return [a]
    parts = [
        (ax, ay, aw, y0 - ay),  # above
        (ax, y1, aw, ay + ah - y1),  # below
        (ax, y0, x0 - ax, y1 - y0),  # left
        (x1, y0, ax + aw - x1, y1 - y0),  # right
    ]
    return [p for p in parts if p[2] > 0 and p[3] > 0]


def _mss() -> Any:
    try:
        import mss
    except ImportError:
        raise CaptureError(
            tr("Screen capture is not installed."),
            tr("Install it with: pip install 'vocalens[desktop]'."),
        ) from None
    return mss.MSS() if hasattr(mss, "MSS") else mss.mss()


def monitors() -> list[dict[str, int]]:
    """mss's monitor list: [all screens together, screen 1, screen 2, ...]."""
    with _mss() as sct:
        return [dict(m) for m in sct.monitors]


def screen_rect(point: tuple[int, int] | None = None, all_screens: bool = False) -> Rect:
    """Where the monitor under ``point`` (the mouse) lies, or the first monitor, or all
    monitors together: the rectangle a screen capture takes."""
    try:
        screens = monitors()
    except CaptureError:
        raise
    except Exception as exc:
        raise CaptureError(
            tr("No screen to capture ({exc}).").format(exc=exc),
            tr("VocaLens needs a graphical session to describe the screen."),
        ) from None
    chosen = screens[0] if all_screens or len(screens) == 1 else screens[1]
    if point is not None and not all_screens:
        for m in screens[1:]:
            if (
                m["left"] <= point[0] < m["left"] + m["width"]
                and m["top"] <= point[1] < m["top"] + m["height"]
            ):
                chosen = m
                break
    return chosen["left"], chosen["top"], chosen["width"], chosen["height"]


def grab_screen(
    point: tuple[int, int] | None = None, all_screens: bool = False, leave_out: Sequence[Rect] = ()
) -> Image.Image:
    """The monitor under ``point`` (the mouse), the first monitor, or all monitors, without
    the rectangles ``leave_out``."""
    return grab(*screen_rect(point, all_screens), leave_out)


def reading_start(
    pointer: tuple[int, int],
    origin: tuple[int, int],
    window: WindowInfo | None = None,
    windows: Sequence[tuple[int, Rect]] = (),
) -> ReadFirst:
    """Where reading a capture whose top left is ``origin`` (screen pixels) starts: the block
    under the mouse ``pointer``, then the active ``window``'s text (on a screen capture); the
    rest window by window (``windows``: the screen's, bottom to top, as ``window_stacking``
    gives them), so that two windows side by side are never read line by line together."""
    left, top = origin
    area = None
    if window is not None and window.width > 0 and window.height > 0:
        x, y = window.left - left, window.top - top
        area = Box(x, y, x + window.width, y + window.height)
    boxes = tuple(
        Box(x - left, y - top, x - left + w, y - top + h) for _, (x, y, w, h) in reversed(windows)
    )
    return ReadFirst((pointer[0] - left, pointer[1] - top), area, boxes)


def grab_window(window: WindowInfo, leave_out: Sequence[Rect] = ()) -> Image.Image:
    """The part of ``window`` that is on the screens (a window dragged partly off them is
    clipped, not an error of the display server)."""
    return grab(*shown_part(window), leave_out)


def shown_part(window: WindowInfo) -> Rect:
    """The rectangle of ``window`` that is on the screens: what ``grab_window`` takes."""
    if window.width <= 0 or window.height <= 0:
        raise CaptureError(
            tr("The active window's position is unknown here."),
            tr("Describe the whole screen instead."),
        )
    shown = clipped((window.left, window.top, window.width, window.height), screen_rect(None, True))
    if shown is None:
        raise CaptureError(
            tr("The active window is off the screen."),
            tr("Move it onto the screen, then try again."),
        )
    return shown


def clipped(rect: Rect, bounds: Rect) -> Rect | None:
    """The part of ``rect`` inside ``bounds`` (None when they do not meet)."""
    left, top = max(rect[0], bounds[0]), max(rect[1], bounds[1])
    right = min(rect[0] + rect[2], bounds[0] + bounds[2])
    bottom = min(rect[1] + rect[3], bounds[1] + bounds[3])
    if right <= left or bottom <= top:
        return None
    return left, top, right - left, bottom - top
