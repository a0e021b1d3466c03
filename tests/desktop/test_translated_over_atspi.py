"""VocaLens's windows as a screen reader hears them, in each language it ships: the real app
runs on Xvfb with an accessibility bus, opens its main window, settings and history, and
every name and description its accessibility tree gives is read (with the system Python's
pyatspi, as Orca reads it). None of them may be one of our English phrases left untranslated,
and the windows' own titles must be there, in the language."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("babel", reason="Babel (the dev extra) reads the catalogues")
from babel.messages.pofile import read_po

from ..e2e import app_env, xserver
from ..pseudo_language import LOCALE, template

pytestmark = [pytest.mark.display, pytest.mark.slow]

if shutil.which("Xvfb") is None or not Path("/usr/libexec/at-spi-bus-launcher").exists():
    pytest.skip("Xvfb and at-spi2-core are needed (the test command installs them)",
                allow_module_level=True)  # fmt: skip

ROOT = Path(__file__).resolve().parents[2]
SESSION = r"""
import json, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
from tests.controls.gather import bus, tree_of
from vocalens.desktop.remote import send
launcher = bus()
app = subprocess.Popen([sys.executable, "-m", "vocalens.desktop", "--no-tray"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    tree_of(app.pid, wait=120)
    for action in ("settings", "history"):
        assert send({"action": action})
    time.sleep(2)
    print(json.dumps(tree_of(app.pid)))
    send({"action": "quit"})
    app.wait(60)
finally:
    if app.poll() is None:
        app.kill()
    launcher.terminate()
"""


def english_phrases(language: str) -> tuple[set[str], dict[str, str]]:
    """Our English phrases that this language says otherwise, and each one's translation."""
    with open(LOCALE / language / "LC_MESSAGES" / "vocalens.po", "rb") as f:
        catalogue = read_po(f, locale=language)
    english, said = set(), {}
    for message in template():
        if not message.id or isinstance(message.id, tuple) or "{" in message.id:
            continue
        found = catalogue.get(message.id, message.context)
        ours = found.string if found is not None else ""
        if ours and ours.replace("&", "") != message.id.replace("&", ""):
            english.add(message.id.replace("&", ""))
            said[message.id] = ours.replace("&", "")
    return english, said


@pytest.mark.parametrize("language", ["de", "es", "fr", "pl", "ru"])
def test_every_window_speaks_the_language(tmp_path, language) -> None:
    english, said = english_phrases(language)
    with xserver() as display:
        env = app_env(display, tmp_path)
        env["QT_LINUX_ACCESSIBILITY_ALWAYS_ON"] = "1"
        (tmp_path / "config" / "settings.json").write_text(
            json.dumps(
                {"model": str(tmp_path / "no-model"), "speech_engine": "none", "language": language}
            )
        )
        run = subprocess.run(
            ["dbus-run-session", "--", sys.executable, "-c", SESSION, str(ROOT)],
            env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    nodes = json.loads(run.stdout.strip().splitlines()[-1])
    heard = {text.strip() for n in nodes for text in (n["name"], n["description"]) if text}
    assert heard & english == set(), f"{language}: English left in the windows"
    for title in ("Settings", "History", "Describe &screen"):
        assert said[title] in heard, f"{language}: {said[title]!r} (the {title} window) not heard"
