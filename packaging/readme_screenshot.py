"""Retake the README's main screenshot: the real app on a private X server (Xvfb), no caption
model, describing a chart dropped on it. What it shows is what was said.

    .venv/bin/python packaging/readme_screenshot.py resources/screenshots/main-and-result.png
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e import wait_for, xserver  # noqa: E402
from tests.kind_set import bar_chart  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory() as tmp, xserver() as display:
        work = Path(tmp)
        chart = work / "sales-by-region.png"
        bar_chart(random.Random(3)).save(chart)
        (work / "config").mkdir()
        (work / "run").mkdir(mode=0o700)
        settings = {"model": "clipcap-coco", "speech_engine": "pyttsx3"}
        (work / "config" / "settings.json").write_text(json.dumps(settings))
        env = {
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "VOCALENS_CONFIG_DIR": str(work / "config"),
            "VOCALENS_DATA_DIR": str(work / "data"),
            "VOCALENS_MODELS_DIR": str(work / "models"),
            "VOCALENS_SPEECH_RECORD_DIR": str(work / "speech"),
            "XDG_RUNTIME_DIR": str(work / "run"),
        }
        app_cmd = [sys.executable, "-m", "vocalens.desktop"]
        log = (work / "app.log").open("w")
        app = subprocess.Popen([*app_cmd, "--no-tray"], env=env, stdout=log, stderr=log)
        try:
            time.sleep(10)  # the window is up (a model download is offered, not spoken)
            subprocess.run([*app_cmd, "--describe", str(chart)], env=env, check=True)
            wait_for(lambda: len(list((work / "speech").glob("*.wav"))) >= 2, "the words", app, 60)
            time.sleep(1.5)  # the result window paints
            print(sorted(p.name for p in (work / "speech").glob("*")), file=sys.stderr)
            grab = "import mss, sys; mss.MSS().shot(output=sys.argv[1])"
            subprocess.run([sys.executable, "-c", grab, str(out)], env=env, check=True)
        finally:
            subprocess.run([*app_cmd, "--quit"], env=env, check=False)
            app.wait(20)
            print((work / "app.log").read_text(), file=sys.stderr)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
