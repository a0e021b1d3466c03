import json

import pytest
from PIL import Image, ImageDraw, ImageFont

from vocalens.core.cli.main import main

pytest.importorskip("rapidocr", reason="the ocr extra is not installed")


@pytest.fixture()
def poster(tmp_path):
    image = Image.new("RGB", (700, 220), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=36)
    draw.text((30, 40), "Lost cat named Biscuit", fill="black", font=font)
    draw.text((30, 120), "Call 555 0134", fill="black", font=font)
    path = tmp_path / "poster.png"
    image.save(path)
    return path


def test_describe_reads_text_and_captions(tiny_model_dir, poster, capsys) -> None:
    code = main(["describe", str(poster), "--model", str(tiny_model_dir), "--json"])
    out, err = capsys.readouterr()
    record = json.loads(out)
    assert code == 0, err
    assert [ln for b in record["blocks"] for ln in b.splitlines()] == [
        "Lost cat named Biscuit",
        "Call 555 0134",
    ]
    assert record["caption"] is not None
    assert "Lost cat named Biscuit. Call 555 0134." in record["spoken"]
    assert {"caption_ms", "ocr_ms", "total_ms"} <= set(record["timings"])


def test_without_a_model_text_and_context_still_come(poster, capsys) -> None:
    code = main(["describe", str(poster), str(poster.parent / "nope.png")])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.count("Captions are off") == 1
    assert "vocalens models download clipcap-coco" in err
    assert "nope.png: no such file" in err
    assert out.strip() == f"{poster}\tText: Lost cat named Biscuit. Call 555 0134."  # all text


@pytest.mark.parametrize("scripts", ["alphabets", "all"])
def test_text_is_read_the_same_in_either_set_of_scripts(poster, capsys, scripts) -> None:
    assert main(["describe", str(poster), "--no-caption", "--text-scripts", scripts]) == 0
    assert capsys.readouterr().out.strip().endswith("Lost cat named Biscuit. Call 555 0134.")


def test_brief_verbosity_caps_the_spoken_text(poster, capsys) -> None:
    main(["describe", str(poster), "--no-caption", "--verbosity", "brief"])
    out = capsys.readouterr().out
    assert out.strip().endswith("More text follows.") is False  # 7 words fit in brief
    assert "Lost cat" in out


def test_nothing_to_describe_is_a_clear_error(capsys) -> None:
    assert main(["describe"]) == 2
    assert "Nothing to describe" in capsys.readouterr().err


def test_screen_without_display_says_so(monkeypatch, capsys) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code = main(["describe", "--screen", "--no-caption"])
    assert code == 1
    err = capsys.readouterr().err
    assert "No screen to capture" in err and "Traceback" not in err


def test_a_damaged_weight_file_turns_captions_off_and_text_is_still_read(
    tiny_model_dir, tmp_path
) -> None:
    import shutil
    import subprocess
    import sys

    from PIL import Image, ImageDraw, ImageFont

    model = shutil.copytree(tiny_model_dir, tmp_path / "model")
    weights = model / "projector.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])  # truncated, as by a full disk
    image = Image.new("RGB", (700, 160), "white")
    font = ImageFont.load_default(size=36)
    ImageDraw.Draw(image).text((30, 50), "Lost cat named Biscuit", fill="black", font=font)
    image.save(tmp_path / "poster.png")
    cmd = [sys.executable, "-m", "vocalens.core.cli.main", "describe", str(tmp_path / "poster.png")]
    out = subprocess.run([*cmd, "--model", str(model)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "Lost cat named Biscuit" in out.stdout
    (line,) = out.stderr.splitlines()  # one sentence, no traceback
    assert line.startswith("vocalens: Captions are off: The model's files could not be read (")
    assert line.endswith("Download or convert it again.")


def test_loading_a_model_never_touches_the_network(tiny_model_dir, tmp_path) -> None:
    """A folder without its encoder weights names CLIP weights by tag; loading must not fetch
    them. Every connection would go through a local proxy that counts them."""
    import json
    import os
    import shutil
    import socket
    import subprocess
    import sys
    import threading

    from PIL import Image

    model = shutil.copytree(tiny_model_dir, tmp_path / "model")
    config = json.loads((model / "config.json").read_text())
    config["encoder"] |= {"model": "ViT-B-32", "pretrained": "openai", "weights": None}
    config["encoder"]["model_cfg"] = None
    (model / "config.json").write_text(json.dumps(config))
    (model / "encoder.safetensors").unlink()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(tmp_path / "red.png")
    connections = []
    proxy = socket.create_server(("127.0.0.1", 0))

    def count() -> None:
        while True:
            try:
                conn, _ = proxy.accept()
            except OSError:
                return
            connections.append(conn)
            conn.close()

    threading.Thread(target=count, daemon=True).start()
    url = f"http://127.0.0.1:{proxy.getsockname()[1]}"
    env = {**os.environ, "HF_HUB_OFFLINE": "0", "HTTPS_PROXY": url, "HTTP_PROXY": url}
    env |= {"https_proxy": url, "http_proxy": url, "NO_PROXY": "", "no_proxy": ""}
    cmd = [sys.executable, "-m", "vocalens.core.cli.main", "describe", str(tmp_path / "red.png")]
    try:
        out = subprocess.run(
            [*cmd, "--model", str(model)], capture_output=True, text=True, timeout=300, env=env
        )
    finally:
        proxy.close()
    assert out.returncode == 0, out.stderr
    assert connections == []
    assert (
        "Captions are off: The CLIP image encoder weights (ViT-B-32, openai) are not on this"
        in (out.stderr)
    )


def test_stream_prints_each_part_as_it_is_known(tiny_model_dir, poster, capsys) -> None:
    """The parts one per line, in the order they are said; together the whole description."""
    model = ["--model", str(tiny_model_dir), "--precision", "fp32", "--greedy"]
    assert main(["describe", str(poster), *model]) == 0
    whole = capsys.readouterr().out.strip().split("\t", 1)[1]
    assert main(["describe", str(poster), "--stream", *model]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) >= 2 and " ".join(lines) == whole
