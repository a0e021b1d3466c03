"""Quitting while the model loads (which cannot be cut short) ends the app at once with exit
code 0: no abort, no core dump that could hold screen contents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

STALL = """
import time
from pathlib import Path
from vocalens.desktop import engine

def load(self, settings, notify):  # a model that takes minutes to load or convert
    Path({marker!r}).write_text("loading")
    time.sleep(600)

engine.DescribeEngine.load = load
"""


@pytest.mark.timeout(120)
def test_quit_during_a_model_load_exits_cleanly(tmp_path: Path, tiny_model_dir: Path) -> None:
    marker = tmp_path / "loading"
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(STALL.format(marker=str(marker)))
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.json").write_text(
        json.dumps({"model": str(tiny_model_dir), "load_at_start": True, "speech_engine": "none"})
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "VOCALENS_CONFIG_DIR": str(tmp_path / "config"),
        "VOCALENS_DATA_DIR": str(tmp_path / "data"),
    }
    app_cmd = [sys.executable, "-m", "vocalens.desktop", "--no-tray"]
    app = subprocess.Popen(
        app_cmd, env={**env, "PYTHONPATH": str(hook)}, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert app.poll() is None and time.monotonic() < deadline, "the load never began"
            time.sleep(0.1)
        start = time.monotonic()
        subprocess.run([*app_cmd, "--quit"], env=env, check=True, timeout=60)
        _, err = app.communicate(timeout=30)
        assert app.returncode == 0 and time.monotonic() - start < 15
        assert "QThread" not in err and "Traceback" not in err, err
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate(timeout=10)
