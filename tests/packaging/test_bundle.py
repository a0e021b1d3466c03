"""The packaged app from packaging/build.sh, run as a user would: the command line with a
model, the OCR models inside, the desktop app and its speech host on a real X server, and
install/uninstall. VOCALENS_BUNDLE=DIR tests a folder built already."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.e2e import describe_screen_through_the_remote, xserver
from tests.hub import hub_env, serve
from tests.registry_files import MODEL, clipcap_coco_files

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]  # the build takes minutes
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundle() -> Path:
    given = os.environ.get("VOCALENS_BUNDLE")
    if given:
        return Path(given)
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install pyinstaller; `make bundle`)")
    build = ROOT / "build" / "bundle"
    # Built as a user's would be: from an environment of its own without torch (kept in
    # build/bundle/env between runs).
    env = {**os.environ, "BUILD_DIR": str(build)}
    subprocess.run([str(ROOT / "packaging" / "build.sh")], env=env, check=True)
    return build / "dist" / "VocaLens"


def user_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What a user's shell has: no virtual environment, private folders."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "LANG": "C.UTF-8",
        "HF_ENDPOINT": "http://127.0.0.1:9",  # a closed port: any network use fails visibly
        "VOCALENS_CACHE_DIR": str(tmp_path / "cache"),
        "VOCALENS_MODELS_DIR": str(tmp_path / "models"),
    }
    return {**env, **extra}


def run(command: list[str | Path], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    out = subprocess.run([str(c) for c in command], env=env, capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return out


def test_the_command_line_knows_its_version(bundle, tmp_path) -> None:
    out = run([bundle / "vocalens", "--version"], user_env(tmp_path))
    assert out.stdout.strip() == f"vocalens {importlib.metadata.version('vocalens')}"


def test_it_captions_as_the_source_does(bundle, tiny_model_dir, tmp_path) -> None:
    image = tmp_path / "red.png"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(image)
    model = shutil.copytree(tiny_model_dir, tmp_path / "model")
    source = Path(sys.executable).parent / "vocalens"
    for how in (["--beam", "3"], ["--sample", "--seed", "3"]):
        args = ["caption", image, "--model", model, *how, "--precision", "fp32"]
        want = run([source, *args], user_env(tmp_path)).stdout
        assert want.startswith(f"{image}\t") and want.strip() != str(image)  # a caption
        assert run([bundle / "vocalens", *args], user_env(tmp_path)).stdout == want
    run([bundle / "vocalens", "caption", image, "--model", model], user_env(tmp_path))
    manifest = json.loads((model / "onnx" / "manifest.json").read_text())  # auto, frozen
    assert manifest["precision"] in ("int8", "int8-decoder", "fp32")


def test_it_reads_text_with_the_ocr_models_inside(bundle, tiny_model_dir, tmp_path) -> None:
    image = Image.new("RGB", (700, 160), "white")
    ImageDraw.Draw(image).text((30, 50), "Lost cat named Biscuit", fill="black",
                               font=ImageFont.load_default(size=36))  # fmt: skip
    path = tmp_path / "poster.png"
    image.save(path)
    cmd = [bundle / "vocalens", "describe", path, "--model", tiny_model_dir, "--json"]
    out = run(cmd, user_env(tmp_path))
    record = json.loads(out.stdout)
    assert record["blocks"] == ["Lost cat named Biscuit"] and record["caption"] is not None
    # the faster text model was derived on first use, by a helper process of the app's own
    assert list((tmp_path / "cache" / "ocr").glob("*.int8-*.onnx")) and out.stderr == ""
    # onnxruntime ran the captioner, the text models and the helper, and kept no telemetry
    assert not (tmp_path / "home" / ".cache" / "Microsoft").exists()


@pytest.mark.display
def test_the_desktop_app_answers_its_remote_and_speaks(bundle, tiny_model_dir, tmp_path):
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (the test command installs it)")
    with xserver() as display:
        app = [str(bundle / "vocalens-desktop")]
        describe_screen_through_the_remote(app, display, tmp_path, tiny_model_dir)


def test_it_downloads_and_converts_a_model_without_torch(bundle, tiny, tiny_folder, tmp_path):
    """What a user of the packaged app does first: download the default model (here from a
    stand-in for its sources, with random weights) and describe an image with it."""
    files = clipcap_coco_files(tiny.decoder, tiny_folder / "tokenizer")
    with serve(files) as address:
        env = user_env(tmp_path, **hub_env(address))
        said = run([bundle / "vocalens", "models", "download", MODEL], env).stdout
    assert f"{MODEL} is ready at {tmp_path / 'models' / MODEL}" in said
    image = ROOT / "resources" / "samples" / "house-on-a-hill.png"
    out = run([bundle / "vocalens", "describe", image, "--json"], user_env(tmp_path))
    assert json.loads(out.stdout)["caption"]


def test_it_leaves_out_what_the_app_does_not_need(bundle) -> None:
    inside = bundle / "_internal"
    for name in ("pytest", "pycocoevalcap", "mypy", "IPython", "matplotlib", "torch",
                 "torchvision", "transformers", "open_clip", "triton", "cv2"):  # fmt: skip
        assert not (inside / name).exists(), name
    assert not list(inside.rglob("*WebEngine*"))
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"bundle size: {size / 1e6:.0f} MB")
    assert size <= 500e6


def test_install_and_uninstall_for_one_user(bundle, tmp_path) -> None:
    prefix = tmp_path / "prefix"
    env = user_env(tmp_path, PREFIX=str(prefix))
    run(["sh", bundle / "install.sh"], env)
    app = prefix / "lib" / "vocalens"
    entry = (prefix / "share" / "applications" / "vocalens.desktop").read_text()
    assert f"Exec={app}/vocalens-desktop %F" in entry and "Icon=vocalens" in entry
    assert (prefix / "share/icons/hicolor/256x256/apps/vocalens.png").is_file()
    if shutil.which("desktop-file-validate"):
        run(["desktop-file-validate", prefix / "share/applications/vocalens.desktop"], env)
    out = run([prefix / "bin" / "vocalens", "--version"], env)
    assert out.stdout.startswith("vocalens ")
    run(["sh", app / "uninstall.sh"], env)
    assert not (prefix / "bin" / "vocalens").exists()
    assert not (prefix / "share" / "applications" / "vocalens.desktop").exists()
    assert not list((prefix / "share" / "icons").rglob("vocalens.png"))
