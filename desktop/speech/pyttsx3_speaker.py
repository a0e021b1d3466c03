"""pyttsx3 in its own process: never blocks the UI, stops mid-sentence."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sys
from pathlib import Path
from shutil import which

from PySide6.QtCore import QProcess

from vocalens.core import N_, tr

from .base import Speaker


def host_arguments() -> list[str]:
    """How this program starts the speech host: a frozen app's executable takes
    ``--speech-host`` (see packaging/entry_desktop.py); Python runs the module."""
    if getattr(sys, "frozen", False):
        return ["--speech-host"]
    return ["-m", "vocalens.desktop.speech.host"]


class Pyttsx3Speaker(Speaker):
    name = "pyttsx3"
    title = N_("its own voice")

    def __init__(self, record_dir: Path | None = None) -> None:
        """``record_dir``: write each utterance to a numbered WAV file there instead of
        playing it (tests, and users who want the audio)."""
        super().__init__()
        self.record_dir = record_dir
        self.rate, self.volume, self.voice = 180, 1.0, ""
        self._proc: QProcess | None = None
        self._count = 0
        self._speaking: int | None = None
        self._text = ""
        self._spawn()

    @classmethod
    def available(cls) -> bool:
        if importlib.util.find_spec("pyttsx3") is None:
            return False
        if sys.platform.startswith("linux"):
            return which("espeak-ng") is not None or which("espeak") is not None
        return True

    def configure(self, rate: int, volume: float, voice: str) -> None:
        self.rate, self.volume, self.voice = rate, volume, voice

    def speak(self, text: str) -> None:
        self.stop()
        if self._proc is None or self._proc.state() == QProcess.ProcessState.NotRunning:
            self._spawn()
        assert self._proc is not None
        self._count += 1
        msg: dict[str, object] = {
            "id": self._count,
            "text": text,
            "rate": self.rate,
            "volume": self.volume,
            "voice": self.voice,
        }
        if self.record_dir is not None:
            self.record_dir.mkdir(parents=True, exist_ok=True)
            msg["path"] = str(self.record_dir / f"utterance-{self._count:04d}.wav")
        self._speaking = self._count
        self._text = text
        self._proc.write((json.dumps(msg) + "\n").encode("utf-8"))
        self.started.emit(text)

    def stop(self) -> None:
        if self._speaking is None:
            return
        self._speaking = None
        self._kill()
        self._spawn()  # a fresh host is ready for the next utterance
        self.finished.emit()

    def shutdown(self) -> None:
        self._speaking = None
        self._kill()

    def _spawn(self) -> None:
        proc = QProcess(self)
        if sys.platform != "win32":
            params = QProcess.UnixProcessParameters()
            params.flags = QProcess.UnixProcessFlag.CreateNewSession
            proc.setUnixProcessParameters(params)
        proc.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        proc.setStandardErrorFile(QProcess.nullDevice())
        proc.readyReadStandardOutput.connect(self._read)
        proc.finished.connect(self._ended)
        proc.start(sys.executable, host_arguments())
        self._proc = proc

    def _read(self) -> None:
        proc = self.sender()
        if not isinstance(proc, QProcess):
            return
        while proc.canReadLine():
            line = bytes(proc.readLine().data()).decode("utf-8", "replace")
            if proc is not self._proc:
                continue
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if "error" in msg:
                self._die(tr("The speech engine failed: {reason}").format(reason=msg["error"]))
            elif msg.get("done") is not None and msg["done"] == self._speaking:
                self._speaking = None
                self.finished.emit()

    def _ended(self) -> None:
        if self.sender() is self._proc and self._speaking is not None:
            self._die(tr("The speech engine stopped unexpectedly."))

    def _die(self, why: str) -> None:
        self.lost = self._text if self._speaking is not None else ""
        self._speaking = None
        self.died.emit(why)

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.state() != QProcess.ProcessState.NotRunning:
            pid = proc.processId()
            if sys.platform != "win32" and pid > 0:
                try:
                    os.killpg(pid, signal.SIGKILL)  # the host and the audio player it started
                except (ProcessLookupError, PermissionError):
                    proc.kill()
            else:
                proc.kill()
            proc.waitForFinished(3000)
        proc.deleteLater()
