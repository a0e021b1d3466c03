"""Memory of reading hostile and huge images: for each case at the limits, a fresh process
opens it with ``load_image`` and reports how far its peak RSS rose above what it held before.
The bar: 200 MB for any accepted image, next to nothing for a refused one.

    python bench_images.py [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from common import report

CHILD = """
import json, sys
from pathlib import Path
from vocalens.core import ImageError, load_image

def high_water_kb():  # the process's peak resident memory so far (Linux)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

before = high_water_kb()
try:
    image = load_image(sys.argv[1])
    said = f"{image.width}x{image.height}"
except ImageError as exc:
    said = "refused: " + exc.message.split(": ", 1)[-1]
growth = (high_water_kb() - before) * 1024 / 1e6
print(json.dumps({"growth_mb": round(growth, 1), "before_mb": round(before / 1e3), "result": said}))
"""


def textured(mode: str, size: tuple[int, int]) -> Image.Image:
    """Not flat: a gradient with noise, so that decoders do real work."""
    w, h = size
    rows = np.linspace(0, 255, h, dtype=np.float32)[:, None]
    cols = np.linspace(0, 255, w, dtype=np.float32)[None, :]
    base = ((rows + cols) / 2).astype(np.uint8)
    base ^= np.random.default_rng(0).integers(0, 8, size=(h, w), dtype=np.uint8)
    grey = Image.fromarray(base, "L")
    if mode == "I;16":
        return Image.fromarray(base.astype(np.uint16) * 257)  # 16-bit grey
    if mode == "RGBA":
        return Image.merge("RGBA", (grey, grey, grey, grey))
    return Image.merge("RGB", (grey, grey, grey))


def cases(folder: Path) -> dict[str, Path]:
    made = {}

    def save(name: str, image: Image.Image, **kw: object) -> None:
        made[name] = folder / name
        image.save(made[name], **kw)

    save("png_rgb_34mp.png", textured("RGB", (7680, 4400)), compress_level=1)
    save("png_rgba_34mp.png", textured("RGBA", (7680, 4400)), compress_level=1)
    save("png_16bit_34mp.png", textured("I;16", (7680, 4400)), compress_level=1)
    save("tiff_rgb_34mp.tif", textured("RGB", (7680, 4400)))
    save("jpeg_88mp.jpg", textured("RGB", (11000, 8000)), quality=85)
    save("png_strip_100000x1.png", Image.new("L", (100_000, 1)))
    save("png_40mp_refused.png", Image.new("L", (8000, 5000)))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results: dict[str, object] = {"bar_mb": 200}
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in cases(Path(tmp)).items():
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True
            )
            data = json.loads(out.stdout)
            results[f"{name}_peak_growth_mb"] = data["growth_mb"]
            results[f"{name}_result"] = data["result"]
    growth = [float(str(v)) for k, v in results.items() if k.endswith("growth_mb")]
    results["worst_peak_growth_mb"] = max(growth)
    report(results, args.out)


if __name__ == "__main__":
    main()
