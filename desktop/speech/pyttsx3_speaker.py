"""pyttsx3 in its own process: never blocks the UI, stops mid-sentence."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import Signal, Slot

from .base import Speaker


class Pyttsx3Speaker(Speaker):
    name = "pyttsx3"
    _line = Signal(str)

    def __init__(self, record_dir: Path | None = None) -> None:
        """``record_dir``: write each utterance to a numbered WAV file there instead of
        playing it (tests, and users who want the audio)."""
        super().__init__()
        self.record_dir = record_dir
        self.rate, self.volume, self.voice = 180, 1.0, ""
        self._proc: subprocess.Popen[str] | None = None
        self._count = 0
        self._speaking: int | None = None
        self._line.connect(self._on_line)
        self._spawn()

    @classmethod
    def available(cls) -> bool:
        if importlib.util.find_spec("pyttsx3") is None:
            return False
        if sys.platform.startswith("linux"):
            from shutil import which

            return which("espeak-ng") is not None or which("espeak") is not None
        return True

    def configure(self, rate: int, volume: float, voice: str) -> None:
        self.rate, self.volume, self.voice = rate, volume, voice

    def speak(self, text: str) -> None:
        self.stop()
        if self._proc is None or self._proc.poll() is not None:
            self._spawn()
        assert self._proc is not None and self._proc.stdin is not None
        self._count += 1
        msg = {
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
        try:
            self._proc.stdin.write(json.dumps(msg) + "\n")
            self._proc.stdin.flush()
        except OSError:
            self.died.emit("The speech engine stopped working.")
            return
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
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "vocalens.desktop.speech.host"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            start_new_session=sys.platform != "win32",
        )
        proc = self._proc
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if proc is self._proc:
                self._line.emit(line)

    @Slot(str)
    def _on_line(self, line: str) -> None:
        try:
            msg = json.loads(line)
        except ValueError:
            return
        if "error" in msg:
            self._speaking = None
            self.died.emit(f"The speech engine failed: {msg['error']}")
        elif "done" in msg and msg["done"] == self._speaking:
            self._speaking = None
            self.finished.emit()

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            if sys.platform == "win32":
                proc.kill()
            else:
                os.killpg(proc.pid, signal.SIGKILL)  # the host and the audio player it started
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait(timeout=5)
