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
