"""The onnxruntime captioner against the torch reference it is converted from."""

from dataclasses import asdict

import numpy as np
import pytest
import torch
from open_clip.transform import PreprocessCfg, image_transform_v2
from PIL import Image

from vocalens.core.errors import ConfigError, ModelError
from vocalens.core.inference.agreement import probe_images
from vocalens.core.inference.ort.convert import converted
from vocalens.core.inference.ort.preprocess import Preprocess
from vocalens.core.inference.ort.providers import CPU, choose_providers
from vocalens.core.inference.runtime import open_captioner, resolve_runtime
from vocalens.core.model.checkpoint import load_from_directory, save_captioner
from vocalens.core.model.projector import PROJECTORS
from vocalens.core.testing import tiny_captioner

IMAGES = probe_images()[:8]
STRATEGIES = [
    {"strategy": "greedy"},
    {"strategy": "beam", "num_beams": 3},
    {"strategy": "sample", "seed": 7, "temperature": 1.5},
    {"strategy": "greedy", "repetition_penalty": 1.3, "min_new_tokens": 3},
]


@pytest.fixture(scope="module", params=list(PROJECTORS))
def pair(request, tmp_path_factory):
    """A tiny model of each projector kind: the torch reference and its fp32 ONNX run."""
    folder = tmp_path_factory.mktemp(request.param)
    model = save_captioner(
        tiny_captioner(folder, kind=request.param, seed=5), folder / "model", include_decoder=True
    )
    torch_model = load_from_directory(model, device="cpu")
    return torch_model, open_captioner(model, device="cpu", precision="fp32", runtime="onnx")


@pytest.mark.parametrize("options", STRATEGIES, ids=lambda o: "-".join(map(str, o.values())))
def test_fp32_onnx_gives_the_torch_captions_exactly(pair, options) -> None:
    reference, onnx = pair
    want = reference.caption(IMAGES, **options)
    got = onnx.caption(IMAGES, **options)
    assert [c.tokens for c in got] == [c.tokens for c in want]
    assert [c.text for c in got] == [c.text for c in want]
    assert any(c.tokens for c in got)


def test_every_part_matches_torch_within_rounding(pair) -> None:
    from vocalens.core.model.generate import HFStepper

    reference, onnx = pair
    pixels = onnx.pixels(IMAGES)
    with torch.inference_mode():
        assert np.abs(pixels - reference.pixels(IMAGES).numpy()).max() < 1e-5
        embeddings = reference.embed(torch.from_numpy(pixels))
        prefix = reference.prefix(embeddings)
        want = HFStepper(reference.decoder, prefix)
        first = want.first()
        second = want.next(np.arange(len(IMAGES)))
    assert np.abs(onnx.embed(pixels) - embeddings.numpy()).max() < 1e-4
    assert np.abs(onnx.prefix(embeddings.numpy()) - prefix.numpy()).max() < 1e-4
    step = onnx.stepper(prefix.numpy())
    assert np.abs(step.first() - first).max() < 1e-4
    assert np.abs(step.next(np.arange(len(IMAGES))) - second).max() < 1e-4


def test_a_batch_gives_the_captions_of_one_by_one(pair) -> None:
    _, onnx = pair
    batch = [c.tokens for c in onnx.caption(IMAGES[:4], strategy="beam", num_beams=2)]
    alone = [onnx.caption([i], strategy="beam", num_beams=2)[0].tokens for i in IMAGES[:4]]
    assert batch == alone


@pytest.mark.parametrize("mode", ["shortest", "squash"])
def test_preprocessing_equals_open_clip(mode) -> None:
    rng = np.random.default_rng(0)
    cfg = asdict(PreprocessCfg(size=224, resize_mode=mode))
    theirs, ours = image_transform_v2(PreprocessCfg(**cfg), is_train=False), Preprocess(cfg)
    for w, h in [(640, 480), (480, 640), (224, 224), (33, 1000), (7, 9)]:
        image = Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8))
        assert np.abs(theirs(image).numpy() - ours.one(image)).max() < 1e-6


