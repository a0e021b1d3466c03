"""Decoding a continuation of an embedding prefix: greedy, beam search, nucleus sampling.

One loop for every runtime: a ``Stepper`` feeds its decoder one token per sequence (it keeps
the KV cache) and hands back next-token logits as numpy arrays, so onnxruntime and torch give
the same tokens from the same logits, seeded sampling included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol

import numpy as np

from vocalens.core.model.config import DecodingConfig

NEG_INF = np.float32(-np.inf)


class Stepper(Protocol):
    """Token values are indices into the decoder's output (the vocabulary, or a subset of it);
    ``ids`` turns rows of them into token ids."""

    def first(self) -> np.ndarray: ...  # (B, V) logits after the prefix
    def next(self, tokens: np.ndarray) -> np.ndarray: ...  # append (B,) tokens → (B, V)
    def reorder(self, index: np.ndarray) -> None: ...  # keep rows ``index`` (beam search)
    def ids(self, rows: list[list[int]]) -> list[list[int]]: ...


StepperFactory = Callable[[int, int], Stepper]  # (copies of each prefix row, room for tokens)


class Decoded(NamedTuple):
    ids: list[int]
    confidence: float  # the geometric mean of the chosen tokens' probabilities, 0..1


def decode(
    make: StepperFactory, rows: int, opts: DecodingConfig, stops: np.ndarray
) -> list[Decoded]:
    """Token ids for each of ``rows`` prefixes, each ending with a stop token when one was
    produced, and how sure the decoder was of them. ``stops`` is a boolean mask over the
    decoder's outputs: those that end a caption."""
    if opts.strategy == "beam" and opts.num_beams > 1:
        return _beam_search(make, rows, opts, stops)
    return _greedy_or_sample(make, rows, opts, stops)


def _block_stops(
    logits: np.ndarray, stops: np.ndarray, step: int, opts: DecodingConfig
) -> np.ndarray:
    """No caption may end before ``min_new_tokens`` tokens."""
    if step < opts.min_new_tokens:
        logits = logits.copy()
        logits[:, stops] = NEG_INF
    return logits


def _penalise_repeats(logits: np.ndarray, tokens: np.ndarray, penalty: float) -> np.ndarray:
    """CTRL's repetition penalty: divide positive, multiply negative logits of seen tokens."""
    if penalty == 1.0 or tokens.shape[1] == 0:
        return logits
    seen = np.take_along_axis(logits, tokens, axis=1)
    seen = np.where(seen > 0, seen / np.float32(penalty), seen * np.float32(penalty))
    logits = logits.copy()
    np.put_along_axis(logits, tokens, seen, axis=1)
    return logits


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    top = logits.max(axis=-1, keepdims=True)
    return logits - top - np.log(np.exp(logits - top).sum(axis=-1, keepdims=True))


def _top_p_sample(
    logits: np.ndarray, top_p: float, temperature: float, rng: np.random.Generator
) -> np.ndarray:
    probs = _softmax(logits.astype(np.float64) / temperature)
    order = np.argsort(-probs, axis=-1, kind="stable")
    ranked = np.take_along_axis(probs, order, axis=-1)
    outside = np.cumsum(ranked, axis=-1) - ranked > top_p  # keeps at least the top token
    ranked[outside] = 0.0
    total = np.cumsum(ranked, axis=-1)
    draw = rng.random((len(ranked), 1)) * total[:, -1:]
    choice = np.minimum((total <= draw).sum(axis=-1), ranked.shape[1] - 1)
    return order[np.arange(len(order)), choice]


def _greedy_or_sample(
    make: StepperFactory, b: int, opts: DecodingConfig, stops: np.ndarray
) -> list[Decoded]:
    rng = np.random.default_rng(opts.seed) if opts.strategy == "sample" else None
    step = make(1, opts.max_new_tokens)
    tokens = np.zeros((b, 0), dtype=np.int64)
    done = np.zeros(b, dtype=bool)
    lengths = np.full(b, opts.max_new_tokens)
    logp = np.zeros(b)  # summed log-probabilities of the chosen tokens
    logits = step.first()
    for i in range(opts.max_new_tokens):
        logits = _block_stops(
            _penalise_repeats(logits, tokens, opts.repetition_penalty), stops, i, opts
        )
        if rng is not None:
            token = _top_p_sample(logits, opts.top_p, opts.temperature, rng)
        else:
            token = logits.argmax(axis=-1)
        token = np.where(done, 0, token)
        chosen = _log_softmax(logits.astype(np.float64))[np.arange(b), token]
        logp += np.where(done, 0.0, np.maximum(chosen, -1e4))
        finished_now = stops[token] & ~done
        lengths[finished_now] = i + 1
        done |= finished_now
        tokens = np.concatenate([tokens, token[:, None]], axis=1)
        if done.all() or i + 1 == opts.max_new_tokens:
            break
        logits = step.next(token)
    ids = step.ids([row[:n] for row, n in zip(tokens.tolist(), lengths.tolist(), strict=True)])
    sure = np.exp(logp / np.maximum(lengths, 1)).tolist()
    return [Decoded(row, p) for row, p in zip(ids, sure, strict=True)]


