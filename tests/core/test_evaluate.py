"""The COCO caption metrics (with and without Java) and CLIPScore."""

from __future__ import annotations

import json
from pathlib import Path

import open_clip
import pytest
import torch
from PIL import Image

from vocalens.core.cli.main import main
from vocalens.core.errors import ModelError
from vocalens.core.eval import coco
from vocalens.core.eval.clipscore import PROMPT, ClipScorer, W
from vocalens.core.testing import register_tiny_clip

REFS = {1: ["A dog runs on the grass.", "A brown dog running."], 2: ["Two cats sleep on a sofa."]}
GOOD = {1: "A dog runs on the grass.", 2: "Two cats sleep on a sofa."}
BAD = {1: "A red bus in the city.", 2: "A plate of food."}

needs_java = pytest.mark.skipif(not coco.java_available(), reason="Java is not installed")


@needs_java
def test_coco_metrics_with_java_rank_good_above_bad() -> None:
    good = coco.coco_scores(REFS, GOOD, spice=False)
    bad = coco.coco_scores(REFS, BAD, spice=False)
    assert good.scores["BLEU-4"] > 0.9 and bad.scores["BLEU-4"] < 0.1
    for name in ("BLEU-1", "ROUGE-L", "CIDEr-D", "METEOR"):
        assert good.scores[name] > bad.scores[name], name
    assert good.skipped == {"SPICE": "not asked for"}


@needs_java
def test_spice_runs_or_says_what_it_needs() -> None:
    result = coco.coco_scores(REFS, GOOD)
    if coco.spice_ready():
        assert result.scores["SPICE"] > 0.5
    else:
        assert "Stanford CoreNLP" in result.skipped["SPICE"]


def test_without_java_the_other_metrics_are_still_reported(monkeypatch) -> None:
    monkeypatch.setattr(coco, "java_available", lambda: False)
    result = coco.coco_scores(REFS, GOOD)
    assert set(result.scores) == {"BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "ROUGE-L", "CIDEr-D"}
    assert set(result.skipped) == {"METEOR", "SPICE"}
    assert "Java" in result.skipped["METEOR"]


@needs_java
def test_the_python_tokenizer_matches_the_ptb_tokenizer() -> None:
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    texts = ["A man's bike, parked -- by the door.", "Two dogs aren't playing!", "It's OK?"]
    ptb = PTBTokenizer().tokenize({i: [{"caption": t}] for i, t in enumerate(texts)})
    assert [coco.simple_tokenize(t) for t in texts] == [ptb[i][0] for i in range(len(texts))]


@pytest.fixture(scope="module")
def clip_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A whole tiny CLIP (both towers) saved as a checkpoint file."""
    torch.manual_seed(3)
    model = open_clip.create_model(register_tiny_clip())
    path = tmp_path_factory.mktemp("clip") / "tiny-clip.pt"
    torch.save(model.state_dict(), path)
    return path


def test_clipscore_follows_hessel_et_al(clip_file: Path) -> None:
    scorer = ClipScorer(register_tiny_clip(), str(clip_file))
    images = [Image.new("RGB", (40, 40), c) for c in ("red", "blue")]
    captions = ["a red square.", "a blue square."]
    refs = [["a red thing.", "red."], ["a blue thing."]]
    feats = scorer.images(images)
    result = scorer.score(feats, captions, refs)
    model, tok = scorer.model, scorer.tokenizer
    with torch.no_grad():
        img = torch.nn.functional.normalize(model.encode_image(
            torch.stack([scorer.preprocess(i) for i in images])), dim=-1)  # fmt: skip
        txt = lambda t: torch.nn.functional.normalize(model.encode_text(tok(t)), dim=-1)  # noqa: E731
        cand = txt([PROMPT + c for c in captions])
    expected = W * torch.clamp((img * cand).sum(-1), min=0)
    assert result.per_image == pytest.approx(expected.tolist(), abs=1e-5)
    ref_best = [float((txt([PROMPT + r for r in rs]) @ c).max().clamp(min=0).detach())
                for rs, c in zip(refs, cand, strict=True)]  # fmt: skip
    harmonic = [2 * a * b / (a + b) for a, b in zip(expected.tolist(), ref_best, strict=True)]
    assert result.ref_clip_score == pytest.approx(sum(harmonic) / 2, abs=1e-5)
    assert scorer.score(feats, captions).ref_clip_score is None


def test_clipscore_needs_trained_weights() -> None:
    with pytest.raises(ModelError, match="needs trained CLIP weights"):
        ClipScorer(register_tiny_clip(), None)


def test_evaluate_reports_clipscore_and_the_coco_metrics(
    tiny_model_dir: Path, clip_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i, colour in enumerate(("red", "green", "blue")):
        Image.new("RGB", (30, 30), colour).save(tmp_path / f"{i}.png")
    rows = [{"image": f"{i}.png", "caption": f"A {c} square.", "split": "test"}
            for i, c in enumerate(("red", "green", "blue"))]  # fmt: skip
    rows.append({"image": "missing.png", "caption": "Gone.", "split": "test"})
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "eval"
    code = main(["evaluate", "--data", str(tmp_path / "d.jsonl"), "--model", str(tiny_model_dir),
                 "--out", str(out), "--clip-model", register_tiny_clip(), "--clip-pretrained",
                 str(clip_file), "--no-spice", "--greedy"])  # fmt: skip
    assert code == 0
    summary = json.loads((out / "metrics.json").read_text())
    assert summary["images"] == 3 and "missing.png" in summary["unreadable"]
    assert 0.0 <= summary["metrics"]["CLIPScore"] <= W
    assert "RefCLIPScore" in summary["metrics"] and "CIDEr-D" in summary["metrics"]
    assert main(["evaluate", "--data", str(tmp_path / "d.jsonl"), "--model",
                 str(tiny_model_dir), "--split", "val"]) == 2  # fmt: skip
    assert "has no 'val' images" in capsys.readouterr().err
