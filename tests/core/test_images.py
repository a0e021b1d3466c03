import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vocalens.core.errors import ImageError
from vocalens.core.images import find_images, load_image


def save(image: Image.Image, path: Path, **kw) -> Path:
    image.save(path, **kw)
    return path


def test_exif_rotation_is_applied(tmp_path: Path) -> None:
    image = Image.new("RGB", (80, 20), "red")
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    path = save(image, tmp_path / "rotated.jpg", exif=exif)
    assert load_image(path).size == (20, 80)


def test_alpha_is_flattened_on_white(tmp_path: Path) -> None:
    clear = save(Image.new("RGBA", (4, 4), (0, 0, 0, 0)), tmp_path / "clear.png")
    assert load_image(clear).getpixel((0, 0)) == (255, 255, 255)
    palette = Image.new("P", (4, 4), 0)
    palette.putpalette([0, 0, 0] * 256)
    palette.info["transparency"] = 0
    path = save(palette, tmp_path / "palette.png", transparency=0)
    assert load_image(path).getpixel((1, 1)) == (255, 255, 255)


def test_sixteen_bit_cmyk_and_grey_become_rgb(tmp_path: Path) -> None:
    deep = Image.fromarray(np.full((6, 6), 65535, dtype=np.uint16))
    assert load_image(save(deep, tmp_path / "deep.png")).getpixel((0, 0)) == (255, 255, 255)
    cmyk = save(Image.new("CMYK", (6, 6), (0, 255, 255, 0)), tmp_path / "cmyk.jpg")
    r, g, b = load_image(cmyk).getpixel((2, 2))
    assert r > 200 and g < 60 and b < 60
    assert load_image(save(Image.new("L", (3, 3), 9), tmp_path / "g.png")).mode == "RGB"


def test_animated_image_gives_its_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (8, 8), c) for c in ("blue", "yellow")]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    r, _g, b = load_image(path).getpixel((4, 4))
    assert b > 200 and r < 50


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"hello, this is text", "not an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "truncated or corrupt|not an image"),
    ],
)
def test_bad_files_are_named_with_a_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ImageError, match=f"bad.png: .*({reason})"):
        load_image(path)


