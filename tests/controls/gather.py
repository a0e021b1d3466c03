"""Screenshots of real programs' windows, each with the accessibility tree that grades what
is found in its pixels: run under Xvfb on a private accessibility bus (``gather``). The
tree is read by ``atspi_tree.py`` with the system Python; the recogniser never sees it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ..e2e import xserver
from .programs import Program, programs

HERE = Path(__file__).resolve().parent
SCREEN = (1280, 800)


def gather(chosen: list[Program], folder: Path) -> list[Path]:
    """Shoot each program not shot yet into ``folder`` (``NAME.png`` and ``NAME.json``);
    returns the JSON files of all of them."""
    folder.mkdir(parents=True, exist_ok=True)
    missing = [p.name for p in chosen if not (folder / f"{p.name}.json").exists()]
    if missing:
        with xserver() as display:
            env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
            run = subprocess.run(
                [
                    "dbus-run-session",
                    "--",
                    sys.executable,
                    "-m",
                    "tests.controls.gather",
                    str(folder),
                    *missing,
                ],
                env=env,
                cwd=HERE.parents[1],
                capture_output=True,
                text=True,
                timeout=1200,
            )
        if run.returncode != 0:
            raise RuntimeError(run.stderr[-3000:])
    return [folder / f"{p.name}.json" for p in chosen]


def started(program: Program) -> subprocess.Popen:
    env = {
        **os.environ,
        **program.env,
        "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
        "GTK_MODULES": "gail:atk-bridge",
        "NO_AT_BRIDGE": "0",
    }
    return subprocess.Popen(
        program.command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )


def tree_of(pid: int, wait: float = 30) -> list[dict]:
    """The program's tree, once its window shows a control (within ``wait`` seconds)."""
    deadline = time.monotonic() + wait
    while True:
        run = subprocess.run(
            ["/usr/bin/python3", str(HERE / "atspi_tree.py"), str(pid)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if run.returncode == 0:
            return json.loads(run.stdout)
        if time.monotonic() > deadline:
            raise RuntimeError(run.stderr.strip())
        time.sleep(0.3)


def bus() -> subprocess.Popen:
    launcher = subprocess.Popen(
        ["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
    return launcher


def _session(folder: Path, names: list[str]) -> None:
    import mss
    from PIL import Image

    by_name = {p.name: p for p in programs()}
    launcher = bus()
    try:
        for name in names:
            program = by_name[name]
            proc = started(program)
            try:
                tree_of(proc.pid)
                time.sleep(0.6)  # the first frame drawn, the cursor's blink settled
                nodes = tree_of(proc.pid)
                with mss.MSS() as grabber:
                    shot = grabber.grab(grabber.monitors[1])
                Image.frombytes("RGB", shot.size, shot.bgra, "raw", "BGRX").save(
                    folder / f"{name}.png"
                )
                (folder / f"{name}.json").write_text(json.dumps({"name": name, "nodes": nodes}))
            finally:
                proc.kill()
                proc.wait()
    finally:
        launcher.terminate()


if __name__ == "__main__":
    _session(Path(sys.argv[1]), sys.argv[2:])
