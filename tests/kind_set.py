"""A labelled set of real and rendered images for the content kind (``core.kinds``).

Photographs and document scans come from scikit-image's own data (real images in its wheel);
screens and dialogs are real Qt widgets rendered offscreen; charts and icons are drawn here;
the icons include VocaLens's own. Every image is made or read when the set is built, so the
set is the same on every machine (fixed seeds) and nothing is downloaded.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

PHOTOS = [
    "astronaut", "camera", "chelsea", "coffee", "coins", "grass", "gravel", "brick",
    "hubble_deep_field", "moon", "retina", "rocket", "stereo_motorcycle", "clock", "cell",
    "immunohistochemistry", "microaneurysms",
]  # fmt: skip
SCANS = ["page", "text"]

PROSE = (
    "the report shows how sales rose in every region over the last quarter while costs "
    "stayed level and the team plans to open two new offices next year after a review of "
    "all projects budgets and staff needs in each city"
)
WORDS = PROSE.split()


def font(size: int, bold: bool = False, serif: bool = False, mono: bool = False) -> ImageFont:
    name = "DejaVuSansMono" if mono else "DejaVuSerif" if serif else "DejaVuSans"
    path = FONT_DIR / f"{name}{'-Bold' if bold else ''}.ttf"
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def as_rgb(array: np.ndarray) -> Image.Image:
    if array.dtype == bool:
        array = np.where(array, 255, 0).astype(np.uint8)  # skimage's horse: black on white
    image = Image.fromarray(array)
    if image.mode == "RGBA":
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        return flat
    return image.convert("RGB")


def skimage_images(names: list[str]) -> list[Image.Image]:
    from skimage import data

    out = []
    for name in names:
        array = getattr(data, name)()
        out.append(as_rgb(array[0] if isinstance(array, tuple) else array))
    return out


# Documents ---------------------------------------------------------------------------------


def page(
    rng: random.Random, size=(850, 1100), columns=1, serif=False, heading=True, most=10_000
) -> Image:
    """A page of prose; ``most``: lines at most (a short note leaves the page mostly empty)."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    margin, y = 70, 70
    if heading:
        draw.text((margin, y), sentence(rng, 4), font=font(30, bold=True, serif=serif), fill=0)
        y += 60
    body = font(16, serif=serif)
    width = (size[0] - 2 * margin - 30 * (columns - 1)) // columns
    per_line = max(3, width // 80)
    for col in range(columns):
        x, yy = margin + col * (width + 30), y
        while yy < size[1] - 90 and most > 0:
            for _ in range(min(rng.randint(4, 8), most)):
                draw.text((x, yy), sentence(rng, per_line).lower(), font=body, fill=(20, 20, 20))
                yy += 24
                most -= 1
            yy += 16
    return image


def receipt(rng: random.Random) -> Image.Image:
    image = Image.new("RGB", (380, 760), (250, 250, 246))
    draw = ImageDraw.Draw(image)
    mono = font(15, mono=True)
    draw.text((110, 30), "CORNER SHOP", font=font(22, bold=True, mono=True), fill=0)
    y = 90
    for _ in range(18):
        item = rng.choice(WORDS).upper()
        price = f"{rng.randint(1, 40)}.{rng.randint(0, 99):02d}"
        draw.text((30, y), f"{item:<14}{price}", font=mono, fill=0)
        y += 28
    draw.text((30, y + 20), "TOTAL          123.45", font=mono, fill=0)
    return image


def letter(rng: random.Random) -> Image.Image:
    image = page(rng, (800, 1000), serif=True, heading=False)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 800, 60), fill="white")
    draw.text((70, 25), "Dear Ms Jones,", font=font(18, serif=True), fill=0)
    return image


def scanned(rng: random.Random) -> Image.Image:
    """A page as a scanner gives it: grey paper, a slight tilt, blur and noise."""
    image = page(rng, (700, 900)).rotate(1.5, fillcolor=(255, 255, 255), expand=False)
    image = image.filter(ImageFilter.GaussianBlur(0.8))
    noise = np.random.default_rng(rng.randint(0, 99)).normal(0, 8, (900, 700, 1))
    array = np.clip(np.asarray(image, dtype=np.float32) * 0.88 + noise, 0, 255)
    return Image.fromarray(array.astype(np.uint8))


def documents(rng: random.Random) -> list[Image.Image]:
    return [
        *skimage_images(SCANS),
        page(rng),
        page(rng, columns=2),
        page(rng, serif=True),
        receipt(rng),
        letter(rng),
        scanned(rng),
        *short_pages(),
    ]


