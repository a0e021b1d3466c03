"""Single instance and command-line remote: a second launch hands its action to the first.

Messages are one JSON object per connection: {"action": "describe", "target": "screen"},
{"action": "repeat"}, {"action": "stop"}, {"action": "quit"}, {"action": "show"}.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDir, QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket


def server_name() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    return f"vocalens-{''.join(ch for ch in user if ch.isalnum())}"


def send(message: dict[str, Any], name: str | None = None, timeout_ms: int = 1500) -> bool:
    """Deliver ``message`` to a running instance; False when none answers."""
    sock = QLocalSocket()
    sock.connectToServer(name or server_name())
    if not sock.waitForConnected(timeout_ms):
        return False
    sock.write(json.dumps(message).encode("utf-8") + b"\n")
    while sock.bytesToWrite() > 0:
        if not sock.waitForBytesWritten(timeout_ms):
            return False
    sock.disconnectFromServer()
    return True


class RemoteServer(QObject):
    command = Signal(dict)

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self.lock = QLockFile(str(Path(QDir.tempPath()) / f"{self.name}.lock"))

    def listen(self) -> bool:
        """Become the single instance and listen; False if another instance runs.

        A lock file decides (it notices when its owner has crashed); the socket name is then
        cleared, since a crash can leave it behind, and taken."""
        if not self.lock.tryLock(200):
            return False
        QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

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
            raw = bytes(source.readLine().data()).strip()
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            if isinstance(message, dict) and message.get("action") != "ping":
                self.command.emit(message)
