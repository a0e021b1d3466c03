import numpy as np
import pytest
import torch
from PIL import Image

IMAGES = [Image.new("RGB", (40, 30), c) for c in ("red", "navy", "olive")]


def tokens(captioner, images=IMAGES, **kw):
    return [c.tokens for c in captioner.caption(images, **kw)]


def test_greedy_is_deterministic(tiny) -> None:
    assert tokens(tiny, strategy="greedy") == tokens(tiny, strategy="greedy")


def test_sampling_repeats_with_a_seed_and_differs_across_seeds(tiny) -> None:
    a = tokens(tiny, strategy="sample", seed=1, top_p=1.0, temperature=1.5)
    assert a == tokens(tiny, strategy="sample", seed=1, top_p=1.0, temperature=1.5)
    others = [
        tokens(tiny, strategy="sample", seed=s, top_p=1.0, temperature=1.5) for s in range(2, 6)
    ]
    assert any(o != a for o in others)
    assert a != tokens(tiny, strategy="greedy")


def test_tiny_top_p_is_greedy(tiny) -> None:
    assert tokens(tiny, strategy="sample", seed=3, top_p=1e-6) == tokens(tiny, strategy="greedy")


def test_beam_width_one_equals_greedy(tiny) -> None:
    assert tokens(tiny, strategy="beam", num_beams=1) == tokens(tiny, strategy="greedy")


def test_beam_search_finds_a_sequence_at_least_as_likely_as_greedy(tiny) -> None:
    def logprob(seq: list[int], embedding: torch.Tensor) -> float:
        prefix = tiny.prefix(embedding[None])
        ids = torch.tensor([seq])
        embeds = torch.cat([prefix, tiny.decoder.transformer.wte(ids)], dim=1)
        logp = tiny.decoder(inputs_embeds=embeds).logits.log_softmax(-1)[0]
        k = prefix.shape[1]
        return sum(float(logp[k - 1 + i, t]) for i, t in enumerate(seq))

    emb = tiny.embed(tiny.pixels(IMAGES))
    opts = {"max_new_tokens": 6, "stop_strings": []}
    with torch.inference_mode():
        greedy = tiny.caption_embeddings(emb, strategy="greedy", **opts)
        beam = tiny.caption_embeddings(
            emb, strategy="beam", num_beams=4, length_penalty=0.0, **opts
        )
        for g, b, e in zip(greedy, beam, emb, strict=True):
            if len(g.tokens) == len(b.tokens):
                assert logprob(b.tokens, e) >= logprob(g.tokens, e) - 1e-4


@pytest.mark.parametrize(
    "kw",
    [
        {"strategy": "greedy"},
        {"strategy": "beam", "num_beams": 3},
        {"strategy": "sample", "seed": 7, "top_p": 0.8},
        {"strategy": "greedy", "repetition_penalty": 1.5},
    ],
)
def test_kv_cache_gives_the_same_tokens_as_full_recomputation(tiny, kw) -> None:
    assert tokens(tiny, use_cache=True, **kw) == tokens(tiny, use_cache=False, **kw)


def test_batch_gives_the_same_captions_as_one_by_one(tiny) -> None:
    together = tokens(tiny, strategy="beam", num_beams=3)
    alone = [tokens(tiny, [im], strategy="beam", num_beams=3)[0] for im in IMAGES]
    assert together == alone


def test_stop_string_ends_the_caption(tiny) -> None:
    free = tiny.caption(IMAGES[:1], strategy="greedy", stop_strings=[], max_new_tokens=8)[0]
    assert len(free.tokens) == 8
    stop_text = tiny.tokenizer.decode([free.tokens[3]])
    stopped = tiny.caption(
        IMAGES[:1],
        strategy="greedy",
        min_new_tokens=0,
        stop_strings=[stop_text.strip() or stop_text],
    )[0]
    first = next(
        i
        for i, t in enumerate(free.tokens)
        if (stop_text.strip() or stop_text) in tiny.tokenizer.decode([t])
    )
    assert stopped.tokens == free.tokens[: first + 1]


def test_max_new_tokens_caps_every_strategy(tiny) -> None:
    for kw in ({"strategy": "greedy"}, {"strategy": "beam"}, {"strategy": "sample", "seed": 0}):
        for caption in tiny.caption(IMAGES, max_new_tokens=3, stop_strings=[], **kw):
            assert 1 <= len(caption.tokens) <= 3


def test_repetition_penalty_reduces_repeats(tiny) -> None:
    def repeats(seqs):
        return sum(len(s) - len(set(s)) for s in seqs)

    plain = tokens(tiny, strategy="greedy", stop_strings=[], max_new_tokens=12)
    penalised = tokens(
        tiny, strategy="greedy", stop_strings=[], max_new_tokens=12, repetition_penalty=3.0
    )
    assert repeats(penalised) < repeats(plain)


def test_invalid_decoding_settings_are_refused(tiny) -> None:
    from vocalens.core.errors import ConfigError

    with pytest.raises(ConfigError, match="top-p"):
        tiny.caption(IMAGES, strategy="sample", top_p=0.0)
    with pytest.raises(ConfigError, match="beam width"):
        tiny.caption(IMAGES, num_beams=0)


def test_no_caption_ends_before_the_minimum_length(tiny) -> None:
    from vocalens.core.model.generate import generate

    almost_all_stop = np.ones(tiny.decoder.config.vocab_size, dtype=bool)
    almost_all_stop[[5, 6]] = False
    prefix = tiny.prefix(tiny.embed(tiny.pixels(IMAGES)))
    for strategy in ("greedy", "beam", "sample"):
        opts = tiny.decoding(strategy=strategy, min_new_tokens=2, seed=0)
        with torch.inference_mode():
            seqs = generate(tiny.decoder, prefix, opts, almost_all_stop)
        assert all(set(s.ids[:2]) <= {5, 6} and len(s.ids) >= 3 for s in seqs)  # no stop before 3rd
