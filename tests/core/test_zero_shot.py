"""CLIP's zero-shot vote on the kind, tested for its mechanics on tiny models: the numpy text
tower against open_clip's, the label embeddings kept at import, the vote against open_clip's
own similarity, and when the vote may change the signals' decision."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import open_clip
import pytest
import torch
from PIL import Image, ImageDraw

from vocalens.core.describing.describe import Describer
from vocalens.core.describing.zero_shot import ZeroShot
from vocalens.core.model.clip_text import FILE, encode_text, prompts, text_weights
from vocalens.core.testing import register_tiny_clip


@pytest.fixture(scope="module")
def clip() -> open_clip.CLIP:
    torch.manual_seed(5)
    return open_clip.create_model(register_tiny_clip(), pretrained=None).eval()


def reference_text(model: open_clip.CLIP, rows: list[list[int]]) -> np.ndarray:
    ids = torch.zeros(len(rows), model.context_length, dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row)
    with torch.no_grad():
        return torch.nn.functional.normalize(model.encode_text(ids), dim=-1).numpy()


def test_the_label_texts_are_clips_own_tokens() -> None:
    import json
    from importlib import resources

    stored = json.loads(
        resources.files("vocalens.resources").joinpath("kind_prompts.json").read_text()
    )
    for rows in stored.values():
        for row in rows:
            ids = open_clip.tokenize([row["text"]])[0].tolist()
            assert row["ids"] == ids[: ids.index(49407) + 1]


@pytest.mark.parametrize("quick_gelu", [False, True])
def test_the_numpy_text_tower_is_open_clips(clip, quick_gelu) -> None:
    model = clip
    if quick_gelu:
        model = open_clip.create_model(register_tiny_clip(), pretrained=None, force_quick_gelu=True)
        model.load_state_dict(clip.state_dict())
        model.eval()
    state = {k: v.numpy() for k, v in model.state_dict().items()}
    weights = text_weights(state)
    assert weights is not None and not any(k.startswith("visual.") for k in weights)
    rows = [row for group in prompts().values() for row in group]
    ours = encode_text(weights, rows, quick_gelu, heads=2)
    np.testing.assert_allclose(ours, reference_text(model, rows), atol=1e-5)
    assert text_weights({k: v for k, v in state.items() if k.startswith("visual.")}) is None


def test_the_vote_is_clips_similarity(clip, tmp_path: Path) -> None:
    from vocalens.core.model.clip_text import write_kinds

    state = {k: v.numpy() for k, v in clip.state_dict().items()}
    weights = text_weights(state)
    assert weights is not None
    write_kinds(tmp_path, weights, {"text_cfg": {"heads": 2}})
    vote = ZeroShot.load(tmp_path)
    assert vote is not None and vote.kinds == list(prompts())
    image = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        embedding = clip.encode_image(image)[0].numpy()
    means = []
    for rows in prompts().values():
        mean = reference_text(clip, rows).mean(axis=0)
        means.append(mean / np.linalg.norm(mean))
    logits = 100 * np.stack(means) @ (embedding / np.linalg.norm(embedding))
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    got = vote.vote(embedding)
    np.testing.assert_allclose([got[k] for k in prompts()], expected, atol=1e-4)


def test_a_damaged_or_missing_vote_leaves_the_signals_alone(tmp_path: Path) -> None:
    assert ZeroShot.load(tmp_path) is None
    (tmp_path / FILE).write_bytes(b"\x00" * 7)
    assert ZeroShot.load(tmp_path) is None


def one_line_window() -> Image.Image:
    """A drawn window with one line of text: the signals are unsure (an icon? a screen?)."""
    image = Image.new("RGB", (900, 700), (236, 236, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 900, 40), fill=(60, 90, 160))
    draw.text((40, 300), "Saved", fill=0)
    return image


def test_clip_settles_only_what_the_signals_leave_open(tiny) -> None:
    image = one_line_window()
    embedding = tiny.caption([image])[0].embedding
    assert embedding is not None
    table = np.stack([embedding / np.linalg.norm(embedding)] + [np.zeros_like(embedding)] * 4)
    chart_first = ZeroShot(["chart", "photo", "screen", "document", "icon"], table)
    plain = Describer(tiny, None, parallel=False).describe(image, source="window")
    assert plain.kind == "screen" and plain.kind_confidence < 0.75  # unsure without text
    voted = Describer(tiny, None, parallel=False, zero_shot=chart_first)
    described = voted.describe(image, source="window")
    assert described.kind == "chart" and described.kind_confidence > 0.6
    photo = Image.fromarray(np.random.default_rng(1).integers(0, 255, (200, 200, 3), np.uint8))
    assert voted.describe(photo).kind == "photo"  # sure from its pixels: no vote asked