def short_pages() -> list[Image.Image]:
    """A note of five lines on A4, and a title and three lines on a small letter page (their
    own random words: the other drawings stay as they were)."""
    rng = random.Random(11)
    return [page(rng, (794, 1123), most=5), page(rng, (680, 880), serif=True, most=3)]


# Charts ------------------------------------------------------------------------------------

PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189)]


def axes(draw: ImageDraw.ImageDraw, box, ticks, title: str, values=True) -> None:
    left, top, right, bottom = box
    small = font(13)
    draw.text((left, top - 45), title, font=font(20, bold=True), fill=0)
    draw.line((left, top, left, bottom), fill=0, width=2)
    draw.line((left, bottom, right, bottom), fill=0, width=2)
    for i in range(ticks + 1):
        y = bottom - i * (bottom - top) / ticks
        draw.line((left - 6, y, left, y), fill=0)
        draw.line((left + 1, y, right, y), fill=(225, 225, 225))
        if values:
            draw.text((left - 45, y - 8), str(i * 10), font=small, fill=0)


def bar_chart(rng: random.Random, horizontal=False) -> Image.Image:
    image = Image.new("RGB", (800, 560), "white")
    draw = ImageDraw.Draw(image)
    box = (90, 80, 760, 480)
    axes(draw, box, 5, "Sales by region")
    names = ["North", "South", "East", "West", "Centre", "Coast"]
    step = (box[2] - box[0]) / len(names)
    for i, name in enumerate(names):
        height = rng.uniform(0.2, 0.95) * (box[3] - box[1])
        x = box[0] + i * step + step * 0.2
        draw.rectangle((x, box[3] - height, x + step * 0.6, box[3] - 1), fill=PALETTE[i % 5])
        draw.text((x, box[3] + 10), name, font=font(13), fill=0)
    return image.transpose(Image.Transpose.ROTATE_90) if horizontal else image


def line_chart(rng: random.Random, series=2) -> Image.Image:
    image = Image.new("RGB", (900, 520), "white")
    draw = ImageDraw.Draw(image)
    box = (90, 80, 860, 450)
    axes(draw, box, 4, "Temperature over the year")
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    step = (box[2] - box[0]) / (len(months) - 1)
    for i, month in enumerate(months):
        draw.text((box[0] + i * step - 12, box[3] + 10), month, font=font(13), fill=0)
    for s in range(series):
        level = rng.uniform(0.2, 0.7)
        points = []
        for i in range(len(months)):
            level = min(0.95, max(0.05, level + rng.uniform(-0.15, 0.15)))
            points.append((box[0] + i * step, box[3] - level * (box[3] - box[1])))
        draw.line(points, fill=PALETTE[s], width=3)
        for x, y in points:
            draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=PALETTE[s])
    return image


def pie_chart(rng: random.Random) -> Image.Image:
    image = Image.new("RGB", (700, 500), "white")
    draw = ImageDraw.Draw(image)
    draw.text((30, 20), "Share of visitors", font=font(22, bold=True), fill=0)
    shares = [rng.uniform(1, 5) for _ in range(5)]
    start = 0.0
    for i, share in enumerate(shares):
        end = start + 360 * share / sum(shares)
        draw.pieslice((60, 80, 440, 460), start, end, fill=PALETTE[i], outline="white")
        draw.rectangle((480, 120 + i * 40, 500, 140 + i * 40), fill=PALETTE[i])
        label = f"Site {i + 1}: {share / sum(shares):.0%}"
        draw.text((510, 120 + i * 40), label, font=font(15), fill=0)
        start = end
    return image


def scatter_plot(rng: random.Random) -> Image.Image:
    image = Image.new("RGB", (760, 560), "white")
    draw = ImageDraw.Draw(image)
    box = (90, 80, 720, 480)
    axes(draw, box, 5, "Height against weight")
    for _ in range(120):
        x = rng.uniform(0.05, 0.95)
        y = min(0.95, max(0.05, x * 0.8 + rng.gauss(0.1, 0.08)))
        cx, cy = box[0] + x * (box[2] - box[0]), box[3] - y * (box[3] - box[1])
        draw.ellipse((cx - 4, cy - 4, cx + 4, cy + 4), fill=PALETTE[0])
    return image


