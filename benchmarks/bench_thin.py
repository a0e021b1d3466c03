"""Strips and long pages read as text: a status bar, a banner, a toolbar, an 8000×20 strip and
an 800×24000 page, each loaded from a PNG file and read with real OCR in a process of its own:
the time to read it, the lines found, and the peak memory against a 1080p screen's (the
process's own high-water mark: ``ru_maxrss`` would count the parent's from the fork)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the images' builders

from tests.core.test_thin_images import BAR, FONT, page, strip

from common import machine, report

READ = """
import json, re, sys, time
from pathlib import Path
from vocalens.core.describing.ocr import TextReader
from vocalens.core.images import load_image
reader = TextReader()
reader.warm_up()
start = time.perf_counter()
blocks = reader.read(load_image(sys.argv[1]))
print(json.dumps({"seconds": round(time.perf_counter() - start, 2),
                  "lines": sum(len(b.text.splitlines()) for b in blocks),
                  "peak_mb": round(int(re.search(r"VmHWM:\\s+(\\d+) kB",
                      Path("/proc/self/status").read_text()).group(1)) / 1024)}))
"""


def read(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", READ, str(path)], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from PIL import Image, ImageDraw, ImageFont

    results: dict[str, object] = {"machine": machine()}
    with tempfile.TemporaryDirectory() as folder:
        screen = Image.new("RGB", (1920, 1080), "white")
        ImageDraw.Draw(screen).text((40, 40), BAR, fill="black", font=ImageFont.truetype(FONT, 14))
        images = {"screen 1920x1080": screen, "page 800x24000": page(24_000)}
        for size in ((1920, 30), (1200, 40), (2400, 36), (8000, 20)):
            images[f"strip {size[0]}x{size[1]}"] = strip(*size)
        for name, image in images.items():
            path = Path(folder) / f"{name.replace(' ', '-')}.png"
            image.save(path)
            results[name] = read(path)
    base = results["screen 1920x1080"]["peak_mb"]  # type: ignore[index]
    results["page_peak_over_screen_mb"] = results["page 800x24000"]["peak_mb"] - base  # type: ignore[index]
    report(results, args.out)


if __name__ == "__main__":
    main()
