"""The lean decoder and the int8 path against transformers' exact GPT-2."""

import pytest
import torch
from PIL import Image

from vocalens.core import load_captioner
from vocalens.core.checkpoint import save_captioner
from vocalens.core.errors import ConfigError
from vocalens.core.fast import use_path
from vocalens.core.testing import tiny_captioner

IMAGES = [Image.new("RGB", (40, 30), c) for c in ("red", "navy", "olive", "white")]


@pytest.fixture()
def pair(tmp_path):
    exact = tiny_captioner(tmp_path / "a", seed=21)
    fast = tiny_captioner(tmp_path / "b", seed=21)
    return exact, fast


@pytest.mark.parametrize(
    "kw",
    [
        {"strategy": "greedy"},
        {"strategy": "beam", "num_beams": 3},
        {"strategy": "sample", "seed": 5, "top_p": 0.9},
        {"strategy": "greedy", "repetition_penalty": 1.3, "stop_strings": []},
    ],
)
def test_lean_decoder_gives_the_exact_tokens(pair, kw) -> None:
    exact, fast = pair
    use_path(fast, "lean")
    assert [c.tokens for c in fast.caption(IMAGES, **kw)] == [
        c.tokens for c in exact.caption(IMAGES, **kw)
    ]


def test_cut_down_head_only_emits_its_tokens(pair) -> None:
    exact, fast = pair
    allowed = torch.tensor(
        sorted(
            {
                *range(40, 120),
                exact.tokenizer.eos_token_id,
                exact.tokenizer.convert_tokens_to_ids("."),
            }
        )
    )
    use_path(fast, "lean", head_tokens=allowed)
    for caption in fast.caption(IMAGES, strategy="beam", num_beams=3):
        assert caption.tokens and set(caption.tokens) <= set(allowed.tolist())


def test_int8_logits_stay_close_to_fp32(pair) -> None:
    from vocalens.core.generate import HFStepper, LeanStepper

    exact, fast = pair
    use_path(fast, "int8")
    with torch.inference_mode():
        prefix = exact.prefix(exact.embed(exact.pixels(IMAGES)))
        ref = HFStepper(exact.decoder, prefix).first()
        got = LeanStepper(fast.lean, fast.prefix(fast.embed(fast.pixels(IMAGES))), 4).first()
    cosine = torch.nn.functional.cosine_similarity(torch.from_numpy(ref), torch.from_numpy(got), dim=-1)
    assert cosine.min() > 0.98, cosine


def test_int8_load_releases_the_exact_path(tiny_model_dir) -> None:
    model = load_captioner(tiny_model_dir, device="cpu", precision="int8")
    assert model.precision == "int8" and not model.exact_available
    assert len(model.decoder.transformer.h) == 0
    assert isinstance(model.caption(IMAGES[:1])[0].text, str)
    with pytest.raises(ConfigError, match="released"):
        use_path(model, "fp32")
    with pytest.raises(ConfigError, match="Unknown precision"):
        load_captioner(tiny_model_dir, precision="int4")


def test_auto_precision_is_a_fast_path_on_the_cpu(tmp_path) -> None:
    from vocalens.core.runtime import int8_supported

    folder = save_captioner(tiny_captioner(tmp_path / "t"), tmp_path / "m", include_decoder=True)
    model = load_captioner(folder, device="cpu", precision="auto")
    fast = ("int8", "int8-decoder", "lean")
    assert model.precision in (fast if int8_supported() else ("fp32",))
    assert load_captioner(folder, precision="fp32").precision == "fp32"


def test_int8_weights_are_kept_and_reused(fresh_model_dir, monkeypatch) -> None:
    import os

    from vocalens.core import fast as fast_module

    folder = fresh_model_dir
    assert not (folder / "int8.safetensors").exists()
    first = load_captioner(folder, device="cpu", precision="int8")
    assert (folder / "int8.safetensors").is_file()
    expected = [c.tokens for c in first.caption(IMAGES, strategy="beam")]

    def no_quantizing(*args, **kwargs):
        raise AssertionError("quantized again although the kept int8 weights match")

    monkeypatch.setattr(fast_module, "quantize_linears", no_quantizing)
    monkeypatch.setattr(
        fast_module.LeanGPT2, "__init__", _only_shapes(fast_module.LeanGPT2.__init__)
    )
    second = load_captioner(folder, device="cpu", precision="int8")
    assert [c.tokens for c in second.caption(IMAGES, strategy="beam")] == expected
    stamp = (folder / "decoder.safetensors").stat().st_mtime_ns + 10**9
    os.utime(folder / "decoder.safetensors", ns=(stamp, stamp))  # weights changed: stale
    with pytest.raises(AssertionError, match="quantized again"):
        load_captioner(folder, device="cpu", precision="int8")


def _only_shapes(init):
    def wrapped(self, model, vocab=None, int8=False, shapes_only=False):
        if int8 and not shapes_only:
            raise AssertionError("quantized again although the kept int8 weights match")
        init(self, model, vocab, int8=int8, shapes_only=shapes_only)

    return wrapped


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_damaged_int8_file_is_made_again(fresh_model_dir, damage: str) -> None:
    from vocalens.core.runtime import int8_supported, open_captioner

    if not int8_supported():
        pytest.skip("this torch build has no int8 CPU engine")
    want = [
        c.text for c in open_captioner(fresh_model_dir, "cpu", precision="int8").caption(IMAGES)
    ]
    stored = fresh_model_dir / "int8.safetensors"
    data = stored.read_bytes()
    stored.write_bytes(
        {"truncated": data[: len(data) // 2], "garbage": b"\x00" * 64, "empty": b""}[damage]
    )
    again = open_captioner(fresh_model_dir, "cpu", precision="int8")  # no error: made again
    assert [c.text for c in again.caption(IMAGES)] == want
    assert stored.read_bytes() == data  # rewritten whole
