"""Decoding a GPT-2 continuation of an embedding prefix: greedy, beam search, nucleus sampling.

Every strategy keeps a KV cache, so each step feeds one token per sequence; ``use_cache=False``
recomputes the whole sequence each step (ClipCap's way) and exists for tests and benchmarks.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Protocol

import torch
from torch import Tensor
from transformers import DynamicCache, GPT2LMHeadModel

from .config import DecodingConfig
from .lean import LeanGPT2

# transformers 5.24 renamed GPT-2's ``past_key_values`` argument to ``cache`` (the old name goes in
# 5.40); pass the cache under whichever name this release takes.
_NEW_NAME = "cache" in inspect.signature(GPT2LMHeadModel.forward).parameters
_CACHE_ARG = "cache" if _NEW_NAME else "past_key_values"


class Stepper(Protocol):
    """Feeds a decoder one step at a time. Token values are indices into the decoder's output
    (the vocabulary, or a subset of it); ``ids`` turns them into token ids."""

    tokens: Tensor  # (B, T) indices produced so far

    def first(self) -> Tensor: ...
    def next(self, tokens: Tensor) -> Tensor: ...
    def reorder(self, index: Tensor) -> None: ...
    def ids(self, rows: list[list[int]]) -> list[list[int]]: ...


class HFStepper:
    """transformers' GPT-2, with a KV cache or (``use_cache=False``) recomputing everything."""

    def __init__(self, model: GPT2LMHeadModel, prefix: Tensor, use_cache: bool = True) -> None:
        self.model, self.prefix, self.use_cache = model, prefix, use_cache
        self.cache = DynamicCache() if use_cache else None
        self.tokens = prefix.new_zeros((prefix.shape[0], 0), dtype=torch.long)  # (B, T)

    def first(self) -> Tensor:
        return self._logits(self.prefix)

    def next(self, tokens: Tensor) -> Tensor:
        """Append ``tokens`` (B,) and return the next-token logits (B, V)."""
        self.tokens = torch.cat([self.tokens, tokens[:, None]], dim=1)
        if self.use_cache:
            return self._logits(self.model.transformer.wte(tokens[:, None]))
        embeds = torch.cat([self.prefix, self.model.transformer.wte(self.tokens)], dim=1)
        return self._logits(embeds)

    def reorder(self, index: Tensor) -> None:
        """Keep the rows ``index`` (beam search)."""
        self.tokens = self.tokens[index]
        self.prefix = self.prefix[index]
        if self.cache is not None:
            self.cache.reorder_cache(index)  # type: ignore[arg-type]

    def ids(self, rows: list[list[int]]) -> list[list[int]]:
        return rows

    def _logits(self, embeds: Tensor) -> Tensor:
        cache = {_CACHE_ARG: self.cache}
        out = self.model(inputs_embeds=embeds, use_cache=self.use_cache, logits_to_keep=1, **cache)
        return out.logits[:, -1].float()  # (B, V)


class LeanStepper:
    """``LeanGPT2`` with its preallocated cache and optional cut-down head."""

    def __init__(self, lean: LeanGPT2, prefix: Tensor, room: int) -> None:
        self.lean, self.prefix, self.room = lean, prefix, room
        self.tokens = prefix.new_zeros((prefix.shape[0], 0), dtype=torch.long)
        self.vocab = lean.token_ids()

    def first(self) -> Tensor:
        return self.lean.start(self.prefix, self.room)

    def next(self, tokens: Tensor) -> Tensor:
        self.tokens = torch.cat([self.tokens, tokens[:, None]], dim=1)
        return self.lean.step(tokens if self.vocab is None else self.vocab[tokens])

    def reorder(self, index: Tensor) -> None:
        self.tokens = self.tokens[index]
        self.lean.reorder(index)

    def ids(self, rows: list[list[int]]) -> list[list[int]]:
        if self.vocab is None:
            return rows
        table = self.vocab.tolist()
        return [[table[i] for i in row] for row in rows]


StepperFactory = Callable[[Tensor, int], Stepper]  # (prefix rows, room for new tokens)


def _block_stops(logits: Tensor, stops: Tensor, step: int, opts: DecodingConfig) -> Tensor:
    """No caption may end before ``min_new_tokens`` tokens."""
    return logits.masked_fill(stops, float("-inf")) if step < opts.min_new_tokens else logits


def _penalise_repeats(logits: Tensor, tokens: Tensor, penalty: float) -> Tensor:
    """CTRL's repetition penalty: divide positive, multiply negative logits of seen tokens."""
    if penalty == 1.0 or tokens.shape[1] == 0:
        return logits
    seen = logits.gather(1, tokens)
    seen = torch.where(seen > 0, seen / penalty, seen * penalty)
    return logits.scatter(1, tokens, seen)


def _top_p_sample(
    logits: Tensor, top_p: float, temperature: float, generator: torch.Generator
) -> Tensor:
    probs = torch.softmax(logits / temperature, dim=-1)
    sorted_probs, order = probs.sort(dim=-1, descending=True)
    outside = sorted_probs.cumsum(-1) - sorted_probs > top_p  # keeps at least the top token
    sorted_probs = sorted_probs.masked_fill(outside, 0.0)
    choice = torch.multinomial(sorted_probs, 1, generator=generator)  # (B, 1)
    return order.gather(1, choice)[:, 0]


