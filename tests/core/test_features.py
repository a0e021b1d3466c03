"""The feature cache encodes each image once, resumes, reports bad images and refuses
another encoder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from vocalens.core.data.features import FeatureCache, encode_samples, encoder_identity
from vocalens.core.data.readers import read_dataset
from vocalens.core.data.samples import DataError
from vocalens.core.testing import tiny_captioner


@pytest.fixture()
def dataset(tmp_path: Path):
    rows = []
    for i in range(10):
        Image.new("RGB", (40, 30), (i * 20, 100, 200 - i * 10)).save(tmp_path / f"{i}.png")
        rows += [
            {"image": f"{i}.png", "caption": "A colour."},
            {"image": f"{i}.png", "caption": "Two."},
        ]
    rows.append({"image": "gone.png", "caption": "Missing."})
    (tmp_path / "bad.png").write_bytes(b"\x89PNG broken")
    rows.append({"image": "bad.png", "caption": "Broken."})
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return read_dataset(tmp_path / "d.jsonl")


class Counting(torch.nn.Module):
    """Wraps the encoder and counts the images it is given."""

    def __init__(self, encoder) -> None:
        super().__init__()
        self.encoder, self.seen = encoder, 0
        self.preprocess, self.cfg, self.visual = encoder.preprocess, encoder.cfg, encoder.visual
        self.embed_dim = encoder.embed_dim

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        self.seen += len(pixels)
        return self.encoder(pixels)


def test_each_image_is_encoded_once_into_fp16_shards(tiny, dataset, tmp_path: Path) -> None:
    enc = Counting(tiny.encoder)
    cache = encode_samples(enc, dataset.samples, tmp_path / "cache", batch_size=4, shard_size=4)
    assert enc.seen == 10  # twenty captions, ten images
    assert set(cache.index.unreadable) == {"gone.png", "bad.png"}
    assert "bad.png" in (tmp_path / "cache" / "unreadable.txt").read_text()
    shard = load_file(str(tmp_path / "cache" / cache.index.shards[0]["file"]))["embeddings"]
    assert shard.dtype == torch.float16 and shard.shape == (4, tiny.encoder.embed_dim)
    image = Image.open(dataset.samples[3].path).convert("RGB")
    expected = tiny.embed(tiny.pixels([image]))[0]
    got = FeatureCache.open(tmp_path / "cache").embeddings([dataset.samples[3].key])[0]
    assert torch.allclose(got, expected, atol=2e-3)  # fp16 storage
    encode_samples(enc, dataset.samples, tmp_path / "cache")
    assert enc.seen == 10  # nothing left to do


def test_an_interrupted_encode_resumes_where_it_stopped(tiny, dataset, tmp_path: Path) -> None:
    enc = Counting(tiny.encoder)
    calls = []

    def stop_in_second_shard(n: int) -> None:
        calls.append(n)
        if len(calls) == 4:  # progress: start, then one call per batch of 2
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        encode_samples(enc, dataset.samples, tmp_path / "c", batch_size=2, shard_size=4,
                       progress=stop_in_second_shard)  # fmt: skip
    assert len(FeatureCache.open(tmp_path / "c").keys()) == 4  # the finished shard is kept
    before = enc.seen
    cache = encode_samples(enc, dataset.samples, tmp_path / "c", batch_size=2, shard_size=4)
    assert len(cache.keys()) == 10 and enc.seen - before == 6


def test_a_cache_refuses_another_encoder_and_foreign_folders(dataset, tmp_path: Path) -> None:
    one = tiny_captioner(tmp_path / "one", seed=1).encoder
    two = tiny_captioner(tmp_path / "two", seed=2).encoder
    assert encoder_identity(one) != encoder_identity(two)
    encode_samples(one, dataset.samples, tmp_path / "cache")
    with pytest.raises(DataError, match="was made by another image encoder"):
        encode_samples(two, dataset.samples, tmp_path / "cache")
    with pytest.raises(DataError, match="was made by another image encoder"):
        FeatureCache.open(tmp_path / "cache", encoder_identity(two))
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(DataError, match="already holds other files"):
        encode_samples(one, dataset.samples, tmp_path / "mine")
    with pytest.raises(DataError, match="not a feature cache"):
        FeatureCache.open(tmp_path / "mine")
