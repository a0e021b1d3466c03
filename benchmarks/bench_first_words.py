"""How soon a screen description is heard: the real app on Xvfb with an accessibility bus,
listened to as a screen reader listens (AT-SPI announcements, `atspi_listen.py` under the
system Python with pyatspi), with speech written to WAV files as it is made. An application
window of ~30 lines (1280×800) or ~80 lines (1920×1080) fills the screen and is the active
window (with ``--on-top``, VocaLens's own window is opened over it, as on a desktop without a
tray: it must be left out, not read); VocaLens runs with the real-size model (random
weights, int8). From the remote request (`vocalens-desktop --describe screen`) it measures
the first and the last announcement, the first spoken audio (its WAV file written) and when
the whole description is ready (kept in the history): for a first screen, a changed one, and
the same one again.

    python benchmarks/bench_first_words.py [--app build/bundle/dist/VocaLens] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import LISTENING, gpt2_vocab, machine, report

HERE = Path(__file__).resolve().parent
SIZES = {"1280x800": (30, 11), "1920x1080": (80, 9)}  # lines, and points so they all show

OTHER_APP = r"""
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QTextEdit
width, height, lines, points = (int(v) for v in sys.argv[1:5])
change = Path(sys.argv[5])
app = QApplication([])
page = QTextEdit()
page.setWindowTitle("Quarterly report.txt")
page.setFont(QFont("DejaVu Sans", points))
def fill(version):
    page.setPlainText("\n".join(
        f"{i + 1}. Sales in region {i % 7 + 1} rose by {(i + version) * 3 % 17} percent over "
        f"quarter {version + 1}" for i in range(lines)))
fill(0)
def poll():
    if change.exists():
        fill(int(change.read_text() or 0))
        change.unlink()
timer = QTimer()
timer.timeout.connect(poll)
timer.start(50)
page.setGeometry(0, 0, width, height)
page.show()
app.processEvents()
from Xlib import X, display  # as a window manager would: this window is the active one
d = display.Display()
root = d.screen().root
root.change_property(d.intern_atom("_NET_ACTIVE_WINDOW"), d.intern_atom("WINDOW"), 32,
                     [int(page.winId())])
d.flush()
print("ready", flush=True)
app.exec()
"""


def commands(app: Path | None) -> list[str]:
    return [str(app / "vocalens-desktop")] if app else [sys.executable, "-m", "vocalens.desktop"]


def run_size(
    size: str, lines: int, points: int, app_cmd: list[str], model: Path, tmp: Path
) -> dict:
    width, height = (int(v) for v in size.split("x"))
    work = tmp / size
    (work / "run").mkdir(parents=True, mode=0o700)
    (work / "config").mkdir()
    settings = {"model": str(model), "precision": "int8", "decoding": "greedy",
                "speech_engine": "pyttsx3", "load_at_start": True,
                "output": "both"}  # heard as a screen reader hears it, and spoken  # fmt: skip
    (work / "config" / "settings.json").write_text(json.dumps(settings))
    display = f":{83 + list(SIZES).index(size)}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{width}x{height}x24",
                             "-nolisten", "tcp"], stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(1.5)
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=display, QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
               VOCALENS_CONFIG_DIR=str(work / "config"), VOCALENS_DATA_DIR=str(work / "data"),
               XDG_RUNTIME_DIR=str(work / "run"), XDG_STATE_HOME=str(work / "state"),
               VOCALENS_SPEECH_RECORD_DIR=str(work / "speech"))  # fmt: skip
    script = work / "session.py"
    script.write_text(SESSION)
    try:
        subprocess.run(
            ["dbus-run-session", "--", sys.executable, str(script), json.dumps(app_cmd),
             sys.executable, OTHER_APP, *map(str, (width, height, lines, points, work))],
            env=env, stdout=subprocess.DEVNULL, timeout=900, check=True,
        )  # fmt: skip
        return json.loads((work / "result.json").read_text())
    finally:
        xvfb.terminate()
        xvfb.wait(10)


SESSION = (
    LISTENING
    + r"""
