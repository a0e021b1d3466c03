"""The real application on a real X server: describe the screen through the remote, hear it
(speech written to WAV files), and find it in the history."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys

import pytest

from tests.e2e import app_env, describe_screen_through_the_remote, wait_for, xserver

pytestmark = [pytest.mark.display, pytest.mark.slow]

if shutil.which("Xvfb") is None:
    pytest.skip("Xvfb is not installed (the test command installs it)", allow_module_level=True)


def test_describe_screen_through_the_remote(tmp_path, tiny_model_dir) -> None:
    with xserver() as display:
        command = [sys.executable, "-m", "vocalens.desktop"]
        describe_screen_through_the_remote(command, display, tmp_path, tiny_model_dir)


EDITOR = """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
text = "\\n".join(f"Plan for {days[n % 7]} (item {n})" for n in range(1, 25))
editor = QLabel(text)
editor.setStyleSheet("font-size: 22px; background: white; color: black; padding: 10px")
editor.setGeometry(0, 0, 1280, 800)  # the whole screen, behind VocaLens's window
editor.show()
print("shown", flush=True)
app.exec()
"""


def test_its_own_window_never_hides_the_screen(tmp_path, tiny_model_dir) -> None:
    """A desktop without a tray: VocaLens's window stays open over a text window; "Describe
    screen" reads the text behind it whole, in its line order, and none of VocaLens's words."""
    with xserver() as display:
        env = app_env(display, tmp_path)
        (tmp_path / "config" / "settings.json").write_text(
            json.dumps({"model": str(tiny_model_dir), "speech_engine": "pyttsx3"})
        )
        editor = subprocess.Popen([sys.executable, "-c", EDITOR], env=env, stdout=subprocess.PIPE)
        assert editor.stdout is not None and editor.stdout.readline().strip() == b"shown"
        command = [sys.executable, "-m", "vocalens.desktop"]
        app = subprocess.Popen([*command, "--no-tray"], env=env, stdout=subprocess.DEVNULL)
        try:
            speech = tmp_path / "speech"
            wait_for(lambda: list(speech.glob("*.wav")), "the start-up notice was spoken", app)
            remote = subprocess.run(
                [*command, "--describe", "screen"], env=env, capture_output=True, timeout=600
            )
            assert remote.returncode == 0
            db = tmp_path / "data" / "history.db"

            def kept():
                if not db.exists():
                    return None
                with sqlite3.connect(db) as con:
                    return con.execute("SELECT text, spoken FROM descriptions").fetchall()

            text, spoken = wait_for(kept, "the screen was described", app)[0]
            items = [int(w.strip("()")) for w in text.split() if w.strip("()").isdigit()]
            assert items == list(range(1, 25)), text  # every line, whole, in order
            assert "VocaLens" not in text + spoken and "Describe" not in text + spoken
            subprocess.run([*command, "--quit"], env=env, capture_output=True, timeout=600)
            assert app.wait(600) == 0
        finally:
            editor.kill()
            editor.wait(10)
            editor.stdout.close()
            if app.poll() is None:
                app.kill()
