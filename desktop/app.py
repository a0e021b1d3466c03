"""The application controller: actions in, descriptions out (spoken, shown, kept)."""

from __future__ import annotations

import functools
import gc
import logging
import os
import time
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QObject,
    QRect,
    Qt,
    QTimer,
    QTranslator,
    Signal,
)
from PySide6.QtGui import QAction, QCursor, QGuiApplication, QIcon
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QSystemTrayIcon

from vocalens.core import (
    READABLE_SUFFIXES,
    REGISTRY,
    CaptureError,
    Description,
    Notice,
    VocaLensError,
    WindowInfo,
    active_window,
    convert_model,
    full_text,
    grab_screen,
    grab_window,
    kind_line,
    load_image,
    notice_text,
    phrases,
    reading_start,
    release_freed_memory,
    screen_reader_running,
    screen_rect,
    source_name,
    spoken,
    tr,
    trn,
    unsaid,
    use_language,
    window_stacking,
)

from .capture_qt import clipboard_content, image_files, to_pil
from .focus import focused_object
from .history import History
from .hotkeys import ACTIONS, Hotkeys
from .out_of_sight import out_of_sight
from .region import KEYS as REGION_KEYS
from .region import RegionSelector, screen_pixmap
from .screen_controls import ScreenControls
from .settings import Settings
from .speech.base import Speaker, WaitingSpeaker
from .speech.choose import make_speaker
from .speech.queue import SpeechQueue
from .speech.screen_reader import DirectReader, announce, running_reader
from .windows.download import DownloadDialog
from .windows.history_view import HistoryWindow
from .windows.main_window import BUTTONS, MainWindow
from .windows.result import ResultWindow
from .windows.settings_view import SettingsDialog
from .worker import Engine, Job, Worker

log = logging.getLogger(__name__)
SAID_IN_A_ROW = 3  # problems of a queue said one by one; more in a row are counted, said once
SPEECH_STARTS = 3  # failures of one speech engine within a minute before it is given up
# these reload the models
MODEL_SETTINGS = {"model", "device", "precision", "text_scripts", "text_languages"}


def speak_in(language: str, folder: Path | None = None) -> str:
    """Describe in ``language`` (auto: the system's, as Qt knows it on every platform; from
    the catalogues in ``folder``, default VocaLens's own), and let Qt's own words (OK, Cancel, a
    shortcut box's hint) and the direction of the windows (right to left for Arabic or Hebrew)
    follow it. Windows made after this show it; those already made keep theirs until VocaLens
    starts again."""
    chosen = use_language(QLocale.system().name() if language == "auto" else language, folder)
    app = QCoreApplication.instance()
    if isinstance(app, QGuiApplication):
        rtl = QLocale(chosen).textDirection() == Qt.LayoutDirection.RightToLeft
        app.setLayoutDirection(
            Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
        )
    if app is not None:
        if _QT_WORDS:
            app.removeTranslator(_QT_WORDS.pop())
        words = QTranslator(app)
        qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if chosen != "en" and words.load(f"qtbase_{chosen}", qt_folder):
            app.installTranslator(words)
            _QT_WORDS.append(words)
    return chosen


_QT_WORDS: list[QTranslator] = []  # the one installed


SPEECH_SETTINGS = {"speech_engine", "rate", "volume", "voice"}


def _settle() -> None:
    """Hand back what a description left: its objects in reference cycles, then the freed
    memory (some 20 ms, when the app has nothing else to do)."""
    gc.collect()
    release_freed_memory()


def heading_of(desc: Description) -> str:
    """What a description's window is headed with: what was described ("Screen", the
    window's title, "Region 400×300 at 120, 80", the file's name)."""
    if desc.source == "file":
        return Path(desc.label).name
    if desc.source in ("clipboard", "screen"):
        return source_name(desc.source)
    return desc.label or source_name(desc.source)


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 32, 48, 64, 128, 256):
        icon.addFile(str(files("vocalens.resources") / "icons" / f"vocalens-{size}.png"))
    return icon


