"""Pressing a control by name on a real X server: the running VocaLens is asked from the
command line to find or click a control of a real GTK dialog (zenity), sees it in the
screen's pixels only, says what it does, and the dialog's own exit code says what was
pressed; keys typed afterwards reach the program clicked."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e import app_env, wait_for, xserver

pytestmark = [pytest.mark.display, pytest.mark.slow]

if shutil.which("Xvfb") is None or shutil.which("zenity") is None:
    pytest.skip(
        "Xvfb and zenity are needed (the test command installs them)", allow_module_level=True
    )

COMMAND = [sys.executable, "-m", "vocalens.desktop"]


def heard(speech: Path) -> str:
    return "\n".join(t.read_text() for t in sorted(speech.glob("*.wav.txt")))


def shown(title: str, env: dict[str, str]) -> bool:
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", title], env=env, capture_output=True
    )
    return found.returncode == 0


def ask(env: dict[str, str], *args: str) -> None:
    run = subprocess.run([*COMMAND, *args], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr


def test_find_and_click_by_name_in_a_real_dialog(tmp_path) -> None:
    with xserver() as display:
        env = app_env(display, tmp_path)
        (tmp_path / "config" / "settings.json").write_text(
            json.dumps({"model": str(tmp_path / "no-model"), "speech_engine": "pyttsx3"})
        )
        app = subprocess.Popen(
            [*COMMAND, "--no-tray"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        speech = tmp_path / "speech"
        try:
            wait_for(lambda: list(speech.glob("*.wav")), "the start-up notice was spoken", app)
            for button, code in (("Yes", 0), ("No", 1)):
                dialog = subprocess.Popen(
                    ["zenity", "--question", "--text", "Delete the selected files?"], env=env
                )
                wait_for(lambda: shown("Question", env), "the dialog showed", app)
                if button == "Yes":
                    ask(env, "--find", "yes")
                    wait_for(lambda: "Button: Yes, " in heard(speech), "where Yes is was said")
                ask(env, "--click", button)
                assert dialog.wait(120) == code, f"{button} was not the button pressed"
                wait_for(lambda b=button: f"Clicking Button: {b}, " in heard(speech),
                         "the click was said")  # fmt: skip

            entry = subprocess.Popen(
                ["zenity", "--entry", "--text", "Name of the new folder:"],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            wait_for(lambda: shown("Add a new entry", env), "the entry dialog showed", app)
            ask(env, "--click", "Name of the new folder")
            wait_for(lambda: "Clicking Text field, empty: Name of the new folder" in heard(speech),
                     "the field was clicked")  # fmt: skip
            subprocess.run(["xdotool", "type", "--delay", "30", "Reports"], env=env, check=True)
            ask(env, "--click", "OK")
            out, _ = entry.communicate(timeout=120)
            assert entry.returncode == 0 and out.strip() == "Reports"

            ask(env, "--click", "Frobnicate")
            wait_for(lambda: "Nothing on the screen matches “Frobnicate”" in heard(speech),
                     "a click that found nothing was said")  # fmt: skip
            ask(env, "--quit")
            assert app.wait(120) == 0
        finally:
            if app.poll() is None:
                app.kill()
            print(app.communicate()[0].decode(errors="replace"))
            print(heard(speech))
