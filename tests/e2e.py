"""Running the real desktop application on a real X server (Xvfb), from source or packaged:
describe the screen through the remote, hear it (speech written to WAV files), find it in the
history, and quit."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def xserver() -> Iterator[str]:
    for number in range(90, 110):
        if not Path(f"/tmp/.X11-unix/X{number}").exists():
            break
    proc = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert time.time() < deadline, "Xvfb did not start"
            time.sleep(0.1)
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(10)


def wait_for(check, what: str, app: subprocess.Popen | None = None, cap: float = 600):
    """Wait for ``check`` to hold: on the event itself, not on a guess of how long it takes on
    a busy machine. ``cap`` only stops a hung run; an app that exits ends the wait at once."""
    deadline = time.monotonic() + cap
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        if app is not None and app.poll() is not None:
            raise AssertionError(f"the app exited ({app.returncode}) before {what}")
        time.sleep(0.25)
    raise AssertionError(f"{what} did not happen within {cap:.0f} s")


OTHER_APP = """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("Quarterly report ready")
label.setStyleSheet("font-size: 40px; background: white; color: black; padding: 30px")
label.setGeometry(300, 380, 600, 200)  # over part of VocaLens
label.show()
app.exec()
"""


def app_env(display: str, tmp_path: Path) -> dict[str, str]:
    """The environment of an app run on ``display`` with its folders under ``tmp_path``
    (made here), speech written to WAV files in ``tmp_path / "speech"``."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(
        DISPLAY=display,
        VOCALENS_CONFIG_DIR=str(tmp_path / "config"),
        VOCALENS_DATA_DIR=str(tmp_path / "data"),
        VOCALENS_SPEECH_RECORD_DIR=str(tmp_path / "speech"),
        XDG_RUNTIME_DIR=str(tmp_path / "run"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg"),
        XDG_STATE_HOME=str(tmp_path / "state"),  # the app's log
    )
    (tmp_path / "run").mkdir(mode=0o700, exist_ok=True)
    (tmp_path / "config").mkdir(exist_ok=True)
    return env


def describe_screen_through_the_remote(
    app_command: list[str], display: str, tmp_path: Path, model_dir: Path
) -> str:
    """Start the app, describe the screen from a second invocation, check what was said and
    kept, quit it; returns the spoken text."""
    env = app_env(display, tmp_path)
    other = subprocess.Popen([sys.executable, "-c", OTHER_APP], env=env)  # something to read
    (tmp_path / "config" / "settings.json").write_text(
        json.dumps({"model": str(model_dir), "decoding": "greedy", "speech_engine": "pyttsx3"})
    )
    app = subprocess.Popen(
        [*app_command, "--no-tray"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        speech = tmp_path / "speech"
        # The first thing said: there is no tray here, so VocaLens lives in a window.
        wait_for(lambda: list(speech.glob("*.wav")), "the start-up notice was spoken", app)
        remote = subprocess.run(
            [*app_command, "--describe", "screen"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert remote.returncode == 0, remote.stderr
        db = tmp_path / "data" / "history.db"

        def described():
            if not db.exists():
                return None
            with sqlite3.connect(db) as con:
                return con.execute(
                    "SELECT source, spoken, model, thumbnail IS NOT NULL FROM descriptions"
                ).fetchall()

        rows = wait_for(described, "a description was kept in the history", app)
        source, spoken, model, has_thumb = rows[0]
        assert source == "screen" and model == "tiny" and has_thumb
        shot = os.environ.get("VOCALENS_E2E_SCREENSHOT")
        if shot:  # for the README's screenshots
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import mss, sys; m = mss.MSS(); m.shot(output=sys.argv[1])",
                    shot,
                ],
                env=env,
                check=True,
            )
        print(spoken)
        assert "Quarterly report ready" in spoken  # the other application's window
        assert "Describe" not in spoken and "VocaLens" not in spoken  # never itself
        said = wait_for(  # each recorded utterance has its text beside it
            lambda: [t for t in speech.glob("*.wav.txt") if "Quarterly" in t.read_text()],
            "the description was spoken",
            app,
        )
        assert Path(str(said[0]).removesuffix(".txt")).stat().st_size > 10_000  # real audio
        quit_ = subprocess.run(
            [*app_command, "--quit"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert quit_.returncode == 0
        assert app.wait(600) == 0
    finally:
        other.kill()
        other.wait(10)
        if app.poll() is None:
            app.kill()
        print("--- the app's output:", app.communicate()[0] if app.stdout else "", sep="\n")
        for log in (tmp_path / "state").rglob("*.log"):  # shown when the test fails
            print(f"--- {log}:", log.read_text(errors="replace"), sep="\n")
    return str(spoken)
