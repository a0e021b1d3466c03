"""A model folder's ``onnx/`` is used only when VocaLens made it here, for this user; anything
else is made again before any session runs it."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import numpy as np
from PIL import Image

from vocalens.core.inference.ort.convert import MANIFEST, converted
from vocalens.core.inference.ort.seal import KEY_FILE, seal
from vocalens.core.inference.runtime import open_captioner
from vocalens.core.paths import data_dir

RED = Image.new("RGB", (32, 32), "red")


def opened(folder: Path) -> list[int]:
    return open_captioner(folder, device="cpu", precision="fp32").caption([RED])[0].tokens


def test_the_key_is_private_and_kept(fresh_model_dir) -> None:
    opened(fresh_model_dir)
    key = data_dir() / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    before = key.read_bytes()
    assert converted(fresh_model_dir) is not None and key.read_bytes() == before


def test_a_conversion_made_by_someone_else_is_made_again(fresh_model_dir, monkeypatch, tmp_path):
    """Another user's folder, copied with its times kept (``cp -a``), carries their seal."""
    monkeypatch.setenv("VOCALENS_DATA_DIR", str(tmp_path / "other-user"))
    tokens = opened(fresh_model_dir)
    handed = shutil.copytree(fresh_model_dir, tmp_path / "handed", copy_function=shutil.copy2)
    monkeypatch.setenv("VOCALENS_DATA_DIR", str(tmp_path / "me"))
    assert converted(handed) is None
    assert opened(handed) == tokens and converted(handed) is not None


def test_a_graph_changed_in_place_is_never_run(fresh_model_dir) -> None:
    """Its size and times put back as they were: its content gives it away."""
    opened(fresh_model_dir)
    done = converted(fresh_model_dir)
    assert done is not None
    graph = done.folder / "visual.onnx"
    original, info = graph.read_bytes(), graph.stat()
    hostile = bytearray(original)
    hostile[len(hostile) // 2] ^= 0xFF
    graph.write_bytes(bytes(hostile))
    os.utime(graph, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert converted(fresh_model_dir) is None
    opened(fresh_model_dir)
    assert graph.read_bytes() == original


def test_my_own_copy_is_trusted_by_its_content(fresh_model_dir, tmp_path) -> None:
    tokens = opened(fresh_model_dir)
    moved = shutil.copytree(fresh_model_dir, tmp_path / "moved", copy_function=shutil.copy2)
    before = {p.name: p.stat().st_mtime_ns for p in (moved / "onnx").iterdir()}
    assert converted(moved) is not None  # hashed once; its new places sealed
    assert opened(moved) == tokens
    after = {p.name: p.stat().st_mtime_ns for p in (moved / "onnx").iterdir()}
    assert {k for k in after if after[k] != before.get(k)} == {MANIFEST}


def resealed(folder: Path, change) -> None:
    """The manifest changed and sealed with this user's key: only the file checks remain."""
    path = folder / MANIFEST
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(seal(record)))


def test_names_in_the_manifest_stay_in_the_folder(fresh_model_dir) -> None:
    opened(fresh_model_dir)
    done = converted(fresh_model_dir)
    assert done is not None
    resealed(done.folder, lambda r: r["tokens"].update(file="/etc/passwd"))
    assert converted(fresh_model_dir) is None
    opened(fresh_model_dir)
    assert converted(fresh_model_dir).manifest["tokens"]["file"] == "decoder.onnx.data"


def test_odd_files_in_the_folder_mean_making_it_again(fresh_model_dir) -> None:
    opened(fresh_model_dir)
    folder = converted(fresh_model_dir).folder
    os.mkfifo(folder / "extra.onnx")
    assert converted(fresh_model_dir) is None  # at once: the pipe is never opened
    (folder / "extra.onnx").unlink()
    assert converted(fresh_model_dir) is not None
    data = folder / "decoder.onnx.data"
    kept = data.with_name("kept")
    data.rename(kept)
    os.mkfifo(data)
    assert converted(fresh_model_dir) is None
    data.unlink()
    data.symlink_to(kept)
    assert converted(fresh_model_dir) is None
    assert np.array(opened(fresh_model_dir)).size
