"""Only our own words reach the user's terminal: no library's bars, log lines or warnings."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

CLI = [sys.executable, "-m", "vocalens.core.cli.main"]


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **env}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, env=environ)


def test_a_first_load_and_caption_leave_stderr_empty(fresh_model_dir, tmp_path) -> None:
    image = tmp_path / "red.png"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(image)
    out = run(["caption", str(image), "--model", str(fresh_model_dir)])  # auto: checks once
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"{image}\t") and out.stderr == ""


def test_describing_an_image_without_text_leaves_stderr_empty(tiny_model_dir, tmp_path) -> None:
    image = tmp_path / "blank.png"
    Image.new("RGB", (320, 200), "white").save(image)  # OCR finds no text: RapidOCR warns
    out = run(["describe", str(image), "--model", str(tiny_model_dir)])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() and out.stderr == ""


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once the socket is closed


def test_a_download_without_network_says_one_whole_sentence(tmp_path: Path) -> None:
    proxy = f"http://127.0.0.1:{closed_port()}"  # every connection is refused, for real
    env = {"HTTPS_PROXY": proxy, "HTTP_PROXY": proxy, "HF_HUB_OFFLINE": "0", "NO_PROXY": ""}
    started = time.monotonic()
    out = run(["models", "download", "clipcap-coco"], **env)
    assert time.monotonic() - started <= 10  # said at once, not after the hub's retries
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        "vocalens: Could not download coco_weights.pt: the internet could not be reached.",
        "  Check the connection (and any proxy), then run the download again; the files "
        "already fetched are kept. Without internet, copy a model folder from another "
        "computer and choose it as the model in Settings.",
    ]


LOG_FLOOD = """
import logging, sys
from pathlib import Path
from vocalens.core.quiet import quiet_libraries
quiet_libraries(Path(sys.argv[1]))
log = logging.getLogger("vocalens.flood")
for _ in range(100_000):
    log.warning("A remote command was refused: the message is not a VocaLens command.")
for n in range(30_000):  # 30 MB of different lines
    log.warning("line %d %s", n, "x" * 1000)
"""


def test_the_log_stays_small_whatever_is_logged(tmp_path: Path) -> None:
    log = tmp_path / "log" / "vocalens.log"
    subprocess.run([sys.executable, "-c", LOG_FLOOD, str(log)], check=True, timeout=300)
    files = sorted(log.parent.iterdir())
    assert [p.name for p in files] == [f"vocalens.log{s}" for s in ("", ".1", ".2", ".3")]
    assert sum(p.stat().st_size for p in files) <= 10 << 20
    assert "line 29999 " in log.read_text()  # the newest lines are kept


def test_repeated_lines_are_counted_not_written(tmp_path: Path) -> None:
    log = tmp_path / "vocalens.log"
    flood = LOG_FLOOD.replace("range(30_000)", "range(2)")
    subprocess.run([sys.executable, "-c", flood, str(log)], check=True, timeout=300)
    lines = log.read_text().splitlines()
    assert len(lines) == 3
    assert "(The line above was repeated 99999 more times.) line 0" in lines[1]
