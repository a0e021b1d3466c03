"""Single instance and command-line remote: a second launch hands its action to the first.

Messages are one JSON object per line: {"action": "screen"}, {"action": "files", "target":
["/path/a.png"]}, {"action": "repeat"}, {"action": "stop"}, {"action": "quit"}, {"action":
"show"}. The socket and the lock live in the user's private runtime folder ($XDG_RUNTIME_DIR on
Linux), where no other user can take or read them.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from platformdirs import user_runtime_path
from PySide6.QtCore import QLockFile, QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from vocalens.core import cache_dir, tr

log = logging.getLogger(__name__)
ACTIONS = {
    "screen",
    "window",
    "object",
    "region",
    "clipboard",
    "files",
    "repeat",
    "stop",
    "quit",
    "show",
}
ACTIONS |= {"ping", "open", "history", "settings", "download"}
SEARCHES = {"find", "click"}  # their target: the words of a control's name on the screen
ACTIONS |= SEARCHES
MAX_WORDS = 200  # characters of a search
MAX_LINE = 256 << 10  # bytes: a longer message is refused and its connection closed
MAX_FILES = 10_000
MAX_CLIENTS = 16  # connections held at once; a new one closes the oldest
MAX_REFUSED = 8  # refused messages on one connection before it is closed: not our client
IDLE_MS = 5_000  # a connection that sends no command this long is closed
WATCH_MS = 1_000  # how often the server checks that it still listens


def runtime_dir() -> Path:
    """The user's private folder for the socket and the lock (0700, owned by the user): the
    session's runtime folder; where there is none, or another user took its place first (a
    shared temporary folder), a folder in the user's own cache, which no one else can make."""
    with warnings.catch_warnings():  # no XDG_RUNTIME_DIR: platformdirs warns, then falls back
        warnings.simplefilter("ignore")
        folder = user_runtime_path("vocalens", appauthor=False)
    for candidate in (folder, cache_dir() / "run"):
        if _private(candidate):
            return candidate
    raise OSError(
        f"no private folder for VocaLens's socket could be made ({folder} and "
        f"{cache_dir() / 'run'} belong to another user or are open to others)"
    )