def _beam_search(
    make: StepperFactory, b: int, opts: DecodingConfig, stops: np.ndarray
) -> list[Decoded]:
    n = opts.num_beams
    step = make(n, opts.max_new_tokens)
    tokens = np.zeros((b * n, 0), dtype=np.int64)
    scores = np.full((b, n), -np.inf)
    scores[:, 0] = 0.0  # all beams start identical: let only the first one expand
    finished: list[list[tuple[float, float, list[int]]]] = [[] for _ in range(b)]
    done = [False] * b
    is_stop = stops.tolist()
    logits = step.first()
    for i in range(opts.max_new_tokens):
        logits = _block_stops(
            _penalise_repeats(logits, tokens, opts.repetition_penalty), stops, i, opts
        )
        logp = _log_softmax(logits.astype(np.float64))  # (B*n, V)
        vocab = logp.shape[-1]
        cand = (scores.reshape(-1, 1) + logp).reshape(b, n * vocab)
        top_idx = np.argpartition(-cand, 2 * n - 1, axis=-1)[:, : 2 * n]  # (B, 2n), unordered
        top_scores = np.take_along_axis(cand, top_idx, axis=-1)
        order = np.argsort(-top_scores, axis=-1, kind="stable")
        top_idx = np.take_along_axis(top_idx, order, axis=-1)
        top_scores = np.take_along_axis(top_scores, order, axis=-1)
        rows = tokens.tolist()
        keep_rows, keep_tokens, keep_scores = [], [], []
        for bi, (s_row, i_row) in enumerate(
            zip(top_scores.tolist(), top_idx.tolist(), strict=True)
        ):
            live: list[tuple[int, int, float]] = []
            for rank, (score, idx) in enumerate(zip(s_row, i_row, strict=True)):
                if done[bi] or len(live) == n or score == -np.inf:
                    break
                beam, token = bi * n + idx // vocab, idx % vocab
                if is_stop[token]:
                    if rank < n:
                        seq = [*rows[beam], token]
                        ranked = score / len(seq) ** opts.length_penalty
                        finished[bi].append((ranked, score / len(seq), seq))
                else:
                    live.append((beam, token, score))
            if len(finished[bi]) >= n:
                done[bi] = True
            while len(live) < n:  # a finished or exhausted batch row keeps dead beams
                live.append((bi * n, 0, -np.inf))
            for beam, token, score in live:
                keep_rows.append(beam)
                keep_tokens.append(token)
                keep_scores.append(score)
        if all(done):
            break
        scores = np.asarray(keep_scores).reshape(b, n)
        index = np.asarray(keep_rows)
        chosen = np.asarray(keep_tokens, dtype=np.int64)
        step.reorder(index)
        tokens = np.concatenate([tokens[index], chosen[:, None]], axis=1)
        if i + 1 == opts.max_new_tokens:
            break
        logits = step.next(chosen)
    rows = tokens.tolist()
    best: list[tuple[float, list[int]]] = []
    for bi in range(b):
        pool = list(finished[bi])
        if not pool:  # nothing stopped within the token limit: rank the live beams
            for k in range(n):
                score = float(scores[bi, k])
                if score > -np.inf:
                    seq = rows[bi * n + k]
                    length = max(len(seq), 1)
                    pool.append((score / length**opts.length_penalty, score / length, seq))
        best.append(max(pool, key=lambda item: item[0])[1:] if pool else (-np.inf, []))
    ids = step.ids([seq for _, seq in best])
    return [Decoded(row, float(np.exp(mean))) for row, (mean, _) in zip(ids, best, strict=True)]
