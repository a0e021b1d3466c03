"""A captioning task generated on the spot: coloured shapes in two positions, each image
described exactly ("a red circle above a blue square."). Small enough to learn in minutes on
a CPU, so training can be tested end to end without downloading a dataset."""

from __future__ import annotations

import json
import random
from pathlib import Path

from PIL import Image, ImageDraw

COLOURS = {
    "red": (220, 30, 30),
    "green": (30, 180, 30),
    "blue": (30, 60, 230),
    "yellow": (240, 220, 20),
}
SHAPES = ("circle", "square")
RELATIONS = ("above", "left of")


def draw(
    colour: str, shape: str, box: tuple[int, int, int, int], canvas: ImageDraw.ImageDraw
) -> None:
    fill = COLOURS[colour]
    if shape == "circle":
        canvas.ellipse(box, fill=fill)
    else:
        canvas.rectangle(box, fill=fill)


def scene(rng: random.Random, size: int = 64) -> tuple[Image.Image, str]:
    """One image and its caption."""
    c1, c2 = rng.sample(list(COLOURS), 2)
    s1, s2 = rng.choice(SHAPES), rng.choice(SHAPES)
    relation = rng.choice(RELATIONS)
    image = Image.new("RGB", (size, size), (255, 255, 255))
    canvas = ImageDraw.Draw(image)
    half, pad = size // 2, size // 10
    jitter = rng.randint(-pad // 2, pad // 2)
    first = (pad, pad, half - pad, half - pad)
    second = (
        (half + pad, pad, size - pad, half - pad)
        if relation == "left of"
        else (pad, half + pad, half - pad, size - pad)
    )
    centre = (size - half) // 2 + jitter
    shift = (centre, 0) if relation == "above" else (0, centre)
    for colour, shape, box in ((c1, s1, first), (c2, s2, second)):
        x, y = shift
        draw(colour, shape, (box[0] + x, box[1] + y, box[2] + x, box[3] + y), canvas)
    return image, f"a {c1} {s1} {relation} a {c2} {s2}."


def write_shapes_dataset(
    folder: Path, train: int = 200, val: int = 20, test: int = 40, seed: int = 0, size: int = 64
) -> Path:
    """PNG images plus ``captions.jsonl`` (image, caption, split); returns the JSONL path."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    rows = []
    for split, count in (("train", train), ("val", val), ("test", test)):
        for i in range(count):
            image, caption = scene(rng, size)
            name = f"{split}-{i:04d}.png"
            image.save(folder / name)
            rows.append({"image": name, "caption": caption, "split": split})
    path = folder / "captions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
