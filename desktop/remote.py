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
import tempfile
import warnings
from pathlib import Path
from typing import Any

from platformdirs import user_runtime_path
from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

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
MAX_LINE = 256 << 10  # bytes: a longer message is refused and its connection closed
MAX_FILES = 10_000


def runtime_dir() -> Path:
    """The user's private folder for the socket and the lock (0700, owned by the user)."""
    with warnings.catch_warnings():  # no XDG_RUNTIME_DIR: platformdirs warns, then falls back
        warnings.simplefilter("ignore")
        folder = user_runtime_path("vocalens", appauthor=False)
    if not _private(folder):
        uid = os.getuid() if hasattr(os, "getuid") else 0
        folder = Path(tempfile.gettempdir()) / f"vocalens-{uid}"
        if not _private(folder):
            raise OSError(f"{folder} belongs to another user or is open to others.")
    return folder


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
    if not isinstance(message, dict) or message.get("action") not in ACTIONS:
        return "the message is not a VocaLens command"
    target = message.get("target")
    if message["action"] == "files":
        if not isinstance(target, list) or not all(isinstance(t, str) for t in target):
            return "the files are not a list of paths"
        if len(target) > MAX_FILES:
            return f"more than {MAX_FILES} files at once"
    elif target is not None:
        return "only files take a target"
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
        raise Refused(f"VocaLens did not take the command: {why}.")
    return True


class RemoteServer(QObject):
    command = Signal(dict)

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self.lock = QLockFile(address(self.name) + ".lock")

    def listen(self) -> bool:
        """Become the single instance and listen; False if another instance runs.

        A lock file decides (it notices when its owner has crashed); the socket name is then
        cleared, since a crash can leave it behind, and taken."""
        if not self.lock.tryLock(200):
            return False
        QLocalServer.removeServer(address(self.name))
        return self.server.listen(address(self.name))

    def close(self) -> None:
        self.server.close()
        self.lock.unlock()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            sock.readyRead.connect(self._read)
            sock.disconnected.connect(sock.deleteLater)
            if sock.bytesAvailable():
                self._read(sock)

    def _read(self, sock: QLocalSocket | None = None) -> None:
        source = sock if sock is not None else self.sender()
        if not isinstance(source, QLocalSocket):
            return
        while source.canReadLine():
            raw = bytes(source.readLine(MAX_LINE + 1).data()).strip()
            try:
                message = json.loads(raw)
            except ValueError:
                message = None
            problem = valid(message)
            reply = {"refused": problem} if problem else {"ok": True}
            source.write(json.dumps(reply).encode("utf-8") + b"\n")
            if problem:
                log.warning("A remote command was refused: %s.", problem)
            elif message["action"] != "ping":
                self.command.emit(message)
        if source.bytesAvailable() > MAX_LINE:  # no end of line in sight: not our client
            log.warning("A remote command was refused: it is too long.")
            source.abort()