def test_the_openai_tower_with_quick_gelu_converts_exactly() -> None:
    import onnxruntime

    from vocalens.core.inference.ort.graph import Graph  # noqa: F401  (the builder's own module loads)
    from vocalens.core.inference.ort.vision_graph import vision_graph
    from vocalens.core.model.encoder import build_visual
    from vocalens.core.testing import TINY_CLIP_CONFIG

    torch.manual_seed(0)
    cfg = {**TINY_CLIP_CONFIG, "quick_gelu": True}
    visual = build_visual(cfg).eval()
    weights = {k: v.numpy() for k, v in visual.state_dict().items()}
    graph = vision_graph(cfg, weights).SerializeToString()
    session = onnxruntime.InferenceSession(graph, providers=[CPU])
    pixels = torch.randn(2, 3, 32, 32)
    with torch.inference_mode():
        want = visual(pixels).numpy()
    assert np.abs(session.run(None, {"pixels": pixels.numpy()})[0] - want).max() < 1e-5


def test_the_fused_decoder_computes_what_the_plain_one_does(tiny) -> None:
    """The int8 decoder's fused residual + LayerNorm kernels, checked in fp32 against the
    standard operators: logits and the whole KV cache, from a prefix and a cache."""
    import onnxruntime

    from vocalens.core.inference.ort.gpt2_graph import gpt2_graph
    from vocalens.core.model.decoder import gpt2_config_dict

    cfg = gpt2_config_dict(tiny.decoder)
    weights = {k: v.numpy() for k, v in tiny.decoder.state_dict().items()}
    rng = np.random.default_rng(0)
    layers, heads, width = cfg["n_layer"], cfg["n_head"], cfg["n_embd"]
    feed = {"prefix": rng.standard_normal((2, 3, width), dtype=np.float32)}
    for i in range(layers):
        for part in ("key", "value"):
            feed[f"past_{part}_{i}"] = rng.standard_normal((2, heads, 4, width // heads)).astype(
                np.float32
            )
    graphs = [gpt2_graph(cfg, weights, separate_head=True, fused=f) for f in (False, True)]
    assert "SkipLayerNormalization" in {node.op_type for node in graphs[1].graph.node}
    outputs = [
        onnxruntime.InferenceSession(g.SerializeToString(), providers=[CPU]).run(None, feed)
        for g in graphs
    ]
    for plain, fused_out in zip(*outputs, strict=True):
        assert plain.shape == fused_out.shape and np.abs(plain - fused_out).max() < 1e-4


def test_gpu_providers_are_chosen_when_installed() -> None:
    cpu_only = [CPU]
    assert choose_providers("auto", cpu_only) == [CPU]
    assert choose_providers("cpu", ["CUDAExecutionProvider", CPU]) == [CPU]
    both = ["DmlExecutionProvider", "CUDAExecutionProvider", CPU]
    assert choose_providers("auto", both) == ["CUDAExecutionProvider", CPU]
    apple = "CoreMLExecutionProvider"
    assert choose_providers("auto", [apple, CPU]) == [apple, CPU]
    assert choose_providers("dml", both) == ["DmlExecutionProvider", CPU]
    with pytest.raises(ConfigError, match="no cuda support.*onnxruntime-gpu"):
        choose_providers("cuda", cpu_only)
    with pytest.raises(ConfigError, match="Unknown device"):
        choose_providers("toaster", cpu_only)


def test_the_runtime_is_onnx_unless_asked(fresh_model_dir) -> None:
    assert resolve_runtime("auto") == "onnx"
    with pytest.raises(ConfigError, match="Unknown runtime"):
        resolve_runtime("tensorflow")
    assert open_captioner(fresh_model_dir, device="cpu", runtime="torch").runtime == "torch"
    with pytest.raises(ConfigError, match="int8 runs on onnxruntime"):
        open_captioner(fresh_model_dir, precision="int8", runtime="torch")


def test_a_damaged_weight_file_is_one_sentence_and_nothing_half_made_is_kept(fresh_model_dir):
    weights = fresh_model_dir / "projector.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])  # truncated
    with pytest.raises(ModelError, match=r"could not be read \(projector\.safetensors: "):
        open_captioner(fresh_model_dir, device="cpu", precision="fp32")
    assert converted(fresh_model_dir) is None
    assert not any(p.name.startswith(".onnx-") for p in fresh_model_dir.iterdir())


def test_an_interrupted_conversion_is_never_loaded(fresh_model_dir, monkeypatch) -> None:
    import vocalens.core.inference.ort.convert as convert

    def full_disk(source, target, ops=()) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(convert, "quantize_int8", full_disk)
    with pytest.raises(OSError):
        open_captioner(fresh_model_dir, device="cpu", precision="fp32")
    assert converted(fresh_model_dir) is None
    assert sorted(p.name for p in fresh_model_dir.iterdir() if p.name.startswith(".")) == []
    monkeypatch.undo()
    model = open_captioner(fresh_model_dir, device="cpu", precision="int8")
    assert model.caption(IMAGES[:1])[0].tokens


def test_a_converted_file_cut_short_is_converted_again(fresh_model_dir) -> None:
    """The weights lie in data files beside the graphs; one cut short (a damaged disk, a
    copy that stopped) is not loaded but made again, and the captions come back the same."""
    first = open_captioner(fresh_model_dir, device="cpu", precision="int8")
    want = [c.tokens for c in first.caption(IMAGES[:3])]
    done = converted(fresh_model_dir)
    assert done is not None
    data = done.folder / "decoder.onnx.data"  # the token table the int8 decoder reads
    assert data.stat().st_size > 0
    data.write_bytes(data.read_bytes()[:-100])
    assert converted(fresh_model_dir) is None
    again = open_captioner(fresh_model_dir, device="cpu", precision="int8")
    assert [c.tokens for c in again.caption(IMAGES[:3])] == want


def test_the_int8_decoder_takes_its_tokens_as_rows_of_the_fp32_table(pair) -> None:
    """The int8 graph holds no token table: the rows come from the fp32 model's file, so the
    int8 and fp32 graphs fed the same tokens see the same embeddings."""
    import onnxruntime

    from vocalens.core.inference.ort.gpt2_graph import gpt2_graph
    from vocalens.core.model.decoder import gpt2_config_dict

    reference, onnx = pair
    rows = onnx.token_rows
    assert rows is not None  # opened in fp32, the rows are still at hand for int8
    table = reference.decoder.transformer.wte.weight.detach().numpy()
    tokens = np.array([[0, 5], [len(table) - 1, 17]])
    assert np.array_equal(rows(tokens), table[tokens])
    with pytest.raises(ValueError, match="token ids"):
        rows(np.array([len(table)]))
    cfg = gpt2_config_dict(reference.decoder)
    weights = {k: v.numpy() for k, v in reference.decoder.state_dict().items()}
    int8_layout = gpt2_graph(cfg, weights, separate_head=True).SerializeToString()
    fp32_layout = gpt2_graph(cfg, weights).SerializeToString()
    feed: dict[str, np.ndarray] = {}
    for i in range(cfg["n_layer"]):
        for part in ("key", "value"):
            feed[f"past_{part}_{i}"] = np.zeros(
                (2, cfg["n_head"], 0, cfg["n_embd"] // cfg["n_head"]), np.float32
            )
    empty = np.zeros((2, 0, cfg["n_embd"]), np.float32)
    by_rows = onnxruntime.InferenceSession(int8_layout, providers=[CPU]).run(
        ["logits"], {**feed, "prefix": rows(tokens)}
    )[0]
    by_ids = onnxruntime.InferenceSession(fp32_layout, providers=[CPU]).run(
        ["logits"], {**feed, "prefix": empty, "tokens": tokens}
    )[0]
    assert np.abs(by_rows - by_ids).max() < 1e-4


def test_a_token_table_cut_short_is_one_sentence(tmp_path) -> None:
    from vocalens.core.inference.ort.token_rows import TokenRows

    table = np.arange(40, dtype=np.float32).reshape(10, 4)
    path = tmp_path / "table.data"
    path.write_bytes(b"\0" * 64 + table.tobytes())
    assert np.array_equal(TokenRows(path, 64, 10, 4)(np.array([3, 9])), table[[3, 9]])
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ModelError, match="cut short"):
        TokenRows(path, 64, 10, 4)
