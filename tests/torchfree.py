"""An environment without torch: a virtual environment holding every package of this one except
those only training needs, so that they are really absent (not imported, not importable)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

TRAINING_ONLY = ("torch", "torchvision", "transformers", "open_clip", "functorch", "torchgen",
                 "triton", "nvidia")  # fmt: skip


def _training_only(name: str) -> bool:
    stem = name.split("-")[0].split(".")[0].lower()
    return stem in TRAINING_ONLY or stem.startswith(("torch", "open_clip", "nvidia_", "triton"))


def make(folder: Path) -> Path:
    """A Python whose packages are this environment's minus the training ones (linked, not
    copied); returns its interpreter."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    target = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    for entry in Path(sysconfig.get_path("purelib")).iterdir():
        if not _training_only(entry.name) and not (target / entry.name).exists():
            (target / entry.name).symlink_to(entry.resolve())
    check = "import importlib.util as u, sys; sys.exit(u.find_spec('torch') is not None)"
    subprocess.run([str(python), "-c", check], check=True)
    return python
