"""``vocalens-desktop``: start the tray application, or send an action to the running one."""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from platformdirs import user_log_path

from vocalens.core import map_large_blocks_apart, tr

HAND_OVER_S = 5.0  # how long a second launch waits for the running instance to answer


def parse(argv: Sequence[str] | None) -> tuple[argparse.Namespace, dict[str, Any] | None]:
    p = argparse.ArgumentParser(
        prog="vocalens-desktop",
        description=tr(
            "Describe the screen and images out loud. With an action, tell the running "
            "VocaLens to do it (starting it if needed): bind these commands to keys in "
            "your desktop's settings where global shortcuts are not available."
        ),
    )
    p.add_argument(
        "--describe",
        nargs="+",
        metavar="TARGET",
        help=tr("screen, window, object (the focused control), region, clipboard, or image files"),
    )
    p.add_argument(
        "--find", metavar="TEXT", help=tr("say where a control or text on the screen is")
    )
    p.add_argument(
        "--click", metavar="TEXT", help=tr("click the control on the screen that TEXT names")
    )
    p.add_argument("--repeat", action="store_true", help=tr("say the last description again"))
    p.add_argument("--stop", action="store_true", help=tr("stop speaking"))
    p.add_argument("--quit", action="store_true", help=tr("quit the running VocaLens"))
    p.add_argument("--show", action="store_true", help=tr("open the main window"))
    p.add_argument("--background", action="store_true", help=tr("start quietly (at login)"))
    p.add_argument("--no-tray", action="store_true", help=tr("use a window instead of the tray"))
    args = p.parse_args(argv)
    message: dict[str, Any] | None = None
    if args.describe:
        first = args.describe[0]
        if len(args.describe) == 1 and first in (
            "screen",
            "window",
            "object",
            "region",
            "clipboard",
        ):
            message = {"action": first}
        else:
            message = {"action": "files", "target": [str(Path(t).resolve()) for t in args.describe]}
    elif args.find or args.click:
        message = {"action": "find" if args.find else "click", "target": args.find or args.click}
    elif args.repeat:
        message = {"action": "repeat"}
    elif args.stop:
        message = {"action": "stop"}
    elif args.quit:
        message = {"action": "quit"}
    elif args.show:
        message = {"action": "show"}
    return args, message


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()
    map_large_blocks_apart()
    args, message = parse(argv)
    if no_display():
        print(
            tr(
                "VocaLens needs a graphical desktop, and none was found (DISPLAY and "
                "WAYLAND_DISPLAY are not set). Start it from your desktop session, or use the "
                "`vocalens describe` command line here."
            ),
            file=sys.stderr,
        )
        return 2
    from PySide6.QtWidgets import QApplication

    from .module_sources import keep_no_module_sources
    from .remote import Refused, RemoteServer, runtime_dir, send

    keep_no_module_sources()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    try:
        runtime_dir()
    except OSError as exc:
        print(
            tr(
                "VocaLens cannot start: {reason}. Set XDG_RUNTIME_DIR to a folder of your own "
                "(0700)."
            ).format(reason=exc),
            file=sys.stderr,
        )
        return 1
    try:
        if send(message or {"action": "show" if not args.background else "ping"}):
            return 0  # the running instance took it
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 2
    if message is not None and message["action"] in ("quit", "stop", "repeat"):
        print(tr("VocaLens is not running."), file=sys.stderr)
        return 0
    _setup_logging()
    return run(app, args, message, RemoteServer())


def run(app: Any, args: argparse.Namespace, message: dict[str, Any] | None, remote: Any) -> int:
    from PySide6.QtCore import QTimer

    from .app import Controller, app_icon, speak_in
    from .history import History
    from .settings import Settings

    app.setApplicationName("VocaLens")
    app.setApplicationDisplayName("VocaLens")
    app.setDesktopFileName("vocalens")
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)
    if not remote.listen():
        return _hand_over(message or {"action": "show" if not args.background else "ping"})
    try:
        settings = Settings()
        speak_in(settings["language"])  # before any window is made
        controller = Controller(settings, History(), use_tray=False if args.no_tray else None)
    except Exception as exc:  # start-up failed: one friendly message, details in the log
        logging.exception("start-up failed")
        _fatal(
            tr("VocaLens could not start: {reason}. The log is in {path}.").format(
                reason=exc, path=user_log_path("vocalens")
            )
        )
        return 1
    # Run from the event loop, after the socket's slot has returned: a capture waits for the
    # display with events processed, and the socket may close (and be deleted) meanwhile.
    remote.command.connect(
        lambda m: QTimer.singleShot(
            0, lambda: controller.run_action(m.get("action", ""), m.get("target"))
        )
    )
    controller.quit_requested.connect(app.quit)
    app.aboutToQuit.connect(controller.shutdown)
    app.aboutToQuit.connect(remote.close)
    controller.start()
    if message is not None:
        QTimer.singleShot(
            0, lambda: controller.run_action(message["action"], message.get("target"))
        )
    code = int(app.exec())
    if not controller.stopped:
        # Quit while a model was loading or converting: that cannot be cut short, and its
        # thread must not be torn down under it (an abort). Everything of the user's is saved
        # (history and settings are closed); a half-made conversion is never used.
        logging.info("quit while the worker was busy; leaving at once")
        logging.shutdown()
        os._exit(code)
    return code


def _hand_over(message: dict[str, Any]) -> int:
    """Another instance holds the lock: give it the command once it answers (it may be just
    starting), or say that it does not."""
    from .remote import Refused, send

    deadline = time.monotonic() + HAND_OVER_S
    while time.monotonic() < deadline:
        try:
            if send(message, timeout_ms=500):
                return 0
        except Refused as exc:
            print(exc, file=sys.stderr)
            return 2
        time.sleep(0.2)
    print(
        tr(
            "VocaLens is running but does not answer. Quit it from its menu (or end its "
            "process) and start it again."
        ),
        file=sys.stderr,
    )
    return 1


def no_display() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _fatal(text: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    print(text, file=sys.stderr)
    box = QMessageBox(QMessageBox.Icon.Critical, "VocaLens", text)
    box.setAccessibleName(tr("VocaLens could not start"))
    box.exec()


def _setup_logging() -> None:
    """Our log and every library's lines go to the log file, never to the terminal."""
    from vocalens.core import quiet_libraries

    quiet_libraries(user_log_path("vocalens", appauthor=False) / "vocalens.log")


if __name__ == "__main__":
    sys.exit(main())
