"""The real engine's loading: what it tells the user while the model loads, and its memory."""

import weakref

from vocalens.core import Notice, notice_text
from vocalens.desktop.engine import DescribeEngine


def test_the_first_load_says_it_prepares_the_model_once(fresh_model_dir) -> None:
    settings = {"model": str(fresh_model_dir), "device": "cpu", "precision": "auto"}
    said: list[Notice] = []
    for _ in range(2):
        engine = DescribeEngine()
        engine.load(settings, said.append)
        assert engine.describer is not None and engine.describer.captioner is not None
        engine.close()
    assert [n.code for n in said] == [
        "model_preparing",
        "model_ready",
        "model_loading",  # the second time: nothing to prepare
        "model_ready",
    ]
    assert notice_text(said[0]).startswith("Preparing the caption model for this computer")
    assert notice_text(said[1]) == "The caption model is ready; it runs on the processor."


def test_a_reload_frees_the_old_model_before_loading_the_new(tiny_model_dir) -> None:
    settings = {"model": str(tiny_model_dir), "device": "cpu", "precision": "fp32"}
    engine = DescribeEngine()
    engine.load(settings, lambda notice: None)
    assert engine.describer is not None
    old = weakref.ref(engine.describer.captioner)
    alive_when_loading: list[bool] = []

    def notify(notice: Notice) -> None:
        if notice.code == "model_loading":  # the new load has begun
            alive_when_loading.append(old() is not None)

    engine.load(settings, notify)
    assert alive_when_loading == [False]  # never two models in memory at once
    engine.close()


def test_the_check_finds_a_missing_model_without_loading_anything(fresh_model_dir) -> None:
    engine = DescribeEngine()
    problem = engine.check({"model": "clipcap-coco"})  # the models folder here is empty
    assert problem is not None
    assert notice_text(problem) == (
        "Captions are off: The model 'clipcap-coco' is not downloaded yet. Choose Download "
        "caption model in the VocaLens menu or window."
    )
    assert engine.describer is None
    assert engine.check({"model": str(fresh_model_dir)}) is None


def test_the_app_and_the_command_line_say_the_same_words(tiny_model_dir, tmp_path) -> None:
    import json
    import subprocess
    import sys

    from PIL import Image, ImageDraw, ImageFont

    from vocalens.core import load_image, spoken
    from vocalens.desktop.worker import Job

    path = tmp_path / "poster.png"
    image = Image.new("RGB", (700, 160), "white")
    font = ImageFont.load_default(size=36)
    ImageDraw.Draw(image).text((30, 50), "Lost cat named Biscuit", fill="black", font=font)
    image.save(path)
    search = {"strategy": "greedy", "max_new_tokens": 20}
    cli = [sys.executable, "-m", "vocalens.core.cli.main", "describe", str(path), "--json"]
    cli += ["--model", str(tiny_model_dir), "--precision", "fp32", "--greedy", "--max-tokens", "20"]
    out = subprocess.run(cli, capture_output=True, text=True, timeout=300, check=True)
    printed = json.loads(out.stdout)["spoken"]
    engine = DescribeEngine()
    engine.load({"model": str(tiny_model_dir), "device": "cpu", "precision": "fp32"}, print)
    picture = load_image(path)
    grown: list = []
    job = Job("file", picture, label=str(path), options=search)
    said = spoken(engine.describe(job, picture, grown.append))
    assert grown and grown[0].label == str(path)  # it was heard growing
    engine.close()
    assert "Lost cat named Biscuit" in said
    assert said == printed