def generate(
    stepper: StepperFactory | GPT2LMHeadModel,
    prefix: Tensor,
    opts: DecodingConfig,
    stops: Tensor,
    pad_id: int,
    use_cache: bool = True,
) -> list[list[int]]:
    """Token ids for each prefix (B, K, E), each ending with a stop token when one was produced.

    ``stepper`` makes the decoder's stepper (a GPT-2 model means transformers' own; then
    ``use_cache=False`` recomputes everything each step, ClipCap's way). ``stops`` is a boolean
    mask over the decoder's outputs: those that end a caption.
    """
    if isinstance(stepper, GPT2LMHeadModel):
        model = stepper

        def hf(rows: Tensor, room: int) -> Stepper:
            return HFStepper(model, rows, use_cache)

        make: StepperFactory = hf
    else:
        make = stepper
    if opts.strategy == "beam" and opts.num_beams > 1:
        return _beam_search(make, prefix, opts, stops)
    return _greedy_or_sample(make, prefix, opts, stops, pad_id)


def _greedy_or_sample(
    make: StepperFactory,
    prefix: Tensor,
    opts: DecodingConfig,
    stops: Tensor,
    pad_id: int,
) -> list[list[int]]:
    sample = opts.strategy == "sample"
    generator = None
    if sample:
        generator = torch.Generator(device=prefix.device)
        generator.manual_seed(opts.seed if opts.seed is not None else int(torch.seed() % 2**63))
    step = make(prefix, opts.max_new_tokens)
    done = torch.zeros(prefix.shape[0], dtype=torch.bool, device=prefix.device)
    lengths = torch.full_like(done, opts.max_new_tokens, dtype=torch.long)
    logits = step.first()
    for i in range(opts.max_new_tokens):
        logits = _penalise_repeats(logits, step.tokens, opts.repetition_penalty)
        logits = _block_stops(logits, stops, i, opts)
        if generator is not None:
            token = _top_p_sample(logits, opts.top_p, opts.temperature, generator)
        else:
            token = logits.argmax(-1)
        token = token.masked_fill(done, pad_id)
        finished_now = stops[token] & ~done
        lengths[finished_now] = i + 1
        done |= finished_now
        if bool(done.all()) or i + 1 == opts.max_new_tokens:
            step.tokens = torch.cat([step.tokens, token[:, None]], dim=1)
            break
        logits = step.next(token)
    rows = step.tokens.tolist()
    return step.ids([row[:n] for row, n in zip(rows, lengths.tolist(), strict=True)])


def _beam_search(
    make: StepperFactory, prefix: Tensor, opts: DecodingConfig, stops: Tensor
) -> list[list[int]]:
    b, n = prefix.shape[0], opts.num_beams
    step = make(prefix.repeat_interleave(n, dim=0), opts.max_new_tokens)
    scores = torch.full((b, n), float("-inf"), device=prefix.device)
    scores[:, 0] = 0.0  # all beams start identical: let only the first one expand
    finished: list[list[tuple[float, list[int]]]] = [[] for _ in range(b)]
    done = [False] * b
    is_stop = stops.tolist()
    logits = step.first()
    for i in range(opts.max_new_tokens):
        logits = _penalise_repeats(logits, step.tokens, opts.repetition_penalty)
        logits = _block_stops(logits, stops, i, opts)
        logp = torch.log_softmax(logits, dim=-1)  # (B*n, V)
        vocab = logp.shape[-1]
        cand = (scores.view(-1, 1) + logp).view(b, n * vocab)
        top_scores, top_idx = cand.topk(2 * n, dim=-1)  # (B, 2n)
        rows = step.tokens.tolist()
        keep_rows, keep_tokens, keep_scores = [], [], []
        for bi, (s_row, i_row) in enumerate(
            zip(top_scores.tolist(), top_idx.tolist(), strict=True)
        ):
            live: list[tuple[int, int, float]] = []
            for rank, (score, idx) in enumerate(zip(s_row, i_row, strict=True)):
                if done[bi] or len(live) == n or score == float("-inf"):
                    break
                beam, token = bi * n + idx // vocab, idx % vocab
                if is_stop[token]:
                    if rank < n:
                        seq = [*rows[beam], token]
                        finished[bi].append((score / len(seq) ** opts.length_penalty, seq))
                else:
                    live.append((beam, token, score))
            if len(finished[bi]) >= n:
                done[bi] = True
            while len(live) < n:  # a finished or exhausted batch row keeps dead beams
                live.append((bi * n, 0, float("-inf")))
            for beam, token, score in live:
                keep_rows.append(beam)
                keep_tokens.append(token)
                keep_scores.append(score)
        if all(done):
            break
        scores = torch.tensor(keep_scores, device=prefix.device).view(b, n)
        index = torch.tensor(keep_rows, device=prefix.device)
        tokens = torch.tensor(keep_tokens, device=prefix.device)
        step.reorder(index)
        if i + 1 == opts.max_new_tokens:
            step.tokens = torch.cat([step.tokens, tokens[:, None]], dim=1)
            break
        logits = step.next(tokens)
    rows = step.tokens.tolist()
    best = []
    for bi in range(b):
        pool = list(finished[bi])
        if not pool:  # nothing stopped within the token limit: rank the live beams
            for k in range(n):
                score = float(scores[bi, k])
                if score > float("-inf"):
                    seq = rows[bi * n + k]
                    pool.append((score / max(len(seq), 1) ** opts.length_penalty, seq))
        best.append(max(pool, key=lambda item: item[0])[1] if pool else [])
    return step.ids(best)
