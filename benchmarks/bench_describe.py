"""Describe a 1920×1080 screenshot: OCR alone, caption alone (real-size random weights) and both
overlapped, as the desktop app runs them; nothing remembered from one run to the next.

    python benchmarks/bench_describe.py [--out results.json]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from vocalens.core import load_captioner, save_captioner
from vocalens.core.describing.describe import Describer
from vocalens.core.describing.ocr import TextReader
from vocalens.core.testing import real_size_captioner

from common import gpt2_vocab, machine, peak_rss_mb, report, timed

WORDS = [
    "weather",
    "forecast",
    "lisbon",
    "sunny",
    "degrees",
    "wind",
    "humidity",
    "search",
    "settings",
    "account",
    "news",
    "sports",
    "markets",
    "travel",
    "photos",
    "maps",
    "calendar",
]


def screenshot() -> Image.Image:
    """A synthetic web page: a title bar, a heading, two columns of text and some buttons."""
    image = Image.new("RGB", (1920, 1080), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    small, big = ImageFont.load_default(size=16), ImageFont.load_default(size=34)
    draw.rectangle((0, 0, 1920, 40), fill=(50, 50, 60))
    draw.text((20, 10), "Weather in Lisbon - Browser", fill="white", font=small)
    draw.text((80, 80), "Weather in Lisbon", fill="black", font=big)
    for col, x in enumerate((80, 1000)):
        for row in range(30):
            words = [WORDS[(row * 7 + col * 3 + i) % len(WORDS)] for i in range(9)]
            draw.text((x, 160 + row * 28), " ".join(words).capitalize(), fill="black", font=small)
    for i, label in enumerate(("Search", "Settings", "Sign in")):
        draw.rectangle((1500 + i * 130, 70, 1610 + i * 130, 110), outline="black")
        draw.text((1515 + i * 130, 80), label, fill="black", font=small)
    return image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    vocab = gpt2_vocab()
    with tempfile.TemporaryDirectory() as tmp:
        save_captioner(real_size_captioner(vocab), Path(tmp) / "m", include_decoder=True)
        captioner = load_captioner(Path(tmp) / "m", device="cpu")
    image = screenshot()
    reader = TextReader()
    start = time.perf_counter()
    reader.warm_up()
    ocr_load_ms = (time.perf_counter() - start) * 1e3
    fixed = {"strategy": "greedy", "max_new_tokens": 16, "min_new_tokens": 16, "stop_strings": []}
    both = Describer(captioner, reader, parallel=True, **fixed)
    one_by_one = Describer(captioner, reader, parallel=False, **fixed)
    r = args.repeats
    desc = both.describe(image, source="screen")
    results = {
        "machine": machine(),
        "image": "1920x1080 synthetic page",
        "ocr_engine_load_ms": round(ocr_load_ms, 1),
        "ocr_ms": timed(lambda: reader.forget() or reader.read(image), r),
        "caption_greedy16_ms": timed(lambda: captioner.caption([image], **fixed), r),
        "describe_overlapped_ms": timed(
            lambda: both.forget() or both.describe(image, source="screen"), r
        ),
        "describe_sequential_ms": timed(
            lambda: one_by_one.forget() or one_by_one.describe(image, source="screen"), r
        ),
        "text_blocks": len(desc.blocks),
        "words_read": sum(len(b.split()) for b in desc.blocks),
    }
    results["sequential_sum_ms"] = round(results["ocr_ms"] + results["caption_greedy16_ms"], 1)
    results["peak_rss_mb"] = peak_rss_mb()
    both.close()
    one_by_one.close()
    report(results, args.out)


if __name__ == "__main__":
    main()
