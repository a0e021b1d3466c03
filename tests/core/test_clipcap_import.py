"""ClipCap's released checkpoints import into our format and caption exactly as ClipCap did.

The reference below re-implements ClipCap's own inference (its MLP, its einsum transformer
mapper and its full-recomputation greedy loop that stops on the '.' token) independently of
our modules.
"""

from pathlib import Path

import pytest
import torch
from PIL import Image
from torch import nn
from transformers import GPT2Config, GPT2LMHeadModel

from vocalens.core import import_clipcap, load_captioner
from vocalens.core.catalog.clip_towers import tower
from vocalens.core.errors import ModelError
from vocalens.core.testing import clip_tower_of, tiny_captioner

IMAGES = [Image.new("RGB", (60, 45), c) for c in ("orange", "purple", "gray", "white")]
E, K, KCLIP, D = 32, 4, 3, 32
CLIP = tower("ViT-B-32", "openai", Path("never-read.safetensors"))  # refused before it is read


class RefAttention(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.to_queries = nn.Linear(dim, dim, bias=False)
        self.to_keys_values = nn.Linear(dim, dim * 2, bias=False)
        self.project = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        q = self.to_queries(x).reshape(b, n, self.heads, c // self.heads)
        kv = self.to_keys_values(x).reshape(b, n, 2, self.heads, c // self.heads)
        k, v = kv[:, :, 0], kv[:, :, 1]
        att = torch.einsum("bnhd,bmhd->bnmh", q, k) * (c // self.heads) ** -0.5
        att = att.softmax(dim=2)
        return self.project(torch.einsum("bnmh,bmhd->bnhd", att, v).reshape(b, n, c))


class RefLayer(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = RefAttention(dim, 8)
        self.mlp = nn.Module()
        self.mlp.fc1, self.mlp.fc2 = nn.Linear(dim, dim * 2), nn.Linear(dim * 2, dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp.fc2(torch.relu(self.mlp.fc1(self.norm2(x))))


class RefMapper(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(D, KCLIP * E)
        self.prefix_const = nn.Parameter(torch.randn(K, E))
        self.transformer = nn.Module()
        self.transformer.layers = nn.ModuleList([RefLayer(E), RefLayer(E)])

    def forward(self, x):
        h = torch.cat(
            [
                self.linear(x).view(x.shape[0], KCLIP, -1),
                self.prefix_const.unsqueeze(0).expand(x.shape[0], K, E),
            ],
            1,
        )
        for layer in self.transformer.layers:
            h = layer(h)
        return h[:, KCLIP:]


def ref_mlp() -> nn.Module:
    m = nn.Module()
    m.model = nn.Sequential(nn.Linear(D, K * E // 2), nn.Tanh(), nn.Linear(K * E // 2, K * E))
    m.forward = lambda x: m.model(x).view(x.shape[0], K, E)  # type: ignore[method-assign]
    return m


def clipcap_checkpoint(mapper: nn.Module, gpt: GPT2LMHeadModel) -> dict[str, torch.Tensor]:
    """State dict with ClipCap's key names and the legacy GPT-2 attention buffers."""
    state = {f"clip_project.{k}": v.clone() for k, v in mapper.state_dict().items()}
    n = gpt.config.n_positions
    for k, v in gpt.state_dict().items():
        state[f"gpt.{k}"] = v.clone()
    for i in range(gpt.config.n_layer):
        state[f"gpt.transformer.h.{i}.attn.bias"] = torch.tril(torch.ones(n, n)).view(1, 1, n, n)
        state[f"gpt.transformer.h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
    return state


def clipcap_generate(mapper, gpt, embedding, stop_id: int, entry_length: int = 12) -> list[int]:
    """ClipCap's generate2, greedy: recompute everything each step, stop on the '.' token."""
    generated = mapper(embedding[None]).reshape(1, K, -1)
    tokens: list[int] = []
    for _ in range(entry_length):
        logits = gpt(inputs_embeds=generated).logits[:, -1, :]
        next_token = int(torch.argmax(logits, -1))
        tokens.append(next_token)
        generated = torch.cat([generated, gpt.transformer.wte(torch.tensor([[next_token]]))], 1)
        if next_token == stop_id:
            break
    return tokens


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clipcap")
    tiny = tiny_captioner(folder, seed=11)
    torch.manual_seed(12)
    gpt = GPT2LMHeadModel(
        GPT2Config(
            vocab_size=len(tiny.tokenizer),
            n_positions=64,
            n_embd=E,
            n_layer=2,
            n_head=4,
            bos_token_id=0,
            eos_token_id=0,
        )
    ).eval()
    return tiny, gpt, folder


@pytest.mark.parametrize("kind", ["clipcap-mlp", "transformer"])
def test_import_matches_clipcaps_own_inference(kind, parts, tmp_path) -> None:
    tiny, gpt, folder = parts
    torch.manual_seed(13)
    mapper = (ref_mlp() if kind == "clipcap-mlp" else RefMapper()).eval()
    pt = tmp_path / "weights.pt"
    torch.save(clipcap_checkpoint(mapper, gpt), pt)

    out = import_clipcap(
        pt,
        tmp_path / "model",
        clip_tower_of(tiny.encoder, tmp_path / "clip"),
        gpt2="nobody/no-gpt2",
        tokenizer=folder / "tokenizer",
    )
    model = load_captioner(out)
    assert model.config.projector.kind == kind
    assert (out / "decoder.safetensors").exists()  # no base to compare with: stored

    stop_id = tiny.tokenizer.convert_tokens_to_ids(".")
    ours = model.caption(IMAGES, strategy="greedy", max_new_tokens=12, stop_strings=["."])
    with torch.inference_mode():
        raw = tiny.encoder.visual(tiny.pixels(IMAGES))  # unnormalised CLIP embedding
        for caption, embedding in zip(ours, raw, strict=True):
            expected = clipcap_generate(mapper, gpt, embedding, stop_id)
            assert caption.tokens == expected
            assert caption.text.lower() == " ".join(tiny.tokenizer.decode(expected).split()).lower()


def test_unchanged_base_gpt2_is_named_not_stored(parts, tmp_path) -> None:
    tiny, gpt, folder = parts
    base = tmp_path / "base"
    gpt.save_pretrained(base)
    pt = tmp_path / "w.pt"
    torch.save(clipcap_checkpoint(ref_mlp(), gpt), pt)
    clip = clip_tower_of(tiny.encoder, tmp_path / "clip")
    out = import_clipcap(
        pt, tmp_path / "model", clip, gpt2=str(base), tokenizer=folder / "tokenizer"
    )
    assert not (out / "decoder.safetensors").exists()
    assert load_captioner(out).caption(IMAGES[:1])[0].tokens


def test_pickled_code_is_refused(tmp_path) -> None:
    pt = tmp_path / "evil.pt"
    torch.save({"clip_project.model.0.weight": torch.zeros(1), "hook": Path("/")}, pt)
    with pytest.raises(ModelError, match="cannot be read safely|not a ClipCap checkpoint"):
        import_clipcap(pt, tmp_path / "out", CLIP)
    assert not (tmp_path / "out").exists()


def test_other_checkpoints_are_refused(tmp_path) -> None:
    pt = tmp_path / "other.pt"
    torch.save({"encoder.weight": torch.zeros(2)}, pt)
    with pytest.raises(ModelError, match="no ClipCap projector"):
        import_clipcap(pt, tmp_path / "out", CLIP)
    with pytest.raises(ModelError, match="no such file"):
        import_clipcap(tmp_path / "missing.pt", tmp_path / "out", CLIP)


def test_a_whole_clip_checkpoint_leaves_the_kinds_label_embeddings(parts, tmp_path) -> None:
    """Its text tower runs once, at import, for the kinds' label texts; an image tower alone
    leaves none (the pixels' signals decide alone then)."""
    from vocalens.core.describing.zero_shot import ZeroShot
    from vocalens.core.model.clip_text import FILE

    tiny, gpt, folder = parts
    pt = tmp_path / "w.pt"
    torch.save(clipcap_checkpoint(ref_mlp(), gpt), pt)
    for text_seed, expected in ((3, True), (None, False)):
        clip = clip_tower_of(tiny.encoder, tmp_path / f"clip-{text_seed}", text_seed=text_seed)
        out = import_clipcap(
            pt, tmp_path / f"model-{text_seed}", clip, gpt2="nobody/no-gpt2",
            tokenizer=folder / "tokenizer",
        )  # fmt: skip
        assert (out / FILE).exists() == expected
        vote = ZeroShot.load(out)
        assert (vote is not None) == expected
        if vote is not None:
            embedding = load_captioner(out).caption(IMAGES[:1])[0].embedding
            assert embedding is not None
            votes = vote.vote(embedding)
            assert set(votes) == {"photo", "screen", "document", "chart", "icon"}
            assert abs(sum(votes.values()) - 1) < 1e-5
