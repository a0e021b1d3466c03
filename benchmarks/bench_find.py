"""How soon a control found by name is heard: the real app on a 1280×800 Xvfb screen with an
accessibility bus, listened to as a screen reader listens (AT-SPI announcements through
`atspi_listen.py` under the system Python), while the held-out GTK dialogs of the controls
corpus (tests/controls) are shown one at a time. For each of their buttons, the request is
sent as a hotkey or `vocalens-desktop --find` sends it (over the app's local socket, from an
already running process, so a command line's own start is not counted) and timed until the
answer is announced and until its audio file is written.

    python benchmarks/bench_find.py [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.controls.programs import programs  # noqa: E402

from common import LISTENING, machine, report  # noqa: E402

SESSION = (
    LISTENING
    + r"""
import json, os, subprocess, sys, time
from pathlib import Path
sys.path.insert(0, os.environ["BENCH_ROOT"])
from tests.controls.programs import programs
from vocalens.desktop.remote import send
work = Path(sys.argv[1])
names = json.loads(sys.argv[2])
app = subprocess.Popen([sys.executable, "-m", "vocalens.desktop", "--no-tray"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(12)  # started, the text reader loaded
speech = work / "speech"
results = []
for program in (p for p in programs() if p.name in names):
    env = {**os.environ, **program.env}
    dialog = subprocess.Popen(program.command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    time.sleep(3)  # drawn
    for button in program.pressed:
        wavs = set(speech.glob("*.wav")) if speech.exists() else set()
        heard.clear()
        start = time.time()
        assert send({"action": "find", "target": button})
        deadline = start + 30
        while time.time() < deadline and not any(button in text for _, text in heard):
            time.sleep(0.005)
        answer = next(((at, text) for at, text in heard if button in text), None)
        time.sleep(1.5)  # its audio is written
        new = sorted(set(speech.glob("*.wav")) - wavs, key=lambda p: p.stat().st_mtime)
        results.append({
            "window": program.name, "asked": button,
            "announced_s": round(answer[0] - start, 3) if answer else None,
            "audio_written_s": round(new[0].stat().st_mtime - start, 3) if new else None,
            "heard": answer[1] if answer else "",
        })
    dialog.kill()
    time.sleep(0.5)
send({"action": "quit"})
app.wait(60)
listener.kill(); bus.kill()
(work / "result.json").write_text(json.dumps(results))
"""
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    for tool in ("Xvfb", "dbus-run-session", "zenity", "/usr/libexec/at-spi-bus-launcher"):
        if shutil.which(tool) is None and not Path(tool).exists():
            sys.exit(f"{tool} is needed (apt-get install xvfb dbus zenity at-spi2-core)")
    held = [p.name for p in programs() if p.split == "held" and p.name.startswith("zenity")]
    work = Path(tempfile.mkdtemp())
    (work / "run").mkdir(mode=0o700)
    (work / "config").mkdir()
    settings = {"model": str(work / "no-model"), "speech_engine": "pyttsx3", "output": "both"}
    (work / "config" / "settings.json").write_text(json.dumps(settings))
    display = ":87"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(1.5)
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=display, QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
               VOCALENS_CONFIG_DIR=str(work / "config"), VOCALENS_DATA_DIR=str(work / "data"),
               XDG_RUNTIME_DIR=str(work / "run"), XDG_STATE_HOME=str(work / "state"),
               VOCALENS_SPEECH_RECORD_DIR=str(work / "speech"), BENCH_ROOT=str(HERE.parent),
               ATSPI_LISTEN=str(HERE / "atspi_listen.py"))  # fmt: skip
    script = work / "session.py"
    script.write_text(SESSION)
    try:
        subprocess.run(["dbus-run-session", "--", sys.executable, str(script), str(work),
                        json.dumps(held)], env=env, timeout=1200, check=True)  # fmt: skip
        rows = json.loads((work / "result.json").read_text())
    finally:
        xvfb.terminate()
        xvfb.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    announced = [r["announced_s"] for r in rows if r["announced_s"] is not None]
    audio = [r["audio_written_s"] for r in rows if r["audio_written_s"] is not None]
    report(
        {
            "machine": machine(),
            "requests": len(rows),
            "answered": len(announced),
            "announced_median_s": round(statistics.median(announced), 3) if announced else None,
            "announced_max_s": max(announced, default=None),
            "audio_written_median_s": round(statistics.median(audio), 3) if audio else None,
            "rows": rows,
        },
        args.out,
    )


if __name__ == "__main__":
    main()