def test_truncated_jpeg_is_reported(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(buf, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(ImageError, match="cut.jpg: the image is truncated or corrupt"):
        load_image(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(ImageError, match="is a folder"):
        load_image(tmp_path)


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    path = save(Image.new("1", (12_000, 12_000)), tmp_path / "bomb.png")
    with pytest.raises(ImageError, match="bomb.png: the image is too large"):
        load_image(path)


def test_bytes_and_folders(tmp_path: Path) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (5, 5), "green").save(buf, "PNG")
    assert load_image(buf.getvalue(), name="-").size == (5, 5)
    (tmp_path / "sub").mkdir()
    save(Image.new("RGB", (2, 2)), tmp_path / "sub" / "b.PNG")
    save(Image.new("RGB", (2, 2)), tmp_path / "a.jpg")
    (tmp_path / "notes.txt").write_text("x")
    assert [p.name for p in find_images(tmp_path)] == ["a.jpg", "b.PNG"]


def test_a_one_pixel_strip_is_refused_before_it_is_decoded(tmp_path) -> None:
    strip = tmp_path / "strip.png"
    Image.new("L", (30_000, 1)).save(strip)  # a few hundred bytes, 21 GB once resized
    assert strip.stat().st_size < 2000
    with pytest.raises(ImageError, match="strip.png: the image is too thin to show anything"):
        load_image(strip)
    endless = tmp_path / "endless.png"
    Image.new("L", (100_000, 20)).save(endless)
    with pytest.raises(ImageError, match="endless.png: the image is too large"):
        load_image(endless)
    wide = tmp_path / "wide.png"
    Image.new("L", (25_000, 2_000)).save(wide)
    with pytest.raises(ImageError, match="wide.png: the image is too large"):
        load_image(wide)


def test_only_image_formats_are_opened(tmp_path) -> None:
    drawing = tmp_path / "drawing.png"  # PostScript that Pillow would hand to Ghostscript
    drawing.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    with pytest.raises(ImageError, match="drawing.png: not an image"):
        load_image(drawing)
    texture = tmp_path / "texture.png"
    Image.new("RGB", (8, 8), "red").save(texture, format="SGI")  # Pillow reads it; we do not
    with pytest.raises(ImageError, match="texture.png: not an image"):
        load_image(texture)


def test_a_huge_file_is_not_read(tmp_path) -> None:
    huge = tmp_path / "huge.jpg"
    with huge.open("wb") as f:
        f.write(b"\xff\xd8\xff")
        f.truncate(201 << 20)  # sparse: 201 MB on paper
    with pytest.raises(ImageError, match="huge.jpg: the file is too large"):
        load_image(huge)


def test_a_big_photo_is_decoded_small(tmp_path) -> None:
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (10_000, 7_500), (90, 120, 200)).save(photo, quality=50)
    image = load_image(photo)
    assert image.size == (2_500, 1_875)  # decoded at a quarter of the size by the JPEG decoder


@pytest.mark.parametrize("mode", ["RGBA", "I;16", "RGB"])
def test_big_images_of_every_depth_are_reduced_while_read(tmp_path, mode: str) -> None:
    path = tmp_path / f"big-{mode.replace(';', '')}.png"
    light = {"RGBA": (255, 255, 255, 255), "I;16": 65535, "RGB": (255, 255, 255)}[mode]
    big = Image.new(mode, (6000, 3000), light)
    big.paste(0, (0, 0, 3000, 3000))  # left half dark, right half light
    if mode == "RGBA":
        big.putalpha(Image.new("L", big.size, 0).crop((0, 0, 6000, 3000)))  # all transparent
    big.save(path)
    image = load_image(path)
    assert image.mode == "RGB" and 1500 <= max(image.size) <= 2048
    left, right = image.getpixel((10, 10)), image.getpixel((image.width - 10, 10))
    if mode == "RGBA":
        assert left == right == (255, 255, 255)  # transparent: composited on white
    else:
        assert left == (0, 0, 0) and right == (255, 255, 255)


def test_only_the_parts_of_our_windows_that_show_are_left_out() -> None:
    """Windows bottom to top: ours (1) is half covered by another application's window (2);
    our second window (3) lies on top of everything."""
    from vocalens.core.describing.capture import _painted_over, visible_parts

    stacking = [(1, (0, 0, 100, 100)), (2, (50, 0, 100, 100)), (3, (300, 300, 10, 10))]
    ours = {1: (0, 0, 100, 100), 3: (300, 300, 10, 10)}
    assert visible_parts(ours, stacking) == [(0, 0, 50, 100), (300, 300, 10, 10)]
    assert visible_parts({2: (50, 0, 100, 100)}, stacking) == [(50, 0, 100, 100)]
    screen = Image.new("RGB", (400, 400), "white")
    screen.paste((0, 0, 0), (0, 0, 150, 100))
    painted = _painted_over(screen.copy(), 0, 0, visible_parts(ours, stacking))
    assert painted.getpixel((10, 10)) == painted.getpixel((305, 305)) != (0, 0, 0)
    assert painted.getpixel((60, 10)) == (0, 0, 0)  # the other window, on top of ours, stays


def test_what_is_not_a_regular_file_is_refused_at_once(tmp_path) -> None:
    import os
    import time

    fifo = tmp_path / "fifo.png"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(ImageError, match=r"fifo.png: is a named pipe, not a file\.$"):
        load_image(fifo)
    with pytest.raises(ImageError, match=r"zero: is a device, not a file\.$"):
        load_image("/dev/zero")
    assert time.monotonic() - start < 2


@pytest.mark.parametrize(("mode", "suffix"), [("P", ".png"), ("P", ".gif"), ("1", ".png")])
def test_wide_palette_and_one_bit_screenshots_are_read(tmp_path, mode, suffix) -> None:
    """Screenshot tools save palette PNGs and GIFs: wider than the working size, they are
    reduced after their colours are looked up (not refused for their mode)."""
    picture = Image.new("RGB", (3000, 1000), "white")
    picture.paste((200, 0, 0), (0, 0, 1500, 1000))
    path = save(picture.convert(mode), tmp_path / f"shot{suffix}")
    got = load_image(path)
    assert got.size == (1500, 500)
    left, right = got.getpixel((10, 100)), got.getpixel((1400, 100))
    if mode == "P":
        assert left[0] > 150 > left[1] and right == (255, 255, 255)
    else:
        assert right == (255, 255, 255)


def test_a_jpeg_of_thousands_of_scans_is_refused_quickly(tmp_path) -> None:
    """Its last scan repeated 3 000 times took a decoder a minute; an honest progressive JPEG
    (about ten scans) is read."""
    import time

    ramp = np.linspace(0, 255, 800, dtype=np.uint8)
    picture = Image.fromarray(np.stack([np.tile(ramp, (600, 1))] * 3, axis=-1))
    honest = save(picture, tmp_path / "honest.jpg", progressive=True, quality=90)
    assert load_image(honest).size == (800, 600)
    data = honest.read_bytes()
    last = data[data.rfind(b"\xff\xda") : -2]
    bomb = tmp_path / "bomb.jpg"
    bomb.write_bytes(data[:-2] + last * 3000 + b"\xff\xd9")
    start = time.monotonic()
    with pytest.raises(ImageError, match="built to take minutes to decode"):
        load_image(bomb)
    assert time.monotonic() - start < 10
