"""What a user's machine carries: the packaged app (``--app DIR``, default the one `make bundle`
builds) or, without one, this environment. With the real-size model (random weights, converted
once, int8 — the precision a model gets when int8 agrees with fp32):

- ``vocalens caption one.jpg`` from the shell: wall time and peak memory, in fresh processes;
- the desktop app on Xvfb: memory after its first description of a screen with a window of
  text beside a photo (asked for through its remote),
  and its CPU use while idle; again on a first start, when it converts the model first.

    python benchmarks/bench_footprint.py [--app build/bundle/dist/VocaLens] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from common import gpt2_vocab, machine, report

ROOT = Path(__file__).resolve().parents[1]
PHOTO = ROOT / "resources" / "samples" / "house-on-a-hill.png"


def commands(app: Path | None) -> tuple[list[str], list[str]]:
    """The command line and the desktop app, packaged or from this environment."""
    if app is not None:
        return [str(app / "vocalens")], [str(app / "vocalens-desktop")]
    return [sys.executable, "-m", "vocalens.core.cli.main"], [sys.executable, "-m",
                                                              "vocalens.desktop"]  # fmt: skip


WATCH = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def measured(args: list[str]) -> tuple[float, float]:
    """Wall time (ms) and peak RSS (MB) of one run, in a watcher of its own."""
    out = subprocess.run([sys.executable, "-c", WATCH, *args], check=True, capture_output=True,
                         text=True).stdout.split()  # fmt: skip
    return float(out[0]) * 1e3, int(out[1]) * 1024 / 1e6


def status(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024 * 1.048576  # kB → MB
    return fields


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(pid: int, most: float = 120) -> None:
    """Wait until the process has used under 2 % of a core for a whole second (at most
    ``most`` seconds): its work is done, speech included."""
    deadline = time.time() + most
    while time.time() < deadline:
        before = cpu_seconds(pid)
        time.sleep(1)
        if cpu_seconds(pid) - before < 0.02:
            return


def cli(cli_cmd: list[str], model: Path, image: Path, precision: str, repeats: int) -> dict:
    args = [*cli_cmd, "caption", str(image), "--model", str(model), "--greedy"]
    args += ["--precision", precision]
    subprocess.run(args, check=True, capture_output=True)  # converts, and fills the file cache
    runs = [measured(args) for _ in range(repeats)]
    return {
        "wall_ms": round(statistics.median(r[0] for r in runs), 1),
        "peak_mb": round(max(r[1] for r in runs), 1),
    }


SCREEN = r"""
import sys
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QTextEdit, QWidget
app = QApplication([])
window = QWidget()
window.setWindowTitle("Trip notes")
page = QTextEdit()
page.setFont(QFont("DejaVu Sans", 11))
page.setPlainText("\n".join(f"Day {i + 1}: we walked {i % 5 + 3} miles to the house on the hill"
                            for i in range(28)))
photo = QLabel()
photo.setPixmap(QPixmap(sys.argv[1]).scaledToWidth(560))
row = QHBoxLayout(window)
row.addWidget(page)
row.addWidget(photo)
window.setGeometry(0, 0, 1280, 800)
window.show()
app.processEvents()
print("ready", flush=True)
app.exec()
"""


def desktop(app_cmd: list[str], model: Path, tmp: Path, idle: float) -> dict:
    xvfb = subprocess.Popen(["Xvfb", ":78", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stderr=subprocess.DEVNULL)  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=":78", VOCALENS_CONFIG_DIR=str(tmp / "config"),
               VOCALENS_DATA_DIR=str(tmp / "data"), XDG_RUNTIME_DIR=str(tmp / "run"),
               VOCALENS_SPEECH_RECORD_DIR=str(tmp / "speech"))  # fmt: skip
    (tmp / "run").mkdir(mode=0o700)
    (tmp / "config").mkdir()
    settings = {"model": str(model), "precision": "int8", "decoding": "greedy",
                "load_at_start": True}  # fmt: skip
    (tmp / "config" / "settings.json").write_text(json.dumps(settings))
    time.sleep(1.5)
    app = subprocess.Popen([*app_cmd, "--no-tray"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)  # fmt: skip
    screen = None
    try:
        time.sleep(10)  # started and loaded
        started = status(app.pid)
        # what a user's screen shows: a window of text beside a photo
        screen = subprocess.Popen([sys.executable, "-c", SCREEN, str(PHOTO)], env=env,
                                  stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert screen.stdout is not None and screen.stdout.readline().strip() == "ready"
        time.sleep(1)
        subprocess.run([*app_cmd, "--describe", "screen"], env=env, check=True, timeout=300)
        db = tmp / "data" / "history.db"
        deadline = time.time() + 300
        while time.time() < deadline:
            if db.exists():
                with sqlite3.connect(db) as con:
                    if con.execute("SELECT count(*) FROM descriptions").fetchone()[0]:
                        break
            time.sleep(0.2)
        time.sleep(1)
        settle(app.pid)  # described, spoken and saved
        after = status(app.pid)
        cpu0 = cpu_seconds(app.pid)
        time.sleep(idle)
        cpu = (cpu_seconds(app.pid) - cpu0) / idle * 100
        subprocess.run([*app_cmd, "--quit"], env=env, timeout=60)
        app.wait(60)
    finally:
        if app.poll() is None:
            app.kill()
        if screen is not None:
            screen.kill()
        xvfb.terminate()
        xvfb.wait(10)  # its display is free again for the next run
    return {
        "rss_started_mb": round(started["VmRSS"], 1),
        "rss_after_first_description_mb": round(after["VmRSS"], 1),
        "peak_mb": round(after["VmHWM"], 1),
        "idle_cpu_percent": round(cpu, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", type=Path, default=ROOT / "build" / "bundle" / "dist" / "VocaLens")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from vocalens.core import save_captioner
    from vocalens.core.testing import real_size_captioner

    app = args.app if (args.app / "vocalens").is_file() else None
    cli_cmd, app_cmd = commands(app)
    tmp = Path(tempfile.mkdtemp())
    try:
        model = save_captioner(real_size_captioner(gpt2_vocab()), tmp / "model",
                               include_decoder=True)  # fmt: skip
        image = tmp / "photo.jpg"
        Image.open(PHOTO).convert("RGB").save(image)
        results: dict[str, object] = {"machine": machine(), "what": str(app or sys.prefix)}
        results["cli_int8"] = cli(cli_cmd, model, image, "int8", args.repeats)
        if shutil.which("Xvfb"):
            results["desktop_int8"] = desktop(app_cmd, model, tmp, args.idle_seconds)
            # a first start: the app converts the model (in a helper process) before it describes
            fresh = tmp / "first-start"
            shutil.copytree(model, fresh / "model", ignore=shutil.ignore_patterns("onnx"))
            results["desktop_int8_converting_first"] = desktop(app_cmd, fresh / "model", fresh,
                                                               args.idle_seconds)  # fmt: skip
        results["bundle_mb"] = (
            round(sum(f.stat().st_size for f in app.rglob("*") if not f.is_symlink()) / 1e6, 1)
            if app
            else None
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(results, args.out)


if __name__ == "__main__":
    main()
