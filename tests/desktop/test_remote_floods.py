"""The running app outlives what anyone can send its socket: a thousand connections held
open, ten megabytes of garbage, JSON nested 100 000 deep, commands of the wrong shape. After
them a second launch still hands over its file and it is described; the log stays small."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.e2e import wait_for
from vocalens.desktop.remote import server_name

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files only")
APP = [sys.executable, "-m", "vocalens.desktop"]


def few_files() -> None:  # the app's own limit, low enough that a flood would exhaust it
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def flood(where: str) -> None:
    with contextlib.ExitStack() as held:
        for _ in range(1000):
            client = held.enter_context(socket.socket(socket.AF_UNIX))
            client.settimeout(1)
            with contextlib.suppress(OSError):  # refused or closed by the app: the point
                client.connect(where)
    garbage(where)


def garbage(where: str) -> None:
    with socket.socket(socket.AF_UNIX) as client:
        client.connect(where)
        with contextlib.suppress(OSError):  # the app closes a connection that only refuses
            for _ in range(10 * 1024):
                client.sendall(b"\n" * 511 + b"x" * 513)  # 10 MB of empty and garbage lines
    for raw in (b"[" * 100_000 + b"]" * 100_000, b'{"action": ["x"]}', b'{"action": {}}'):
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(where)
            client.sendall(raw + b"\n")
            client.settimeout(10)
            answer = client.recv(4096)
            assert json.loads(answer)["refused"] == "the message is not a VocaLens command"


@pytest.mark.timeout(300)
def test_floods_leave_the_remote_working(tmp_path: Path, tiny_model_dir: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "VOCALENS_CONFIG_DIR": str(tmp_path / "config"),
        "VOCALENS_DATA_DIR": str(tmp_path / "data"),
        "XDG_RUNTIME_DIR": str(tmp_path / "run"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    (tmp_path / "run").mkdir(mode=0o700, exist_ok=True)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.json").write_text(
        json.dumps({"model": str(tiny_model_dir), "speech_engine": "none"})
    )
    image = tmp_path / "notice.png"
    picture = Image.new("RGB", (640, 160), "white")
    ImageDraw.Draw(picture).text((20, 50), "Backup finished", fill="black",
                                 font=ImageFont.load_default(size=40))  # fmt: skip
    picture.save(image)
    where = str(tmp_path / "run" / "vocalens" / server_name())
    app = subprocess.Popen(
        [*APP, "--no-tray"], env=env, preexec_fn=few_files,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_for(lambda: Path(where).exists(), "the app listened", app, cap=60)
        flood(where)
        remote = subprocess.run(
            [*APP, "--describe", str(image)], env=env, capture_output=True, text=True, timeout=60
        )
        assert remote.returncode == 0 and remote.stderr == "", remote.stderr
        db = tmp_path / "data" / "history.db"

        def described() -> list[tuple[str, str]]:
            if not db.exists():
                return []
            with sqlite3.connect(db) as con:
                return con.execute("SELECT source, spoken FROM descriptions").fetchall()

        source, spoken = wait_for(described, "the file was described", app, cap=120)[0]
        assert source == "file" and "Backup finished" in spoken
        logs = list((tmp_path / "state").rglob("vocalens.log*"))
        assert logs and sum(p.stat().st_size for p in logs) <= 10 << 20
        subprocess.run([*APP, "--quit"], env=env, timeout=60, check=True)
        out, _ = app.communicate(timeout=60)
        assert "Traceback" not in out, out
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate(timeout=10)


def test_an_instance_that_does_not_answer_is_said(tmp_path: Path, monkeypatch) -> None:
    """Another process holds the single-instance lock but no socket answers: a launch says so
    instead of "already running" and doing nothing."""
    from PySide6.QtCore import QLockFile

    from vocalens.desktop.remote import address

    (tmp_path / "run").mkdir(mode=0o700, exist_ok=True)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    lock = QLockFile(address(server_name()) + ".lock")
    assert lock.tryLock(200)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "VOCALENS_DATA_DIR": str(tmp_path)}
    out = subprocess.run(
        [*APP, "--describe", "screen"], env=env, capture_output=True, text=True, timeout=60
    )
    lock.unlock()
    assert out.returncode == 1
    assert out.stderr.strip() == (
        "VocaLens is running but does not answer. Quit it from its menu (or end its process) "
        "and start it again."
    )
