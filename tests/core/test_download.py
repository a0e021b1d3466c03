"""Downloads against a local stand-in for the model hub: stopping one, and starting again."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hub import hub_env, serve

DATA = os.urandom(24 << 20)  # a 24 MiB "checkpoint": the hub reports every 10 MB
PATH = "someone/weights/coco_weights.pt"
SERVED = {PATH: DATA}  # what the stand-in serves now


@pytest.fixture
def hub() -> Iterator[str]:
    SERVED[PATH] = DATA
    with serve(SERVED, pause=0.002) as address:
        yield address


SCRIPT = """
import sys, threading
from pathlib import Path
from vocalens.core import DownloadCancelled, ModelError
from vocalens.core.catalog.download import _reporting_tqdm, fetch_file
from vocalens.core.catalog.registry import HubFile

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
    env = {**os.environ, **hub_env(hub), "VOCALENS_CACHE_DIR": str(cache)}
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
    SERVED[PATH] = os.urandom(len(DATA))  # the mirror now serves something else
    said = fetch(hub, "go", tmp_path.parent / f"{tmp_path.name}-other-cache")
    assert said.startswith("done: ")  # another cache: nothing recorded there, so taken
    said = fetch(hub, "go", tmp_path)
    assert said.startswith("stopped: coco_weights.pt does not match the copy first downloaded")
    kept = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()]
    assert SERVED[PATH] not in kept and DATA in kept  # the changed file is gone, ours stays
