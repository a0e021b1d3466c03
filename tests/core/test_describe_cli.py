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
