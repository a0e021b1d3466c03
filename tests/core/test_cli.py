import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from PIL import Image

from vocalens.core.cli.main import main
from vocalens.core.testing import clip_tower_of


@pytest.fixture()
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    (folder / "nested").mkdir(parents=True)
    Image.new("RGB", (30, 30), "red").save(folder / "red.png")
    Image.new("RGB", (30, 30), "blue").save(folder / "nested" / "blue.jpg")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\ngarbage")
    (folder / "empty.jpg").write_bytes(b"")
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_caption_files_and_folders_reports_bad_ones(tiny_model_dir, photos, capsys) -> None:
    code, out, err = run(
        capsys,
        "caption",
        str(photos),
        "--model",
        str(tiny_model_dir),
        "--greedy",
        "--batch-size",
        "2",
    )
    assert code == 1
    lines = out.rstrip("\n").splitlines()
    assert [line.split("\t")[0] for line in lines] == [
        str(photos / "nested" / "blue.jpg"),
        str(photos / "red.png"),
    ]
    assert all(len(line.split("\t")) == 2 for line in lines)  # path, caption
    errors = [line for line in err.splitlines() if "vocalens:" in line]
    assert len(errors) == 2 and all(e.startswith("vocalens:") for e in errors)  # own lines
    assert any("broken.png" in e and "corrupt" in e for e in errors)
    assert any("empty.jpg" in e and "empty" in e for e in errors)
    assert "Traceback" not in err


def test_json_output_has_caption_or_error(tiny_model_dir, photos, capsys) -> None:
    code, out, _ = run(
        capsys,
        "caption",
        str(photos / "red.png"),
        str(photos / "missing.png"),
        "--model",
        str(tiny_model_dir),
        "--json",
    )
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert records[0]["path"].endswith("red.png") and isinstance(records[0]["caption"], str)
    assert set(records[0]["timings"]) == {"preprocess_ms", "encode_ms", "decode_ms"}
    assert "no such file" in records[1]["error"]


def test_stdin_and_decoding_flags(tiny_model_dir, capsys, monkeypatch) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "yellow").save(buf, "PNG")
    monkeypatch.setattr(sys, "stdin", type("S", (), {"buffer": io.BytesIO(buf.getvalue())})())
    code, out, _ = run(
        capsys,
        "caption",
        "-",
        "--model",
        str(tiny_model_dir),
        "--sample",
        "--seed",
        "3",
        "--top-p",
        "0.9",
        "--temperature",
        "0.7",
        "--max-tokens",
        "5",
    )
    assert code == 0 and out.startswith("-\t")
    code, _, err = run(
        capsys, "caption", "-", "--model", str(tiny_model_dir), "--sample", "--top-p", "2"
    )
    assert code == 2 and "top-p" in err


def test_folder_without_images_is_an_error_line(tiny_model_dir, tmp_path, capsys) -> None:
    code, out, err = run(capsys, "caption", str(tmp_path), "--model", str(tiny_model_dir))
    assert code == 1 and out == "" and "holds no images" in err


def test_missing_model_says_how_to_get_it(photos, capsys) -> None:
    code, _, err = run(capsys, "caption", str(photos))
    assert code == 2
    assert "not downloaded yet" in err and "vocalens models download clipcap-coco" in err


def test_download_without_network_is_one_clear_message(tmp_path) -> None:
    env = {
        **__import__("os").environ,
        "HF_HUB_OFFLINE": "1",
        "VOCALENS_CACHE_DIR": str(tmp_path / "c"),
        "VOCALENS_MODELS_DIR": str(tmp_path / "m"),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "vocalens.core.cli", "models", "download", "clipcap-coco"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("vocalens: Could not download coco_weights.pt: ")
    assert "downloads are switched off (HF_HUB_OFFLINE is set)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_models_list_info_and_import(tiny, tiny_folder, tiny_model_dir, tmp_path, capsys) -> None:
    code, out, _ = run(capsys, "models", "list")
    assert code == 0 and "clipcap-coco (default)" in out and "not downloaded" in out
    code, out, _ = run(capsys, "models", "info", str(tiny_model_dir))
    assert code == 0 and "projector: mlp, prefix 4 × 32" in out
    state = {
        f"clip_project.model.{k}": v
        for k, v in {
            "0.weight": torch.randn(64, 32),
            "0.bias": torch.zeros(64),
            "2.weight": torch.randn(128, 64),
            "2.bias": torch.zeros(128),
        }.items()
    }
    state.update({f"gpt.{k}": v for k, v in tiny.decoder.state_dict().items()})
    pt = tmp_path / "w.pt"
    torch.save(state, pt)
    clip = clip_tower_of(tiny.encoder, tmp_path / "clip")
    arch = tmp_path / "tiny-clip.json"
    arch.write_text(json.dumps({"model_cfg": clip.model_cfg, "preprocess": clip.preprocess}))
    args = [
        "models",
        "import-clipcap",
        str(pt),
        "--out",
        str(tmp_path / "m"),
        "--clip",
        str(arch),
        "--clip-weights",
        str(clip.weights),
        "--tokenizer",
        str(tiny_folder / "tokenizer"),
    ]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    code, _, err = run(capsys, *args)
    assert code == 2 and "already exists" in err
    code, out, _ = run(capsys, "caption", str(pt.parent), "--model", str(tmp_path / "m"))
    assert "holds no images" in capsys.readouterr().err or code == 1


@pytest.fixture
def many(tiny_model_dir, tmp_path) -> list[str]:
    """The command line captioning a folder of 24 images one at a time, in a child process."""
    for i in range(24):
        Image.new("RGB", (32, 32), (10 * i, 0, 0)).save(tmp_path / f"{i:02}.png")
    cmd = [sys.executable, "-m", "vocalens.core.cli.main", "caption", str(tmp_path)]
    return [*cmd, "--model", str(tiny_model_dir), "--batch-size", "1", "--precision", "fp32"]


def test_a_reader_that_stops_early_gets_no_traceback(many, tmp_path) -> None:
    with subprocess.Popen(many, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().startswith(str(tmp_path / "00.png"))
        proc.stdout.close()  # as `| head -1` does
        err = proc.stderr.read()
        assert proc.wait(60) == 141
    assert "Traceback" not in err and "Broken pipe" not in err


def test_the_progress_bar_is_for_a_terminal_only(many) -> None:
    import fcntl
    import os
    import pty
    import struct
    import termios

    piped = subprocess.run(many, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr == ""  # a log gets no bar
    main_fd, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # 80 columns
    proc = subprocess.Popen(many, stdout=subprocess.PIPE, stderr=terminal, text=True)
    os.close(terminal)
    screen = b""
    while True:  # read while it runs: a terminal holds little
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:  # the other end is closed: all read
            break
        if not chunk:
            break
        screen += chunk
    os.close(main_fd)
    assert proc.stdout is not None
    with proc.stdout:
        shown = proc.stdout.read()
    assert proc.wait(60) == 0
    assert b"24/24" in screen or b"image/s" in screen
    assert shown == piped.stdout  # captions stay clean lines either way