def _private(folder: Path) -> bool:
    """Make ``folder`` (0700) if needed; True when it is ours alone."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return False
    if sys.platform == "win32":
        return True  # the per-user profile folder: private already
    if folder.is_symlink() or info.st_uid != os.getuid():
        return False
    if info.st_mode & 0o077:
        with contextlib.suppress(OSError):
            folder.chmod(0o700)
        return not folder.lstat().st_mode & 0o077
    return True


def server_name() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    return f"vocalens-{''.join(ch for ch in user if ch.isalnum())}"


def address(name: str) -> str:
    """Where the server listens: a socket file in the private folder (a named pipe, which is
    per session, on Windows)."""
    return name if sys.platform == "win32" else str(runtime_dir() / name)


def valid(message: Any) -> str:
    """Why ``message`` is refused ("" when it is a command this app takes)."""
    if not isinstance(message, dict) or not isinstance(message.get("action"), str):
        return tr("the message is not a VocaLens command")
    if message["action"] not in ACTIONS:
        return tr("the message is not a VocaLens command")
    target = message.get("target")
    if message["action"] == "files":
        if not isinstance(target, list) or not all(isinstance(t, str) for t in target):
            return tr("the files are not a list of paths")
        if len(target) > MAX_FILES:
            return tr("more than {count} files at once").format(count=MAX_FILES)
    elif message["action"] in SEARCHES:
        if not isinstance(target, str) or not target.strip():
            return tr("there are no words to look for")
        if len(target) > MAX_WORDS:
            return tr("more than {count} characters to look for").format(count=MAX_WORDS)
    elif target is not None:
        return tr("only files and searches take a target")
    return ""


class Refused(Exception):
    """The running instance would not take the command; ``str()`` says why, in a sentence."""


def send(message: dict[str, Any], name: str | None = None, timeout_ms: int = 1500) -> bool:
    """Deliver ``message`` to a running instance; False when none answers. Raises ``Refused``
    when it answers no."""
    sock = QLocalSocket()
    sock.connectToServer(address(name or server_name()))
    if not sock.waitForConnected(timeout_ms):
        return False
    sock.write(json.dumps(message).encode("utf-8") + b"\n")
    while sock.bytesToWrite() > 0:
        if not sock.waitForBytesWritten(timeout_ms):
            return False
    answer = b""
    while b"\n" not in answer and sock.waitForReadyRead(timeout_ms):
        answer += bytes(sock.readAll().data())
    sock.disconnectFromServer()
    try:
        why = json.loads(answer).get("refused") if answer else None
    except (ValueError, AttributeError):
        why = None
    if why:
        raise Refused(tr("VocaLens did not take the command: {reason}.").format(reason=why))
    return True


class RemoteServer(QObject):
    """The running instance's end. It outlives what a socket can be sent: connections beyond
    ``MAX_CLIENTS``, idle ones, floods of lines, messages that are not JSON or nest beyond
    reason; and it listens again should the server be closed or its socket file removed."""

    command = Signal(dict)

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self.lock = QLockFile(address(self.name) + ".lock")
        self.watch = QTimer(self)
        self.watch.setInterval(WATCH_MS)
        self.watch.timeout.connect(self.keep_listening)

    def listen(self) -> bool:
        """Become the single instance and listen; False if another instance runs.

        A lock file decides (it notices when its owner has crashed); the socket name is then
        cleared, since a crash can leave it behind, and taken."""
        if not self.lock.tryLock(200):
            return False
        self.watch.start()
        return self._listen()

    def _listen(self) -> bool:
        QLocalServer.removeServer(address(self.name))
        return self.server.listen(address(self.name))

    def keep_listening(self) -> None:
        """Listen again if the server stopped (Qt closes it when it cannot accept) or its
        socket file is gone."""
        where = address(self.name)
        if self.server.isListening() and (sys.platform == "win32" or os.path.exists(where)):
            return
        log.warning("The remote had stopped listening; listening again.")
        self.server.close()
        self._listen()

    def close(self) -> None:
        self.watch.stop()
        self.server.close()
        self.lock.unlock()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()  # a child of the server
            held = [  # oldest first
                c
                for c in self.server.findChildren(QLocalSocket)
                if c.state() == QLocalSocket.LocalSocketState.ConnectedState
            ]
            for old in held[: max(0, len(held) - MAX_CLIENTS)]:
                _close(old)
            sock.setProperty("refused", 0)
            idle = QTimer(sock)  # only C++ slots below: nothing of Python runs as it is deleted
            idle.setSingleShot(True)
            idle.timeout.connect(sock.deleteLater)
            idle.start(IDLE_MS)
            sock.readyRead.connect(self._read)
            sock.disconnected.connect(sock.deleteLater)
            if sock.bytesAvailable():
                self._read(sock)

    def _read(self, sock: QLocalSocket | None = None) -> None:
        source = sock if sock is not None else self.sender()
        if not isinstance(source, QLocalSocket):
            return
        while (
            source.canReadLine() and source.state() == QLocalSocket.LocalSocketState.ConnectedState
        ):
            raw = bytes(source.readLine(MAX_LINE + 1).data()).strip()
            if raw:
                self._answer(source, raw)
        if source.bytesAvailable() > MAX_LINE:  # no end of line in sight: not our client
            self._refuse(source, "it is too long")
            _close(source)

    def _answer(self, source: QLocalSocket, raw: bytes) -> None:
        try:
            message = json.loads(raw)
        except (ValueError, RecursionError):
            message = None
        problem = valid(message)
        source.write(json.dumps({"refused": problem} if problem else {"ok": True}).encode() + b"\n")
        if problem:
            self._refuse(source, problem)
        elif message["action"] != "ping":
            self.command.emit(message)

    def _refuse(self, source: QLocalSocket, problem: str) -> None:
        log.warning("A remote command was refused: %s.", problem)
        refused = int(source.property("refused") or 0) + 1
        source.setProperty("refused", refused)
        if refused >= MAX_REFUSED:
            _close(source)


def _close(sock: QLocalSocket) -> None:
    with contextlib.suppress(RuntimeError):  # closed and deleted already
        sock.abort()