import json, os, sqlite3, subprocess, sys, time
from pathlib import Path
app_cmd = json.loads(sys.argv[1])
python, other, width, height, lines, points, work = sys.argv[2:9]
work = Path(work)
app = subprocess.Popen([*app_cmd, "--no-tray"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
time.sleep(12)  # started, model and text reader loaded
window = subprocess.Popen([python, "-c", other, width, height, lines, points,
                           str(work / "change")],
                          stdout=subprocess.PIPE, text=True)
assert window.stdout.readline().strip() == "ready"
time.sleep(1)
if os.environ.get("BENCH_ON_TOP") == "1":  # VocaLens's window open over it (no tray)
    subprocess.run([*app_cmd, "--show"], check=True, timeout=120)
    time.sleep(1)
db = work / "data" / "history.db"
speech = work / "speech"
results = []
for attempt in range(3):  # a first screen; another (the page changed); the same again
    if attempt == 1:
        (work / "change").write_text("1")
        while (work / "change").exists():
            time.sleep(0.05)
        time.sleep(0.5)
    count = 0
    if db.exists():
        with sqlite3.connect(db) as con:
            count = con.execute("SELECT count(*) FROM descriptions").fetchone()[0]
    wavs = set(speech.glob("*.wav")) if speech.exists() else set()
    heard.clear()
    start = time.time()
    subprocess.run([*app_cmd, "--describe", "screen"], check=True, timeout=120)
    while True:
        with sqlite3.connect(db) as con:
            if con.execute("SELECT count(*) FROM descriptions").fetchone()[0] > count:
                ready = time.time()
                break
        time.sleep(0.02)
    time.sleep(1.0)  # the last announcements arrive
    with sqlite3.connect(db) as con:
        text = con.execute("SELECT text FROM descriptions ORDER BY id DESC").fetchone()[0]
    new = sorted(set(speech.glob("*.wav")) - wavs, key=lambda p: p.stat().st_mtime)
    first_audio = min((p.stat().st_mtime for p in new), default=None)
    results.append({
        "first_announcement_s": round(heard[0][0] - start, 3) if heard else None,
        "last_announcement_s": round(heard[-1][0] - start, 3) if heard else None,
        "announcements": len(heard),
        "whole_description_ready_s": round(ready - start, 3),
        "first_audio_s": round(first_audio - start, 3) if first_audio else None,
        "first_words": heard[0][1][:80] if heard else "",
        "lines_read": len(text.splitlines()),
        "last_line_read": text.splitlines()[-1] if text else "",
        "vocalens_words": any(w in text for w in ("VocaLens", "Describe screen")),
    })
    time.sleep(2)
subprocess.run([*app_cmd, "--quit"], timeout=60)
app.wait(60)
window.kill(); listener.kill(); bus.kill()
summary = {"first": results[0], "changed": results[1], "unchanged": results[2]}
(work / "result.json").write_text(json.dumps(summary))
"""
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", type=Path, help="a packaged app folder (default: this Python)")
    parser.add_argument("--sizes", nargs="+", default=list(SIZES))
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--on-top", action="store_true", help="VocaLens's window open over the page (no tray)"
    )
    args = parser.parse_args()
    if args.on_top:
        os.environ["BENCH_ON_TOP"] = "1"
    for tool in ("Xvfb", "dbus-run-session", "/usr/libexec/at-spi-bus-launcher"):
        if shutil.which(tool) is None and not Path(tool).exists():
            sys.exit(f"{tool} is needed (apt-get install xvfb dbus at-spi2-core python3-pyatspi)")
    from vocalens.core import save_captioner
    from vocalens.core.testing import real_size_captioner

    os.environ["ATSPI_LISTEN"] = str(HERE / "atspi_listen.py")
    tmp = Path(tempfile.mkdtemp())
    try:
        model = save_captioner(real_size_captioner(gpt2_vocab()), tmp / "model",
                               include_decoder=True)  # fmt: skip
        subprocess.run(
            [
                sys.executable,
                "-m",
                "vocalens.core.cli.main",
                "caption",
                str(HERE.parent / "resources" / "samples" / "house-on-a-hill.png"),
                "--model",
                str(model),
                "--precision",
                "int8",
            ],
            check=True,
            capture_output=True,
        )  # converted before the app starts
        results: dict[str, object] = {"machine": machine()}
        for size in args.sizes:
            results[size] = run_size(size, *SIZES[size], commands(args.app), model, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(results, args.out)


if __name__ == "__main__":
    main()
