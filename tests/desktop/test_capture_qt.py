from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage

from vocalens.core.describing.capture import CaptureError
from vocalens.desktop.capture_qt import clipboard_content, image_files, to_pil
from vocalens.desktop.windows.main_window import MainWindow


def qimage(colour: str, w: int = 30, h: int = 20) -> QImage:
    image = QImage(w, h, QImage.Format.Format_ARGB32)
    image.fill(QColor(colour))
    return image


def test_clipboard_image_becomes_a_pil_image(qtbot) -> None:
    mime = QMimeData()
    mime.setImageData(qimage("red", 31, 17))  # odd width: rows are padded in QImage
    image, files = clipboard_content(mime)
    assert files == [] and image is not None
    assert image.size == (31, 17) and image.getpixel((30, 16)) == (255, 0, 0)


def test_copied_files_are_used(tmp_path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "a.png"))])
    assert clipboard_content(mime) == (None, [tmp_path / "a.png"])


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda m: m.setText("just some words"), "holds text, not an image"),
        (lambda m: None, "holds no image"),
    ],
)
def test_clipboard_without_an_image_says_why(setup, message) -> None:
    mime = QMimeData()
    setup(mime)
    with pytest.raises(CaptureError, match=message):
        clipboard_content(mime)
    with pytest.raises(CaptureError, match="empty"):
        clipboard_content(None)


def test_folders_expand_to_their_images(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    for name in ("d/b.png", "d/a.jpg", "d/notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in image_files([tmp_path / "d", tmp_path / "x.bmp"])] == [
        "a.jpg",
        "b.png",
        "x.bmp",
    ]


def test_dropping_files_on_the_main_window(qtbot, tmp_path: Path) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    mime = QMimeData()
    paths = [tmp_path / "one.png", tmp_path / "two.jpg"]
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.dropped) as blocker:
        window.dropEvent(event)
    assert blocker.args == [paths]


def test_qimage_conversion_keeps_pixels() -> None:
    image = qimage("#00ff00", 3, 3)
    assert to_pil(image).getpixel((1, 1)) == (0, 255, 0)
