"""On a screen, text is read window by window: two windows side by side are never read a line
of one, then a line of the other."""

from __future__ import annotations

from vocalens.core.describing.capture import reading_start
from vocalens.core.describing.layout import Box, ReadFirst, TextLine


def side_by_side() -> list[TextLine]:
    """Two windows meeting at x = 400; each line ends close to the other window's line."""
    lines = []
    for row in range(4):
        top = 100 + 30 * row
        lines.append(TextLine(f"mail {row}", Box(200, top, 396, top + 20), 1.0))
        lines.append(TextLine(f"shell {row}", Box(404, top, 600, top + 20), 1.0))
    return lines


def said(blocks) -> list[str]:
    return [word for b in blocks for word in b.text.split()]


def test_without_the_windows_the_rows_run_together() -> None:
    words = said(ReadFirst().arrange(side_by_side()))
    assert words[:4] == ["mail", "0", "shell", "0"]  # what a user heard: interleaved


def test_with_the_windows_each_is_read_whole() -> None:
    stacking = [(1, (0, 0, 400, 800)), (2, (400, 0, 400, 800))]  # bottom to top
    first = reading_start((700, 700), (0, 0), None, stacking)
    words = said(first.arrange(side_by_side()))
    assert words == [w for n in range(4) for w in ("mail", str(n))] + [
        w for n in range(4) for w in ("shell", str(n))
    ]


def test_the_active_window_comes_first_and_a_covered_line_belongs_to_the_top_one() -> None:
    from vocalens.core.describing.context import WindowInfo

    stacking = [(1, (0, 0, 400, 800)), (2, (400, 0, 400, 800)), (3, (250, 90, 100, 40))]
    active = WindowInfo("Shell", "xterm", 400, 0, 400, 800)
    first = reading_start((10, 790), (0, 0), active, stacking)
    words = said(first.arrange(side_by_side()))
    shell = [w for n in range(4) for w in ("shell", str(n))]
    mail = [w for n in (1, 2, 3) for w in ("mail", str(n))]
    assert words == shell + mail + ["mail", "0"]  # "mail 0" lies under the dialog on top
