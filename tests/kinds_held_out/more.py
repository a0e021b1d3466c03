"""A third round of sources for the content kind, none of them drawn by the generators before:
photographs shipped as desktop wallpapers (Lomiri's, MATE's), icons of the Oxygen and GNOME
themes, documents typeset with groff's mom macros and its PDF manuals, charts by Qt Charts and
by gnuplot's cairo terminal, diagrams in Graphviz's other layouts, and windows of Tk (another
toolkit) and of GTK in its dark theme."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

from .others import _on_white, _pdf_pages

LONGEST = 1600  # photographs are read at this size at most (wallpapers are up to 5640 wide)


def _photo(path: Path) -> Image.Image:
    image = Image.open(path).convert("RGB")
    image.thumbnail((LONGEST, LONGEST))
    return image


def wallpapers() -> Iterator[tuple[str, Image.Image]]:
    """Photographs: Lomiri's wallpapers (photos from a contest) and MATE's nature set."""
    for path in sorted(Path("/usr/share/backgrounds").glob("*.jpg")):
        if "umang" not in path.name:  # a drawn colour gradient, not a photograph
            yield f"lomiri-{path.stem.split('_by_')[0]}", _photo(path)
    for path in sorted(Path("/usr/share/backgrounds/mate/nature").glob("*.jpg")):
        yield f"mate-{path.stem}", _photo(path)


THEME_ICONS = ["apps", "devices", "places", "mimetypes", "actions", "status"]


def theme_icons(
    theme: str, size: str, each: int = 2, shown: int = 0
) -> Iterator[tuple[str, Image.Image]]:
    """A few icons of each context of a theme's PNGs, on white (``shown``: at that size)."""
    for context in THEME_ICONS:
        found = sorted(Path(f"/usr/share/icons/{theme}/{size}/{context}").glob("*.png"))
        for path in found[:: max(1, len(found) // each)][:each]:
            icon = _on_white(Image.open(path))
            if shown:
                icon = icon.resize((shown, shown), Image.Resampling.LANCZOS)
            yield f"{theme.split('/')[0]}-{path.stem}{f'-{shown}' if shown else ''}", icon


def icons() -> Iterator[tuple[str, Image.Image]]:
    yield from theme_icons("oxygen/base", "128x128")
    yield from theme_icons("gnome", "256x256", each=4)
    yield from theme_icons("gnome", "256x256", each=2, shown=128)


MOM = {"letter": (1,), "typesetting": (1, 2), "sample_docs": (1, 5), "mon_premier_doc": (2,),
       "mom-pdf": (3,)}  # fmt: skip


def documents() -> Iterator[tuple[str, Image.Image]]:
    """Pages of PDFs that groff ships: letters and manuals set with mom, its own manuals."""
    examples = Path("/usr/share/doc/groff-base/examples/mom")
    for name, pages in MOM.items():
        path = examples / f"{name}.pdf.gz"
        if path.exists():
            pdf = gzip.decompress(path.read_bytes())
            for page in pages:
                yield f"mom-{name}-{page}", _pdf_pages(pdf, page, 80)
    for name in ("automake", "pdfmark"):
        path = Path(f"/usr/share/doc/groff-base/pdf/{name}.pdf.gz")
        if path.exists():
            yield f"groffpdf-{name}", _pdf_pages(gzip.decompress(path.read_bytes()), 2, 80)


QT_CHARTS = """
import sys
from PySide6 import QtCharts as C, QtCore, QtGui, QtWidgets as W
app = W.QApplication([])
which, dark = sys.argv[1], sys.argv[2] == "dark"
chart = C.QChart()
chart.setTitle("Visitors per month (" + which + ")")
months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
values = [[12, 30, 22, 41, 35, 48], [8, 14, 19, 17, 26, 31]]
if which == "bars":
    series = C.QBarSeries()
    for name, row in zip(("Shop", "Web"), values):
        bars = C.QBarSet(name)
        bars.append(row)
        series.append(bars)
    chart.addSeries(series)
    axis = C.QBarCategoryAxis()
    axis.append(months)
    chart.createDefaultAxes()
    chart.setAxisX(axis, series) if hasattr(chart, "setAxisX") else None
elif which == "pie":
    series = C.QPieSeries()
    for name, share in zip(("Rent", "Food", "Travel", "Savings", "Other"), (35, 25, 15, 15, 10)):
        series.append(name, share).setLabelVisible(True)
    chart.addSeries(series)
else:
    for name, row in zip(("Shop", "Web"), values):
        series = C.QSplineSeries() if which == "spline" else C.QLineSeries()
        if which == "scatter":
            series = C.QScatterSeries()
        series.setName(name)
        for x, y in enumerate(row):
            series.append(x, y)
        chart.addSeries(series)
    chart.createDefaultAxes()
if dark:
    chart.setTheme(C.QChart.ChartTheme.ChartThemeDark)
view = C.QChartView(chart)
view.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
view.resize(800, 520)
view.grab().save(sys.argv[3])
"""


def qt_charts() -> Iterator[tuple[str, Image.Image]]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for which in ("bars", "lines", "spline", "scatter", "pie"):
        for theme in ("light", "dark"):
            with tempfile.TemporaryDirectory() as folder:
                out = Path(folder) / "chart.png"
                subprocess.run(
                    [sys.executable, "-c", QT_CHARTS, which, theme, str(out)],
                    env=env, check=True, capture_output=True, timeout=60,
                )  # fmt: skip
                yield f"qtcharts-{which}-{theme}", Image.open(out).convert("RGB")


CAIRO_PLOTS = {
    "impulses": "plot '+' using 1:(5+4*sin($1)) with impulses lw 3 title 'daily'",
    "filled": "plot '+' using 1:(0):(3+cos($1)) with filledcurves title 'range'",
    "histogram": "set style data histograms; set style fill solid; "
    "plot '-' using 2:xtic(1) title 'sales'\nMon 3\nTue 5\nWed 2\nThu 7\nFri 4\ne",
}


def gnuplot_cairo() -> Iterator[tuple[str, Image.Image]]:
    """Charts by gnuplot's cairo terminal, rendered through PDF by poppler."""
    for theme, colours in (("light", ""), ("dark", ' background "#1c1c1c"')):
        for name, plot in CAIRO_PLOTS.items():
            with tempfile.TemporaryDirectory() as folder:
                out = Path(folder) / "chart.pdf"
                script = (
                    f'set terminal pdfcairo size 8in,5in{colours}; set output "{out}"; '
                    + ('set border lc "white"; set key tc "white"; ' if theme == "dark" else "")
                    + f'set samples 30; set xrange [0:10]; set title "Monthly {name}"; {plot}\n'
                )
                subprocess.run(["gnuplot"], input=script.encode(), check=True, capture_output=True)
                yield f"gnuplotcairo-{name}-{theme}", _pdf_pages(out.read_bytes(), 1, 100)


NETWORK = """graph {{ bgcolor="{bg}";
node [style=filled, fillcolor="{fill}", fontname="DejaVu Sans", fontcolor="{fg}", color="{fg}"];
edge [color="{fg}"]; router -- {{ laptop printer phone server }}; server -- {{ backup database }};
database -- reports; phone -- tablet; }}"""


def layouts() -> Iterator[tuple[str, Image.Image]]:
    """A network drawn by Graphviz's other layout engines (springs, circles, radial)."""
    for engine in ("neato", "circo", "twopi"):
        for theme, bg, fill, fg in (("light", "white", "#cfe3ff", "black"),
                                    ("dark", "#1e1e1e", "#334455", "#e8e8e8")):  # fmt: skip
            dot = NETWORK.format(bg=bg, fill=fill, fg=fg)
            png = subprocess.run(
                [engine, "-Tpng", "-Gdpi=110"], input=dot.encode(), capture_output=True, check=True
            ).stdout
            yield f"layouts-{engine}-{theme}", Image.open(io.BytesIO(png)).convert("RGB")


TK_WINDOWS = """
import sys, tkinter as tk
from tkinter import ttk
which, dark = sys.argv[1], sys.argv[2] == "dark"
root = tk.Tk()
root.geometry("900x600+0+0")
root.title(which)
bg, fg = ("#202124", "#e8eaed") if dark else ("#f0f0f0", "#000000")
root.configure(bg=bg)
root.option_add("*Background", bg)
root.option_add("*Foreground", fg)
root.option_add("*Font", "DejaVuSans 11")
if which == "form":
    for row, label in enumerate(("Full name", "Address", "Town", "Postcode", "Telephone")):
        tk.Label(root, text=label).grid(row=row, column=0, sticky="w", padx=12, pady=8)
        entry = tk.Entry(root, width=40)
        entry.insert(0, ("Ana Lopez", "12 Mill Road", "Leeds", "LS1 4AB", "0113 496 0000")[row])
        entry.grid(row=row, column=1, pady=8)
    tk.Checkbutton(root, text="Send me the newsletter").grid(row=5, column=1, sticky="w")
    tk.Button(root, text="Register").grid(row=6, column=1, sticky="e", pady=12)
elif which == "list":
    box = tk.Listbox(root, width=60, height=24)
    for n in range(40):
        box.insert("end", f"invoice-{2026 - n % 3}-{n:03d}.pdf    {n * 17 % 400 + 20} KB")
    box.pack(side="left", fill="both", expand=True, padx=8, pady=8)
    side = tk.Frame(root)
    side.pack(side="right", fill="y")
    for name in ("Open", "Rename", "Delete", "Print"):
        tk.Button(side, text=name, width=10).pack(pady=4, padx=8)
elif which == "text":
    text = tk.Text(root, wrap="word")
    text.insert("1.0", open("/usr/share/common-licenses/GPL-3").read()[:5000])
    text.pack(fill="both", expand=True)
elif which == "notebook":
    book = ttk.Notebook(root)
    for title in ("General", "Network", "Privacy"):
        page = tk.Frame(book)
        for n in range(6):
            tk.Checkbutton(page, text=f"{title} option number {n + 1}").pack(anchor="w", padx=12)
        tk.Scale(page, from_=0, to=100, orient="horizontal", label="Volume").pack(fill="x")
        book.add(page, text=title)
    book.pack(fill="both", expand=True)
root.mainloop()
"""


def programs() -> dict[str, list[str]]:
    """Tk windows (the system's Python carries tkinter), GTK dialogs in the dark theme, and a
    manual browser of X11."""
    tk = ["/usr/bin/python3", "-c", TK_WINDOWS]
    zen = ["env", "GTK_THEME=Adwaita:dark", "zenity", "--width=900", "--height=600"]
    made = {f"tk-{w}-{t}": [*tk, w, t] for w in ("form", "list", "text", "notebook")
            for t in ("light", "dark")}  # fmt: skip
    made |= {
        "gtkdark-list": [*zen, "--list", "--column=File", "--column=Size",
                         *[w for n in range(18) for w in (f"photo-{n:02d}.jpg", f"{n + 2} MB")]],
        "gtkdark-question": [*zen, "--question", "--text=Delete the 3 selected photos?"],
        "gtkdark-forms": [*zen, "--forms", "--text=Book a room", "--add-entry=Guest",
                          "--add-entry=Nights", "--add-calendar=Arrival"],
        "gtkdark-text": [*zen, "--text-info", "--filename=/usr/share/common-licenses/MPL-2.0"],
        "xman": ["xman", "-geometry", "700x500+0+0", "-notopbox", "-bothshown"],
    }  # fmt: skip
    return made


def has_tk() -> bool:
    found = subprocess.run(["/usr/bin/python3", "-c", "import tkinter"], capture_output=True)
    return found.returncode == 0
