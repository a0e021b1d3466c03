"""Training and encoding on several processes (torchrun, gloo on this CPU) against one
process: the same losses, the same feature cache, a stopped run resumed on another number of
processes, and WebDataset shards read where they lie."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from vocalens.core.data.features import FeatureCache, encode_samples
from vocalens.core.data.readers import read_dataset
from vocalens.core.model.checkpoint import load_from_directory
from vocalens.core.synthetic import write_shapes_dataset
from vocalens.core.train.config import TrainConfig
from vocalens.core.train.distributed import World, from_environment
from vocalens.core.train.run import DataSpec, train

SETTINGS = {"prefix_length": 4, "batch_size": 16, "lr": 3e-3, "warmup_steps": 2, "epochs": 2}
SETTINGS |= {"device": "cpu", "log_every": 1}  # GPT-2 frozen: no dropout, so weights compare


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_shapes_dataset(tmp_path_factory.mktemp("shapes"), train=70, val=10, test=0)


def torchrun(ranks: int, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    command += ["--nproc-per-node", str(ranks), "-m", "vocalens.core.cli", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def steps(out: Path) -> list[float]:
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    return [r["loss"] for r in records if r["type"] == "step"]


def test_two_processes_train_as_one_with_the_same_global_batch(shapes, start, tmp_path) -> None:
    cfg = TrainConfig(init=str(start), **SETTINGS)
    torch.set_num_threads(1)
    train(DataSpec(str(shapes)), tmp_path / "1", cfg, progress=False, say=lambda _: None)
    flags = [f"--set={k}={json.dumps(v)}" for k, v in {**SETTINGS, "init": str(start)}.items()]
    done = torchrun(2, "train", "--data", str(shapes), "--out", str(tmp_path / "2"), *flags)
    assert "in 2 processes" in done.stdout and done.stdout.count("Done after") == 1
    one, two = steps(tmp_path / "1"), steps(tmp_path / "2")
    assert len(one) == len(two) == 2 * 5  # 63 training captions (7 held out), 16 a batch
    for a, b in zip(one, two, strict=True):
        assert b == pytest.approx(a, rel=0.01)
    assert one[-1] < one[0]  # it learned, in both
    mine, theirs = (load_file(str(tmp_path / r / "last" / "projector.safetensors")) for r in "12")
    for key, value in mine.items():
        torch.testing.assert_close(theirs[key], value, atol=1e-4, rtol=1e-3)


def test_two_ranks_encode_every_image_once(shapes, start, tmp_path) -> None:
    args = ["--data", str(shapes), "--model", str(start), "--device", "cpu", "--shard-size", "8"]
    torchrun(2, "encode", *args, "--out", str(tmp_path / "two"))
    encoder = load_from_directory(start, device="cpu").encoder
    alone = encode_samples(encoder, read_dataset(shapes).samples, tmp_path / "one")
    both = FeatureCache.open(tmp_path / "two")
    assert not list((tmp_path / "two").glob("index-rank*"))  # merged, and gone
    keys = [k for shard in both.index.shards for k in shard["keys"]]
    assert len(keys) == len(set(keys)) == 80 and set(keys) == alone.keys()
    ordered = sorted(keys)
    torch.testing.assert_close(
        both.embeddings(ordered), alone.embeddings(ordered), atol=2e-3, rtol=0
    )


def _stopped_half_way(
    rank: int, size: int, folder: str, start: str, shapes: str, init: str
) -> None:
    torch.distributed.init_process_group("gloo", init_method=init, rank=rank, world_size=size)
    encoder = load_from_directory(Path(start), device="cpu").encoder
    seen = []

    def stop_half_way(count: int) -> None:
        seen.append(count)
        if sum(seen) > 20:
            raise KeyboardInterrupt  # Ctrl-C, after two of its shards

    with contextlib.suppress(KeyboardInterrupt):
        encode_samples(
            encoder, read_dataset(Path(shapes)).samples, Path(folder), batch_size=8,
            shard_size=8, progress=stop_half_way, group=World(rank, size),
        )  # fmt: skip


def test_a_run_stopped_half_way_is_finished_on_one_rank(shapes, start, tmp_path) -> None:
    folder = tmp_path / "cache"
    init = f"file://{tmp_path / 'rendezvous'}"
    torch.multiprocessing.spawn(
        _stopped_half_way, args=(2, str(folder), str(start), str(shapes), init), nprocs=2
    )
    parts = list(folder.glob("index-rank*.json"))
    assert len(parts) == 2  # each rank listed what it finished, nothing merged yet
    encoder = load_from_directory(start, device="cpu").encoder
    samples = read_dataset(shapes).samples
    resumed = encode_samples(encoder, samples, folder, batch_size=8, shard_size=8)
    alone = encode_samples(encoder, samples, tmp_path / "alone")
    keys = [k for shard in resumed.index.shards for k in shard["keys"]]
    assert len(keys) == len(set(keys)) == 80 and set(keys) == alone.keys()
    ordered = sorted(keys)
    torch.testing.assert_close(
        resumed.embeddings(ordered), alone.embeddings(ordered), atol=2e-3, rtol=0
    )


def _png(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(out, "PNG")
    return out.getvalue()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def write_shards(folder: Path, shards: int = 4, each: int = 25, lacking: bool = True) -> str:
    """WebDataset shards as img2dataset writes them: 3 samples' images are damaged, and
    (``lacking``) one sample has no caption."""
    folder.mkdir(parents=True, exist_ok=True)
    for s in range(shards):
        with tarfile.open(folder / f"{s:05d}.tar", "w") as tar:
            for i in range(each):
                key = f"{s:05d}{i:04d}"
                damaged = (s, i) in {(0, 3), (1, 7), (3, 20)}
                image = b"\x89PNG\r\n\x1a\n broken" if damaged else _png((i * 9, s * 60, 90))
                _add(tar, f"{key}.jpg", image)
                if (s, i) != (2, 0) or not lacking:
                    caption = {"caption": f"a square of colour {i} on shard {s}"}
                    _add(tar, f"{key}.json", json.dumps(caption).encode())
    return str(folder / f"{{00000..{shards - 1:05d}}}.tar")


def test_webdataset_shards_are_read_where_they_lie(start, tmp_path) -> None:
    pattern = write_shards(tmp_path / "shards")
    dataset = read_dataset(pattern)
    assert len(dataset.samples) == 99 and dataset.kind == "webdataset"
    assert dataset.notes == ["Skipped 1 samples without an image or a caption."]
    assert not list((tmp_path / "shards").glob("*.jpg"))  # nothing unpacked
    cfg = TrainConfig(init=str(start), **{**SETTINGS, "epochs": 1})
    said: list[str] = []
    result = train(DataSpec(pattern), tmp_path / "run", cfg, progress=False, say=said.append)
    assert not result.interrupted and result.steps > 0
    cache = FeatureCache.open(tmp_path / "run" / "features")
    assert len(cache.keys()) == 96 and len(cache.index.unreadable) == 3
    assert "3 images could not be read and were skipped" in " ".join(said)


def test_a_truncated_shard_gives_its_readable_samples(tmp_path) -> None:
    pattern = write_shards(tmp_path / "shards", shards=2)
    whole = (tmp_path / "shards" / "00001.tar").read_bytes()
    (tmp_path / "shards" / "00001.tar").write_bytes(whole[: len(whole) // 2])
    dataset = read_dataset(pattern)
    assert 25 < len(dataset.samples) < 50
    assert any("cut short" in note for note in dataset.notes)


def test_the_group_comes_from_torchrun_or_slurm() -> None:
    assert from_environment({}) == World(0, 1, 0)
    assert from_environment({"RANK": "3", "WORLD_SIZE": "8", "LOCAL_RANK": "1"}) == World(3, 8, 1)
    slurm = {"SLURM_PROCID": "5", "SLURM_NTASKS": "16", "SLURM_LOCALID": "1"}
    assert from_environment(slurm) == World(5, 16, 1)
    with pytest.raises(Exception, match="not a place in a group"):
        from_environment({"RANK": "4", "WORLD_SIZE": "2"})


def test_a_distributed_run_resumes_exactly(shapes, start, tmp_path) -> None:
    """Two processes stopped after 4 steps and resumed give the steps of one straight run (a
    constant rate: a step limit would change a decaying schedule's length)."""
    settings = {**SETTINGS, "init": str(start), "schedule": "constant"}
    common = ["--data", str(shapes), *(f"--set={k}={json.dumps(v)}" for k, v in settings.items())]
    torchrun(2, "train", *common, "--out", str(tmp_path / "straight"))
    torchrun(2, "train", *common, "--out", str(tmp_path / "halves"), "--set=max_steps=4")
    torchrun(
        2, "train", *common, "--out", str(tmp_path / "halves"), "--resume", "--set=max_steps=0"
    )
    straight, halves = steps(tmp_path / "straight"), steps(tmp_path / "halves")
    assert len(straight) == len(halves) == 10
    assert halves == pytest.approx(straight, rel=1e-5)


def test_shards_behind_a_url_are_streamed(start, tmp_path) -> None:
    """What the webdataset library opens (here ``pipe:cat``; https: and s3: the same way):
    read as a stream, twice, never stored."""
    pattern = write_shards(tmp_path / "shards", shards=2, each=10)
    dataset = read_dataset(f"pipe:cat {pattern}")
    assert len(dataset.samples) == 20 and dataset.samples[0].shard.startswith("pipe:cat ")
    encoder = load_from_directory(start, device="cpu").encoder
    cache = encode_samples(encoder, dataset.samples, tmp_path / "cache", batch_size=4)
    assert len(cache.keys()) == 18 and len(cache.index.unreadable) == 2  # (0, 3), (1, 7) damaged