class Controller(QObject):
    described = Signal(object)  # Description, after it was spoken, shown and stored
    quit_requested = Signal()
    speech: SpeechQueue  # what is said, in order; ``speaker`` is the engine it speaks with

    def __init__(
        self,
        settings: Settings,
        history: History,
        engine: Engine | None = None,
        speaker: Speaker | None = None,
        use_tray: bool | None = None,
    ) -> None:
        super().__init__()
        from .engine import DescribeEngine

        self.settings, self.history = settings, history
        history.on_notice = self.say_once  # the file failing later is said too
        self.worker = Worker(engine or DescribeEngine(), settings.values)
        self.worker.finished.connect(self._on_finished)
        self.worker.progressed.connect(self._on_progress)
        self.worker.failed.connect(self._on_failed)
        self.worker.status.connect(self._on_status)
        self.worker.task_done.connect(self._on_task_done)
        self.worker.task_failed.connect(lambda name, message: self._tell_error(message))
        self._download_dialog: DownloadDialog | None = None
        self._speech_note = ""
        self._speech_failures: dict[str, list[float]] = {}  # engine -> times it failed
        self._broken_speech: set[str] = set()
        self.speaker = speaker or self._make_speaker()
        self.result_window = ResultWindow()
        self.result_window.full_button.clicked.connect(
            lambda: self.say(
                self.result_window.full_text,
                self.result_window.heading.text(),
                self.result_window.full_text,
            )
        )
        self.main_window = MainWindow()
        self.main_window.setWindowIcon(app_icon())
        self.main_window.action.connect(self.run_action)
        self.main_window.dropped.connect(self.describe_files)
        self.hotkeys = Hotkeys()
        self.hotkeys.triggered.connect(self.run_action)
        self.settings.changed.connect(self._on_setting)
        self.tray: QSystemTrayIcon | None = None
        self.use_tray = QSystemTrayIcon.isSystemTrayAvailable() if use_tray is None else use_tray
        self.current_id = 0
        self._said: list[str] = []  # the phrases of the current description said so far
        self._route = (True, False)  # (own voice, screen reader) for the current description
        self.find_reader: Callable[[], DirectReader | None] = running_reader
        self._direct: DirectReader | None = None  # NVDA or JAWS, reached directly
        self._first_words = False
        self.result_window.announcer = self._announce
        self.stopped = True  # False: quit while the worker was still busy (a model loading)
        self.last_spoken = ""
        self.last_description: Description | None = None
        self._file_queue: list[Path] = []  # files still to describe, in order
        self._failed_in_row = 0  # files of the queue that failed one after another
        self._unsaid: dict[str, int] = {}  # problems past SAID_IN_A_ROW: reason → count
        self._batch = 0  # how many files the queue began with (0: not describing files)
        self._in_batch = 0  # which of them is being described (1-based)
        self._after = False  # the next description follows what is being said: cuts nothing
        self._said_once: set[str] = set()
        self._windows: list[Any] = []
        self.controls = ScreenControls(
            self._look_quietly, self.say, self.result_window.list, lambda: self.current_id
        )
        self.result_window.pressed.connect(self.controls.press)

    @property
    def speaker(self) -> Speaker:
        return self.speech.speaker

    @speaker.setter
    def speaker(self, speaker: Speaker) -> None:
        if "speech" in self.__dict__:
            self.speech.use(speaker)
        else:
            self.speech = SpeechQueue(speaker)
            self.speech.silent.connect(_settle)  # what saying it used goes back

    # ----- life cycle -------------------------------------------------------------------

    def start(self) -> None:
        self.worker.start()
        if self.settings["load_at_start"]:
            self.worker.preload()
        else:
            self.worker.check_model()  # a missing model is said at start, not at first use
        for problem in [*self.settings.problems, self.history.notice, self._speech_note]:
            if problem:
                self.say_once(problem)
        if self.use_tray:
            self.tray = QSystemTrayIcon(app_icon())
            self.tray.setToolTip("VocaLens")
            self.tray.setContextMenu(self._menu())
            self.tray.activated.connect(self._on_tray_activated)
            self.tray.show()
        else:
            self.main_window.show()
            self.say_once(tr("This desktop has no system tray, so VocaLens lives in this window."))
        self._start_hotkeys()
        self._prune()
        self._prune_timer = QTimer(self)  # an app that runs for weeks forgets on time too
        self._prune_timer.timeout.connect(self._prune)
        self._prune_timer.start(3_600_000)

    def _prune(self) -> None:
        self.history.prune(self.settings["history_days"])

    def shutdown(self) -> None:
        self.hotkeys.stop()
        self.speaker.shutdown()
        self.stopped = self.worker.stop()
        if self.tray is not None:
            self.tray.hide()
        self.history.close()

    # ----- actions -------------------------------------------------------------------------

    def run_action(self, name: str, target: Any = None) -> None:
        actions = self.actions()
        if name == "files":
            self.describe_files([Path(p) for p in target or []])
        elif name in ("find", "click") and isinstance(target, str):
            self._cancel_files()
            self.controls.find(target, click=name == "click")
        elif name in actions:
            actions[name]()

    def actions(self) -> dict[str, Any]:
        """Every action a menu entry, button, hotkey or remote command can name."""
        return {
            "screen": self.describe_screen,
            "window": self.describe_window,
            "object": self.describe_object,
            "region": self.describe_region,
            "clipboard": self.describe_clipboard,
            "open": self.open_files,
            "repeat": self.repeat_last,
            "stop": self.stop_speaking,
            "history": self.show_history,
            "settings": self.show_settings,
            "show": self.show_main_window,
            "quit": self.quit_requested.emit,
            "download": self.download_model,
            "find": self.find_on_screen,
        }

    def describe_screen(self) -> None:
        self._screen_request()

    def find_on_screen(self) -> None:
        """Ask for words, then say where they are on the screen."""
        words, ok = QInputDialog.getText(
            None, tr("Find on screen"), tr("Words on the control or text to find:")
        )
        if ok and words.strip():
            self.run_action("find", words)

    def _look_quietly(self) -> int:
        """Read the screen for its controls without saying it; the request's id (-1 where
        the screen could not be captured, which was said)."""
        before = self.current_id
        self._screen_request()
        return self.current_id if self.current_id != before else -1

    def _screen_request(self) -> None:
        self._cancel_files()
        with out_of_sight():  # the pixels beneath VocaLens's windows, not its windows
            window = active_window(os.getpid())  # the user's, never VocaLens's own
            point = self._pointer()
            all_screens = self.settings["capture_screen"] == "all"
            try:
                left, top, _, _ = screen_rect(point, all_screens)
            except VocaLensError as exc:
                self._tell_error(str(exc))
                return
            windows = window_stacking() or []  # read window by window, the active one first
            first = reading_start(point, (left, top), window, windows)
            grab = functools.partial(grab_screen, point, all_screens)
            self._capture_then_submit("screen", grab, window, first=first, origin=(left, top))

    def describe_window(self) -> None:
        self._cancel_files()
        with out_of_sight():
            window = active_window(os.getpid())
            first = reading_start(self._pointer(), (window.left, window.top))
            grab = functools.partial(grab_window, window)
            origin = (max(window.left, 0), max(window.top, 0))  # its part on the screens
            self._capture_then_submit("window", grab, window, first=first, origin=origin)

    @staticmethod
    def _pointer() -> tuple[int, int]:
        """The mouse pointer in physical screen pixels."""
        pos = QCursor.pos()
        screen = QGuiApplication.screenAt(pos)
        ratio = screen.devicePixelRatio() if screen is not None else 1.0
        return int(pos.x() * ratio), int(pos.y() * ratio)

    def describe_object(self) -> None:
        """Just the control the keyboard is on: its role and name first, then the picture."""
        self._cancel_files()
        try:
            found = focused_object(active_window(os.getpid()).pid or None)
        except VocaLensError as exc:
            self._tell_error(str(exc))
            return
        window = WindowInfo(
            found.name, found.role, found.left, found.top, found.width, found.height
        )
        with out_of_sight():
            grab = functools.partial(grab_window, window)
            self._capture_then_submit("object", grab, window, found.label)

    def describe_region(self) -> None:
        self._cancel_files()
        with out_of_sight():
            shot = screen_pixmap()
        selector = RegionSelector(shot)
        self._windows.append(selector)

        def chosen(rect: QRect) -> None:
            if rect.width() < 1 or rect.height() < 1:
                self.say(tr("The region is empty; nothing to describe."))
                return
            image = to_pil(shot.copy(rect).toImage())
            r = shot.devicePixelRatio()
            x, y, w, h = (round(v * r) for v in (rect.x(), rect.y(), rect.width(), rect.height()))
            label = tr("Region {width}×{height} at {x}, {y}").format(width=w, height=h, x=x, y=y)
            self._submit(Job("region", image, label=label))

        selector.selected.connect(chosen)
        selector.cancelled.connect(lambda: self.say(tr("Cancelled.")))
        selector.showFullScreen()
        selector.setFocus()
        self.say(tr(REGION_KEYS))

    def describe_clipboard(self) -> None:
        self._cancel_files()
        try:
            image, paths = clipboard_content(QGuiApplication.clipboard().mimeData())
        except CaptureError as exc:
            self._tell_error(str(exc))
            return
        if image is not None:
            self._submit(Job("clipboard", image, label="clipboard"))
        else:
            self.describe_files(paths)

    def open_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            None,
            tr("Open images to describe"),
            str(Path.home()),
            tr("Images ({patterns});;All files (*)").format(
                patterns=" ".join(f"*{s}" for s in sorted(READABLE_SUFFIXES))
            ),
        )
        if names:
            self.describe_files([Path(n) for n in names])

    def describe_files(self, paths: list[Path]) -> None:
        """Describe image files one after another, each named and heard whole; files asked
        for while others are being described join the end of the queue. Folders are searched
        on the worker, so a huge folder never freezes the app."""
        if any(p.is_dir() for p in paths):
            self.worker.run_task("find images", lambda: image_files(paths))
        else:
            self._describe_found(paths)

    def _describe_found(self, found: list[Path]) -> None:
        if not found:
            self._tell_error(tr("No image files were found there."))
            return
        if self._batch:  # describing files already: these follow them
            self._file_queue += found
            self._batch += len(found)
            return
        self._batch, self._in_batch = len(found), 0
        self._file_queue = list(found)
        self._next_file()

    def _next_file(self) -> None:
        """The next file of the queue, after the one before it (nothing cut off)."""
        if not self._file_queue:
            self._say_unsaid()
            self._batch = self._in_batch = 0
            QTimer.singleShot(0, _settle)  # what showing and saving them used goes back
            return
        path = self._file_queue.pop(0)
        self._in_batch += 1
        self._after = self._in_batch > 1
        load = functools.partial(load_image, path, name=path.name)
        self._submit(Job("file", load, label=str(path)))

    def _cancel_files(self) -> None:
        """Something new was asked for: the files still waiting are dropped, and the user told
        how many."""
        left = len(self._file_queue)
        if self._batch:  # the file in hand is cut short and not said either
            self.worker.cancel()
            self.current_id = -1
        self._file_queue.clear()
        self._batch = self._in_batch = 0
        self._unsaid.clear()
        self._failed_in_row = 0
        if left:
            skipped = "1 more image was" if left == 1 else f"{left} more images were"
            self.say(f"{skipped} not described.")
            self._after = True  # the new description follows the note

    def repeat_last(self) -> None:
        self.say(self.last_spoken or tr("Nothing has been described yet."))

    def stop_speaking(self) -> None:
        self.speech.stop()
        if self._direct is not None:  # Stop reaches the screen reader too
            self._direct.silence()
        self._cancel_files()

    def show_main_window(self) -> None:
        self.main_window.show()
        self.main_window.raise_()
        self.main_window.activateWindow()

    def show_history(self) -> None:
        window = HistoryWindow(self.history)
        self._windows.append(window)
        window.show()

    def show_settings(self) -> None:
        dialog = SettingsDialog(self.settings)
        self._windows.append(dialog)
        dialog.show()

    def download_model(self) -> None:
        """Fetch the configured model (a registered name) with a progress window."""
        name = self.settings["model"]
        if name not in REGISTRY:
            self._tell_error(
                tr(
                    "The model setting names a folder ({name}), not a model to download. "
                    "Choose clipcap-coco in Settings to download it."
                ).format(name=name)
            )
            return
        dialog = DownloadDialog(name)
        self._windows.append(dialog)
        dialog.job.failed.connect(lambda _: self.main_window.statusBar().clearMessage())
        dialog.job.failed.connect(self._tell_error)
        dialog.fetched.connect(
            lambda parts: self.worker.run_task("convert", lambda: convert_model(parts))
        )
        self._download_dialog = dialog
        self.say(tr("Downloading the caption model {name}. This happens once.").format(name=name))
        dialog.start()

    def _on_task_done(self, name: str, result: Any) -> None:
        if name == "find images":
            self._describe_found(result)
        elif name == "convert":
            if self._download_dialog is not None:
                self._download_dialog.converted()
            self.worker.reconfigure(self.settings.values)
            self.worker.preload()
            self.say(tr("The caption model is downloaded."))

    # ----- speech ------------------------------------------------------------------------

    def say(self, text: str, heading: str = "", full: str = "", lasting: bool = False) -> None:
        """The one way a message reaches the user: spoken, shown and announced. With a
        ``heading`` (a description, a problem) it opens the result window, which announces it;
        a ``lasting`` one (captions off, no tray) stays among the main window's notices;
        otherwise it goes to the main window's status line, or the tray's message."""
        self.last_spoken = text
        voice, reader = self._routes()
        if voice:  # lasting notices queue behind one another; anything else is said now
            (self.speech.add if lasting else self.speech.say)(text)
        if heading:
            seconds = self.settings["popup_seconds"] if heading != tr("Problem") else 0
            self.result_window.show_result(heading, text, full or text, seconds, reader)
            return
        if reader:
            self._announce(self.main_window, text, first=True)
        if lasting:
            self.main_window.show_notice(text)
        if self.tray is not None and not self.main_window.isVisible():
            self.tray.showMessage("VocaLens", text, app_icon(), 8000)
        elif not lasting:
            self.main_window.show_message(text)

    def say_once(self, text: str) -> None:
        if text not in self._said_once:
            self._said_once.add(text)
            self.say(text, lasting=True)

    # ----- internals -----------------------------------------------------------------------

    def _capture_then_submit(
        self,
        source: Any,
        grab: Any,
        window: Any,
        label: str = "",
        first: Any = None,
        origin: tuple[int, int] = (0, 0),
    ) -> None:
        try:
            image = grab()
        except VocaLensError as exc:
            self._tell_error(str(exc))
            return
        label = label or (window.title if window.known else source_name(source))
        job = Job(source, image, label=label, window=window, first=first, origin=origin)
        self._submit(job, screen_reader=screen_reader_running())

    def _submit(self, job: Job, screen_reader: bool = False) -> None:
        job.options = {  # per request: a change here needs no reload
            "strategy": self.settings["decoding"],
            "max_new_tokens": self.settings["max_tokens"],
            "caption_text": self.settings["verbosity"] == "full",  # said at full only
        }
        if screen_reader:  # a black capture is then a screen curtain, not a blank screen
            job.options["screen_reader"] = True
        self.current_id = self.worker.submit(job)
        self._said = []

    def _on_progress(self, job_id: int, desc: Description) -> None:
        if job_id == self.current_id and not self.controls.waits_for(job_id):
            self._tell_so_far(desc, final=False)

    def _on_finished(self, job_id: int, desc: Description, image: Image.Image) -> None:
        if job_id != self.current_id:
            return  # the user has asked for something newer since
        if self.controls.answer(job_id, desc):
            return
        self._tell_so_far(desc, final=True)
        self.result_window.list(desc)
        self.last_spoken = spoken(desc, self.settings["verbosity"])
        self.last_description = desc
        self._store(desc, self.last_spoken, image)
        self.described.emit(desc)
        if self._batch:
            self._failed_in_row = 0
            self._next_file()
        else:  # what showing and saving it used goes back too
            QTimer.singleShot(0, _settle)

    def _routes(self) -> tuple[bool, bool]:
        """Whether to speak with VocaLens's own voice, and whether to hand the words to the
        screen reader (announcements): the Output setting; auto asks if one runs. A screen
        reader with an interface of its own (NVDA, JAWS) is found here too."""
        output = self.settings["output"]
        direct = self.find_reader() if output != "own voice" else None
        if output == "auto":
            reader = direct is not None or screen_reader_running()
            voice, reader = not reader, reader
        else:
            voice, reader = output in ("own voice", "both"), output in ("screen reader", "both")
        self._direct = direct if reader else None
        return voice, reader

    def _announce(self, widget: Any, text: str, first: bool = False) -> None:
        """Words to the screen reader: through its own interface (spoken and on its braille
        display; the first words of a description cut off what it was saying), else as an
        accessibility announcement."""
        first, self._first_words = first or self._first_words, False
        if self._direct is None or not self._direct.say(text, interrupt=first):
            announce(widget, text)

    def _tell_so_far(self, desc: Description, final: bool) -> None:
        """Say, show and announce the phrases of ``desc`` not said yet: the first cuts off
        whatever was being said, the rest follow it."""
        now = phrases(desc, self.settings["verbosity"], final)
        said = self._said
        fresh = unsaid(now, said)
        if not fresh:
            return
        named = self._batch > 1 and desc.source == "file"  # one of several files: named
        name = Path(desc.label).name
        follows = bool(said)
        if not said:
            follows, self._after = self._after, False
            self._route = self._routes()
            self._first_words = not follows
            heading = self._heading_of_file(name) if named else heading_of(desc)
            keep = desc.source == "file" and self._in_batch > 1  # the earlier files stay shown
            self.result_window.begin(heading, focus=not self._route[1], keep=keep)
        voice, reader = self._route
        spoken_now = []
        for phrase in fresh:
            words = f"{name}: {phrase}" if named and not said else phrase
            if voice:
                (self.speech.add if follows else self.speech.say)(words)
                follows = True
            said.append(phrase)
            spoken_now.append(words)
        announced = " ".join(spoken_now) if reader else ""
        shown = " ".join(said)
        whole = full_text(desc) if final else ""
        if named:
            shown, whole = f"{name}: {shown}", f"{name}: {whole}" if whole else ""
        self.result_window.grow(shown, whole, announced)
        if final:
            self.result_window.finish(self.settings["popup_seconds"])

    def _heading_of_file(self, name: str) -> str:
        return f"{name} ({self._in_batch} of {self._batch})" if self._batch > 1 else name

    def _store(self, desc: Description, text: str, image: Image.Image) -> None:
        if self.settings["history_days"] == 0:
            return
        try:
            self.history.add(
                desc.source,
                desc.label,
                desc.caption or "",
                desc.text,
                text,
                desc.model,
                image,
                self.settings["keep_screenshots"],
                kind=kind_line(desc),
            )
        except Exception as exc:  # losing history must not lose the description
            log.warning("history write failed: %s", exc)
            self.say_once(tr("The history could not be saved ({reason}).").format(reason=exc))

    def _on_failed(self, job_id: int, message: str) -> None:
        if job_id != self.current_id:
            return
        searched = self.controls.failed(job_id)  # a search's screen could not be read
        if not self._batch or searched:
            self._tell_error(message)
            return
        # one file of several: said after the ones before it, kept beside them, and the
        # rest described; past a few in a row, counted and said once at the end
        self._failed_in_row += 1
        if self._failed_in_row > SAID_IN_A_ROW:
            reason = message.split(": ", 1)[-1].rstrip(".")
            self._unsaid[reason] = self._unsaid.get(reason, 0) + 1
        else:
            heading = tr("Problem ({n} of {count})").format(n=self._in_batch, count=self._batch)
            self._say_problem(message, heading)
        self._next_file()

    def _say_problem(self, message: str, heading: str) -> None:
        follows, self._after = self._after, False
        voice, reader = self._route = self._routes()
        if voice:
            (self.speech.add if follows else self.speech.say)(message)
        self.result_window.begin(heading, False, self._in_batch > 1)
        self.result_window.grow(message, message, message if reader else "")

    def _say_unsaid(self) -> None:
        """The problems counted rather than said, in one sentence."""
        count = sum(self._unsaid.values())
        if count:
            reasons = "; ".join(
                f"{why}: {n}" if len(self._unsaid) > 1 else why for why, n in self._unsaid.items()
            )
            self._after = True
            self._say_problem(
                trn(
                    "{count} more file could not be read ({reasons}).",
                    "{count} more files could not be read ({reasons}).",
                    count,
                ).format(count=count, reasons=reasons),
                tr("Problems"),
            )
        self._unsaid.clear()
        self._failed_in_row = 0

    def _on_status(self, notice: Notice) -> None:
        if notice.code in ("captions_off", "languages_off"):  # lasting: said once
            self.say_once(notice_text(notice))
        else:  # progress: shown, not spoken
            self.main_window.statusBar().showMessage(notice_text(notice), 10_000)

    def _tell_error(self, message: str) -> None:
        self.say(message, tr("Problem"))

    def _make_speaker(self) -> Speaker:
        choice = self.settings["speech_engine"]
        speaker, note = make_speaker(choice, frozenset(self._broken_speech))
        speaker.configure(self.settings["rate"], self.settings["volume"], self.settings["voice"])
        speaker.died.connect(self._on_speech_died)
        self._speech_note = note
        return speaker

    def _on_speech_died(self, message: str) -> None:
        """Start the engine again after a pause that doubles each time; after
        ``SPEECH_STARTS`` failures in a minute it is broken for this session and the next engine
        takes over, saying so once. What was being said is said again, not lost."""
        log.warning(message)
        failed, lost = self.speaker, self.speaker.lost
        failed.shutdown()
        now = time.monotonic()
        times = [t for t in self._speech_failures.get(failed.name, []) if now - t < 60] + [now]
        self._speech_failures[failed.name] = times
        self.speaker = WaitingSpeaker(lost)  # shown only, kept to be said when a voice is back
        if len(times) < SPEECH_STARTS:
            QTimer.singleShot(1000 * 2 ** (len(times) - 1), lambda: self._speech_back(""))
            return
        self._broken_speech.add(failed.name)
        self._speech_back(message)

    def _speech_back(self, broke: str) -> None:
        lost = self.speaker.lost
        self.speaker = self._make_speaker()
        if broke:
            notice = tr("{problem}. VocaLens now speaks with {voice}.").format(
                problem=broke.rstrip("."), voice=tr(self.speaker.title)
            )
            self._said_once.add(notice)
            self.main_window.show_notice(notice)
            self.say(f"{notice} {lost}".strip(), tr("Speech"))
        elif lost:
            self.speech.say(lost)

    def _on_setting(self, name: str, value: Any) -> None:
        if name == "language":
            speak_in(str(value))
        elif name in MODEL_SETTINGS:
            self.worker.reconfigure(self.settings.values)
        elif name in SPEECH_SETTINGS:
            self.speaker.shutdown()
            self.speaker = self._make_speaker()
        elif name.startswith("hotkey_"):
            self._start_hotkeys()
        elif name == "start_at_login":
            from .autostart import set_autostart

            problem = set_autostart(bool(value))
            if problem:
                self.say(problem)

    def _start_hotkeys(self) -> None:
        bindings = {a: self.settings[f"hotkey_{a}"] for a in ACTIONS}
        if not self.hotkeys.start(bindings):
            self.main_window.show_notice(self.hotkeys.problem)
            log.info(self.hotkeys.problem)

    def _menu(self) -> QMenu:
        menu = QMenu()
        for key, text, tip in BUTTONS:
            action = QAction(tr(text), menu)
            action.setToolTip(tr(tip))
            action.triggered.connect(lambda _=False, k=key: self.run_action(k))
            menu.addAction(action)
            if key in ("open", "stop", "download"):
                menu.addSeparator()
        self._windows.append(menu)
        return menu

    def _on_tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_main_window()
