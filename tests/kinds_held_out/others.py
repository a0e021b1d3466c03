"""Images made by other programs than the generator the kind rule was fitted on: charts by
matplotlib in several styles (dark ones too), diagrams laid out by Graphviz, pages typeset by
groff and rendered by poppler, icons from the Adwaita and hicolor themes, photographs that
matplotlib ships, and blank screens."""

from __future__ import annotations

import gzip
import io
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

ICONS = [
    "places/folder-pictures", "places/network-server", "places/user-home",
    "mimetypes/x-office-document", "mimetypes/x-office-spreadsheet", "mimetypes/text-html",
    "mimetypes/audio-x-generic", "devices/printer", "devices/input-keyboard", "devices/computer",
    "devices/camera-web", "devices/drive-harddisk", "status/avatar-default",
]  # fmt: skip
LICENCES = ["GPL-3", "Apache-2.0", "MPL-2.0", "Artistic"]
MANUALS = ["ls", "cp", "tar", "grep"]
SHORT = [("BSD", 1), ("LGPL-3", 3), ("CC0-1.0", 2), ("GPL-1", 4)]  # last pages


def _figure_image(fig) -> Image.Image:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return Image.open(buffer).convert("RGB")


def charts() -> Iterator[tuple[str, Image.Image]]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    rng = np.random.default_rng(7)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"]
    drawings = {
        "bars": lambda ax: ax.bar(months, rng.integers(10, 90, 8)),
        "lines": lambda ax: [ax.plot(np.cumsum(rng.normal(size=60))) for _ in range(3)],
        "scatter": lambda ax: ax.scatter(rng.normal(size=200), rng.normal(size=200), s=12),
        "pie": lambda ax: ax.pie([30, 25, 20, 15, 10], labels=["A", "B", "C", "D", "E"]),
        "histogram": lambda ax: ax.hist(rng.normal(size=1000), bins=30),
        "area": lambda ax: ax.stackplot(range(30), rng.random((3, 30))),
        "box": lambda ax: ax.boxplot([rng.normal(m, 1, 50) for m in range(5)]),
    }
    for style in ("default", "dark_background", "ggplot"):
        with plt.style.context(style):
            for name, draw in drawings.items():
                fig, ax = plt.subplots(figsize=(8, 5))
                draw(ax)
                ax.set_title(f"Rainfall by month ({name})")
                yield f"matplotlib-{style}-{name}", _figure_image(fig)
                plt.close(fig)


GNUPLOT = {
    "lines": "plot sin(x) title 'sine', cos(x) title 'cosine'",
    "points": "plot '+' using (rand(0)):(rand(0)) with points title 'samples'",
    "boxes": "set style fill solid; set boxwidth 0.6; plot '+' using 1:(abs(sin($1))*10) "
    "with boxes title 'visits'",
    "grid": "set grid; plot x**2 title 'square', 40*sin(x) title 'wave'",
    "steps": "plot '+' using 1:(floor($1)) with steps title 'level'",
}


def gnuplot() -> Iterator[tuple[str, Image.Image]]:
    """Charts drawn by gnuplot (libgd's PNG terminal), on white and on a dark ground."""
    for theme, colours in (("light", ""), ("dark", ' background "#202020"')):
        for name, plot in GNUPLOT.items():
            with tempfile.TemporaryDirectory() as folder:
                out = Path(folder) / "chart.png"
                script = (
                    f'set terminal png size 800,500{colours}; set output "{out}"; '
                    f'set samples 40; set xrange [0:10]; set title "Weekly {name}"; {plot}'
                )
                subprocess.run(["gnuplot"], input=script.encode(), check=True, capture_output=True)
                yield f"gnuplot-{name}-{theme}", Image.open(out).convert("RGB")


def tango() -> Iterator[tuple[str, Image.Image]]:
    for path in sorted(Path("/usr/share/icons/Tango/32x32").glob("*/*.png"))[::25][:10]:
        yield f"tango-{path.stem}", _on_white(Image.open(path))


FLOW = """digraph {{ bgcolor="{bg}"; node [shape=box, fontname="DejaVu Sans", color="{fg}",
fontcolor="{fg}"]; edge [color="{fg}"];
start [label="Order received"]; check [shape=diamond, label="In stock?"];
ship [label="Ship the order"]; wait [label="Order from supplier"];
tell [label="Tell the customer"]; done [shape=oval, label="Done"];
start -> check; check -> ship [label=" yes", fontcolor="{fg}"];
check -> wait [label=" no", fontcolor="{fg}"]; wait -> ship; ship -> tell -> done; }}"""
TREE = """digraph {{ rankdir=LR; bgcolor="{bg}"; node [shape=ellipse, color="{fg}",
fontcolor="{fg}", fontname="DejaVu Sans"]; edge [color="{fg}"];
root -> {{ docs src tests }}; src -> {{ core desktop }}; core -> {{ model ocr }}; }}"""


