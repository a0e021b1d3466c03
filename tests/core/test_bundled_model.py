"""A model shipped inside the packaged app: found by name, and never written to."""

import shutil
import sys

from PIL import Image

from vocalens.core.catalog.loading import resolve_model
from vocalens.core.inference.runtime import open_captioner
from vocalens.core.paths import cache_dir, models_dir


def test_a_shipped_model_is_found_and_left_untouched(fresh_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("VOCALENS_MODELS_DIR", str(tmp_path / "models"))  # this test's own
    monkeypatch.setenv("VOCALENS_CACHE_DIR", str(tmp_path / "cache"))
    bundle = tmp_path / "bundle"
    shipped = shutil.copytree(fresh_model_dir, bundle / "models" / "clipcap-coco")
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert resolve_model("clipcap-coco") == shipped
    before = sorted(p.name for p in shipped.iterdir())
    model = open_captioner(shipped, device="cpu", precision="auto")
    assert model.caption([Image.new("RGB", (32, 32), "red")])[0].tokens
    assert sorted(p.name for p in shipped.iterdir()) == before  # nothing written inside
    derived = list((cache_dir() / "derived").glob("clipcap-coco-*/onnx/manifest.json"))
    assert len(derived) == 1  # the conversion and the choice went to the cache instead
    own = shutil.copytree(fresh_model_dir, models_dir() / "clipcap-coco")
    assert resolve_model("clipcap-coco") == own  # the user's own copy comes first