def flow_diagram(rng: random.Random) -> Image.Image:
    image = Image.new("RGB", (900, 420), (248, 248, 248))
    draw = ImageDraw.Draw(image)
    steps = ["Order", "Pack", "Ship", "Deliver"]
    for i, step in enumerate(steps):
        x = 40 + i * 215
        draw.rounded_rectangle((x, 160, x + 160, 260), 14, fill=PALETTE[i], outline=0, width=2)
        draw.text((x + 40, 198), step, font=font(20, bold=True), fill="white")
        if i:
            draw.line((x - 55, 210, x - 2, 210), fill=0, width=3)
            draw.polygon([(x - 2, 210), (x - 14, 202), (x - 14, 218)], fill=0)
    return image


def charts(rng: random.Random) -> list[Image.Image]:
    return [
        bar_chart(rng),
        bar_chart(rng, horizontal=True),
        line_chart(rng),
        line_chart(rng, series=1),
        pie_chart(rng),
        scatter_plot(rng),
        flow_diagram(rng),
    ]


# Icons and logos ---------------------------------------------------------------------------


def drawn_icon(kind: str, size: int = 256) -> Image.Image:
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    s = size
    if kind == "play":
        draw.ellipse((s * 0.1, s * 0.1, s * 0.9, s * 0.9), fill=(220, 40, 40))
        draw.polygon([(s * 0.4, s * 0.3), (s * 0.4, s * 0.7), (s * 0.72, s * 0.5)], fill="white")
    elif kind == "letter":
        draw.rounded_rectangle((s * 0.1, s * 0.1, s * 0.9, s * 0.9), s // 6, fill=(30, 90, 200))
        draw.text((s * 0.32, s * 0.18), "A", font=font(int(s * 0.55), bold=True), fill="white")
    elif kind == "folder":
        draw.rectangle((s * 0.1, s * 0.25, s * 0.45, s * 0.35), fill=(230, 180, 40))
        draw.rectangle((s * 0.1, s * 0.32, s * 0.9, s * 0.8), fill=(245, 200, 60))
    elif kind == "gear":
        centre, r = s / 2, s * 0.3
        for i in range(8):
            a = i * np.pi / 4
            x, y = centre + np.cos(a) * r * 1.15, centre + np.sin(a) * r * 1.15
            tooth = s * 0.08
            draw.ellipse((x - tooth, y - tooth, x + tooth, y + tooth), fill=(90, 90, 90))
        draw.ellipse((centre - r, centre - r, centre + r, centre + r), fill=(90, 90, 90))
        draw.ellipse((centre - r / 2.5, centre - r / 2.5, centre + r / 2.5, centre + r / 2.5), 0)
    return image


def icons() -> list[Image.Image]:
    own = [
        as_rgb(np.asarray(Image.open(ROOT / f"resources/icons/vocalens-{n}.png")))
        for n in (256, 48)
    ]
    drawn = [drawn_icon(k) for k in ("play", "letter", "folder")] + [drawn_icon("gear", 64)]
    return [*own, *skimage_images(["logo", "horse"]), *drawn]


# Blank and near-blank ----------------------------------------------------------------------


def blanks() -> list[Image.Image]:
    rng = np.random.default_rng(0)
    noisy = np.clip(40 + rng.normal(0, 2, (600, 800, 3)), 0, 255).astype(np.uint8)
    paper = np.full((700, 500, 3), (243, 238, 228)) + rng.normal(0, 1.5, (700, 500, 3))
    paper = np.clip(paper, 0, 255)
    cursor = Image.new("RGB", (1280, 800), "white")
    ImageDraw.Draw(cursor).rectangle((640, 400, 641, 418), fill=0)
    return [
        Image.new("RGB", (800, 600), "white"),
        Image.new("RGB", (1920, 1080), "black"),
        Image.fromarray(noisy),
        Image.fromarray(paper.astype(np.uint8)),
        cursor,
    ]


# Screens (real Qt widgets) -----------------------------------------------------------------


def grab(widget, points: int = 11) -> Image.Image:
    """A Qt widget rendered offscreen in its font at ``points``, as RGB."""
    from PySide6.QtGui import QFont, QImage

    widget.setFont(QFont(widget.font().family(), points))
    widget.show()
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    widget.close()
    return Image.frombytes(
        "RGB", (image.width(), image.height()), bytes(image.constBits()), "raw", "RGB",
        image.bytesPerLine(),
    )  # fmt: skip


def screens(rng: random.Random) -> list[Image.Image]:
    from PySide6 import QtWidgets as W

    if W.QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        W.QApplication([])
    made: list[Callable[[], W.QWidget]] = []

    def dialog():
        box = W.QMessageBox(W.QMessageBox.Icon.Question, "Save", "Save changes to report.txt?")
        box.setStandardButtons(
            W.QMessageBox.StandardButton.Save
            | W.QMessageBox.StandardButton.Discard
            | W.QMessageBox.StandardButton.Cancel
        )
        return box

    def form():
        w = W.QWidget()
        lay = W.QFormLayout(w)
        for label in ("Name", "Email", "Phone", "Street", "City"):
            lay.addRow(label, W.QLineEdit(rng.choice(WORDS)))
        lay.addRow(W.QPushButton("Send"))
        w.resize(520, 300)
        return w

    def settings():
        tabs = W.QTabWidget()
        for title in ("General", "Speech", "Keys"):
            page = W.QWidget()
            lay = W.QVBoxLayout(page)
            for _ in range(5):
                lay.addWidget(W.QCheckBox(sentence(rng, 4)))
            lay.addWidget(W.QSlider())
            tabs.addTab(page, title)
        tabs.resize(640, 480)
        return tabs

    def file_list():
        view = W.QListWidget()
        for i in range(24):
            view.addItem(f"{rng.choice(WORDS)}-{i}.{rng.choice(['txt', 'png', 'pdf'])}")
        view.resize(400, 560)
        return view

    def editor():
        win = W.QMainWindow()
        bar = win.addToolBar("Edit")
        for name in ("New", "Open", "Save", "Undo", "Redo"):
            bar.addAction(name)
        win.menuBar().addMenu("File")
        win.menuBar().addMenu("View")
        text = W.QPlainTextEdit("\n".join(sentence(rng, 7) for _ in range(12)))
        win.setCentralWidget(text)
        win.statusBar().showMessage("Ready")
        win.resize(1280, 800)
        return win

    def table():
        view = W.QTableWidget(14, 4)
        view.setHorizontalHeaderLabels(["Name", "Size", "Type", "Modified"])
        for r in range(14):
            for c in range(4):
                view.setItem(r, c, W.QTableWidgetItem(rng.choice(WORDS)))
        view.resize(700, 500)
        return view

    def login():
        w = W.QWidget()
        w.setStyleSheet("background: #2b3a55; color: white")
        lay = W.QVBoxLayout(w)
        lay.addWidget(W.QLabel("Sign in"))
        lay.addWidget(W.QLineEdit("user name"))
        lay.addWidget(W.QLineEdit("password"))
        lay.addWidget(W.QPushButton("Continue"))
        w.resize(420, 300)
        return w

    def sidebar():
        w = W.QSplitter()
        nav = W.QListWidget()
        nav.addItems(["Inbox", "Sent", "Drafts", "Archive", "Spam", "Trash"])
        mails = W.QListWidget()
        mails.addItems([sentence(rng, 6) for _ in range(16)])
        w.addWidget(nav)
        w.addWidget(mails)
        w.resize(1100, 650)
        return w

    def terminal():
        text = W.QPlainTextEdit(
            "\n".join(f"$ ls {rng.choice(WORDS)}\n{sentence(rng, 5).lower()}" for _ in range(9))
        )
        text.setStyleSheet("background: #101010; color: #d0d0d0; font-family: monospace")
        text.resize(760, 480)
        return text

    def progress():
        w = W.QWidget()
        lay = W.QVBoxLayout(w)
        lay.addWidget(W.QLabel("Copying 24 files to Backup"))
        bar = W.QProgressBar()
        bar.setValue(40)
        lay.addWidget(bar)
        lay.addWidget(W.QPushButton("Cancel"))
        w.resize(460, 160)
        return w

    made += [dialog, form, settings, file_list, editor, table, login, sidebar, terminal, progress]
    return [grab(make()) for make in made]


def labelled_set(seed: int = 0) -> list[tuple[str, str, Image.Image]]:
    """(name, kind, image) for every image of the set."""
    rng = random.Random(seed)
    groups = {
        "photo": list(zip(PHOTOS, skimage_images(PHOTOS), strict=True)),
        "document": [(f"document-{i}", im) for i, im in enumerate(documents(rng))],
        "chart": [(f"chart-{i}", im) for i, im in enumerate(charts(rng))],
        "icon": [(f"icon-{i}", im) for i, im in enumerate(icons())],
        "blank": [(f"blank-{i}", im) for i, im in enumerate(blanks())],
        "screen": [(f"screen-{i}", im) for i, im in enumerate(screens(rng))],
    }
    return [(name, kind, image) for kind, items in groups.items() for name, image in items]
