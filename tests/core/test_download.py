"""Downloads against a local stand-in for the model hub: stopping one, and starting again."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DATA = os.urandom(24 << 20)  # a 24 MiB "checkpoint": the hub reports every 10 MB
SERVED = {"data": DATA}  # what the stand-in serves now
FILE = "/someone/weights/resolve/main/coco_weights.pt"


class Hub(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.serve(body=False)

    def do_GET(self) -> None:
        self.serve(body=True)

    def serve(self, body: bool) -> None:
        if self.path.split("?")[0] != FILE:
            self.send_response(404)
            self.send_header("X-Error-Code", "EntryNotFound")
            self.end_headers()
            return
        data = SERVED["data"]
        start = 0
        asked = self.headers.get("Range")
        if body and asked:
            start = int(re.match(r"bytes=(\d+)-", asked).group(1))  # type: ignore[union-attr]
        self.send_response(206 if start else 200)
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        self.send_header("X-Repo-Commit", hashlib.sha1(data).hexdigest())  # a new commit
        self.send_header("Accept-Ranges", "bytes")
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if body:
            for at in range(start, len(data), 64 << 10):  # slowly, as over a real network
                self.wfile.write(data[at : at + (64 << 10)])
                time.sleep(0.002)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SERVED["data"] = DATA
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


SCRIPT = """
import sys, threading
from pathlib import Path
from vocalens.core import DownloadCancelled, ModelError
from vocalens.core.download import _reporting_tqdm, fetch_file
from vocalens.core.registry import HubFile

cancel = threading.Event()
def progress(what, done, total):
    if done > 0 and sys.argv[1] == "stop":
        cancel.set()
try:
    source = HubFile("someone/weights", "coco_weights.pt")
    path = fetch_file(source, _reporting_tqdm(progress, cancel))
except (DownloadCancelled, ModelError) as exc:
    print("stopped:", exc)
else:
    print("done:", path)
"""


def fetch(hub: str, how: str, cache: Path) -> str:
    env = {**os.environ, "HF_ENDPOINT": hub, "HF_HUB_OFFLINE": "0", "NO_PROXY": "127.0.0.1"}
    env |= {"VOCALENS_CACHE_DIR": str(cache), "HF_HUB_DISABLE_XET": "1"}
    cmd = [sys.executable, "-c", SCRIPT, how]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a_stopped_download_leaves_nothing_half_done_and_can_start_again(hub, tmp_path) -> None:
    said = fetch(hub, "stop", tmp_path)
    assert (
        said
        == "stopped: The download was stopped. Start it again; the files already fetched are kept."
    )
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and p.stat().st_size == len(DATA)]
    said = fetch(hub, "again", tmp_path)
    assert said.startswith("done: ")
    assert Path(said.removeprefix("done: ")).read_bytes() == DATA
    assert fetch(hub, "again", tmp_path) == said  # kept: not fetched a second time


def test_a_damaged_cached_copy_is_deleted_and_fetched_again(hub, tmp_path) -> None:
    said = fetch(hub, "go", tmp_path)
    path = Path(said.removeprefix("done: "))
    blob = path.resolve()
    blob.write_bytes(b"damaged on disk" + DATA[15:])  # same size, other bytes
    assert fetch(hub, "go", tmp_path) == said
    assert path.read_bytes() == DATA


def test_a_file_that_changed_at_its_source_is_refused(hub, tmp_path) -> None:
    fetch(hub, "go", tmp_path)  # the first download records its sha256
    SERVED["data"] = os.urandom(len(DATA))  # the mirror now serves something else
    said = fetch(hub, "go", tmp_path.parent / f"{tmp_path.name}-other-cache")
    assert said.startswith("done: ")  # another cache: nothing recorded there, so taken
    said = fetch(hub, "go", tmp_path)
    assert said.startswith("stopped: coco_weights.pt does not match the copy first downloaded")
    kept = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()]
    assert SERVED["data"] not in kept and DATA in kept  # the changed file is gone, ours stays