def diagrams() -> Iterator[tuple[str, Image.Image]]:
    for name, source in (("flow", FLOW), ("tree", TREE)):
        for theme, bg, fg in (("light", "white", "black"), ("dark", "#202020", "#e0e0e0")):
            dot = source.format(bg=bg, fg=fg)
            png = subprocess.run(
                ["dot", "-Tpng", "-Gdpi=110"], input=dot.encode(), capture_output=True, check=True
            ).stdout
            yield f"graphviz-{name}-{theme}", Image.open(io.BytesIO(png)).convert("RGB")


def _pdf_pages(pdf: bytes, first: int, dpi: int) -> Image.Image:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-singlefile", "-r", str(dpi), "-f", str(first), "-l",
             str(first), str(source), str(Path(folder) / "page")],
            check=True, capture_output=True,
        )  # fmt: skip
        return Image.open(Path(folder) / "page.png").convert("RGB")


def pages() -> Iterator[tuple[str, Image.Image]]:
    """Manual pages and licence texts, typeset by groff into PDF and rendered by poppler."""
    for name in MANUALS:
        source = Path(f"/usr/share/man/man1/{name}.1.gz")
        if source.exists():
            pdf = subprocess.run(
                ["groff", "-man", "-Tpdf"], input=gzip.decompress(source.read_bytes()),
                capture_output=True, check=True,
            ).stdout  # fmt: skip
            yield f"groff-manual-{name}", _pdf_pages(pdf, 1, 90)
    for name in LICENCES:
        text = Path(f"/usr/share/common-licenses/{name}").read_text(errors="replace")
        pdf = subprocess.run(
            ["groff", "-Tpdf"], input=_roff(text.splitlines()[:400]), capture_output=True,
            check=True,
        ).stdout  # fmt: skip
        yield f"groff-licence-{name}", _pdf_pages(pdf, 2, 80)
    for name, page in SHORT:  # a short text, a licence's last page: a page mostly empty
        text = Path(f"/usr/share/common-licenses/{name}").read_text(errors="replace")
        pdf = subprocess.run(
            ["groff", "-Tpdf"], input=_roff(text.splitlines()[:400]), capture_output=True,
            check=True,
        ).stdout  # fmt: skip
        yield f"groff-short-{name}", _pdf_pages(pdf, page, 80)


def _roff(lines: list[str]) -> bytes:
    body = "\n".join(line if line.strip() else ".sp" for line in lines).replace("\\", "\\\\")
    return (".fam H\n.ps 11\n.vs 14\n" + body).encode()


def icons() -> Iterator[tuple[str, Image.Image]]:
    for name in ICONS:
        path = Path(f"/usr/share/icons/Adwaita/256x256/{name}.png")
        if not path.exists():
            path = Path(f"/usr/share/icons/Adwaita/512x512/{name}.png")
        if path.exists():
            yield f"adwaita-{Path(name).name}", _on_white(Image.open(path))
    for path in sorted(Path("/usr/share/icons/hicolor/48x48/apps").glob("*.png")):
        yield f"hicolor-{path.stem}", _on_white(Image.open(path))


def gift() -> Iterator[tuple[str, Image.Image]]:
    """matplotlib's 128×128 gift box: a drawn, shaded icon (once filed as a photograph)."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "sample_data" / "Minduka_Present_Blue_Pack.png"
    yield "matplotlib-present", Image.open(path).convert("RGB")


def _on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def photos() -> Iterator[tuple[str, Image.Image]]:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "sample_data"
    hopper = Image.open(folder / "grace_hopper.jpg").convert("RGB")
    yield "matplotlib-grace-hopper", hopper
    yield "matplotlib-grace-hopper-small", hopper.resize((256, 340))


def blanks() -> Iterator[tuple[str, Image.Image]]:
    rng = np.random.default_rng(3)
    for name, colour in (("black", 0), ("dark-grey", 40), ("white", 255), ("blue", (30, 60, 160))):
        image = Image.new("RGB", (1920, 1080), colour)
        noise = rng.integers(-2, 3, (1080, 1920, 3))
        yield (
            f"screen-{name}",
            Image.fromarray(
                np.clip(np.asarray(image, dtype=np.int16) + noise, 0, 255).astype(np.uint8)
            ),
        )
