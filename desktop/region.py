"""Choosing a region of the screen, by keyboard or mouse, over a frozen screenshot."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QWidget

from vocalens.core import N_, tr

STEP, BIG_STEP = 10, 50


KEYS = N_(
    "Choose a region: arrow keys move the box, Shift with the arrow keys resizes it, "
    "Enter describes it, Escape cancels."
)


class RegionSelector(QWidget):
    """Arrows move the box, Shift+arrows resize it (Ctrl for big steps), Enter takes it,
    Escape cancels. Dragging with the mouse draws a new box."""

    selected = Signal(QRect)  # in device (physical) pixels of the screen
    cancelled = Signal()

    def __init__(self, screenshot: QPixmap) -> None:
        super().__init__(
            None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        )
        self.setAccessibleName(tr("Region selector"))
        self.setAccessibleDescription(
            tr(
                "Arrow keys move the box, Shift with arrows resizes it, Enter describes it, "
                "Escape cancels."
            )
        )
        self.setWindowTitle(tr("Select a region to describe"))
        self.shot = screenshot
        ratio = screenshot.devicePixelRatio() or 1.0
        w, h = int(screenshot.width() / ratio), int(screenshot.height() / ratio)
        self.box = QRect(w // 4, h // 4, w // 2, h // 2)
        self._drag_from: QPoint | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.resize(w, h)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        step = BIG_STEP if mods & Qt.KeyboardModifier.ControlModifier else STEP
        dx = {Qt.Key.Key_Left: -step, Qt.Key.Key_Right: step}.get(Qt.Key(key), 0)
        dy = {Qt.Key.Key_Up: -step, Qt.Key.Key_Down: step}.get(Qt.Key(key), 0)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._finish()
        elif key == Qt.Key.Key_Escape:
            self.close()
            self.cancelled.emit()
        elif dx or dy:
            if mods & Qt.KeyboardModifier.ShiftModifier:
                self.box.setWidth(max(1, self.box.width() + dx))
                self.box.setHeight(max(1, self.box.height() + dy))
            else:
                self.box.translate(dx, dy)
            self.box = self.box.intersected(self.rect())
            self.update()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag_from = event.position().toPoint()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self.box = QRect(self._drag_from, event.position().toPoint()).normalized()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_from = None
        if self.box.width() > 2 and self.box.height() > 2:
            self._finish()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawPixmap(self.rect(), self.shot)
        pen = painter.pen()
        pen.setWidth(3)
        pen.setColor(self.palette().highlight().color())
        painter.setPen(pen)
        painter.drawRect(self.box)
        hint = painter.fontMetrics().boundingRect(tr(KEYS)).adjusted(-12, -8, 12, 8)
        hint.moveTopLeft(self.rect().topLeft() + QPoint(16, 16))
        painter.fillRect(hint, self.palette().window())
        painter.setPen(self.palette().windowText().color())
        painter.drawText(hint, Qt.AlignmentFlag.AlignCenter, tr(KEYS))

    def _finish(self) -> None:
        ratio = self.shot.devicePixelRatio() or 1.0
        b = self.box
        physical = QRect(
            int(b.x() * ratio), int(b.y() * ratio), int(b.width() * ratio), int(b.height() * ratio)
        )
        self.close()
        self.selected.emit(physical)


def screen_pixmap() -> QPixmap:
    screen = (
        QGuiApplication.screenAt(QGuiApplication.primaryScreen().geometry().center())
        or QGuiApplication.primaryScreen()
    )
    return screen.grabWindow(0)
