"""Digests without OpenSSL: the same as hashlib's, and the app's modules, loading and reading a
screen's text, never import hashlib (whose OpenSSL costs 3.4 MB of the app's memory)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from vocalens.core.hashes import blake2b, sha256


def test_the_digests_are_hashlibs() -> None:
    data = os.urandom(100_000)
    assert blake2b(data, digest_size=16).digest() == hashlib.blake2b(data, digest_size=16).digest()
    ours, theirs = sha256(), hashlib.sha256()
    for start in range(0, len(data), 7000):
        ours.update(data[start : start + 7000])
        theirs.update(data[start : start + 7000])
    assert ours.hexdigest() == theirs.hexdigest()


def test_the_app_never_loads_openssls_hashes() -> None:
    pytest.importorskip("PySide6", reason="the desktop extra is not installed")
    pytest.importorskip("rapidocr", reason="the ocr extra is not installed")
    script = (
        "import sys; from PIL import Image, ImageDraw; import vocalens.desktop.app; "
        "from vocalens.core.describing.ocr import TextReader; "
        "image = Image.new('RGB', (400, 60), 'white'); "
        "ImageDraw.Draw(image).text((10, 20), 'Opening hours', fill='black', font_size=24); "
        "print([b.text for b in TextReader().read(image)], '_hashlib' in sys.modules)"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "['Opening hours'] False"
