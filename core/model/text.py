"""Turning generated tokens into clean caption text."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import numpy as np

from vocalens.core.model.decoding import Decoded

P = TypeVar("P")  # a batch's pixels
M = TypeVar("M")  # its embeddings
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


@dataclass
class Caption:
    text: str
    tokens: list[int]
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds, shared by a batch
    confidence: float | None = None  # the decoder's mean token probability (geometric), 0..1
    embedding: np.ndarray | None = field(default=None, repr=False)  # the image's, from CLIP


class Detokenizer(Protocol):
    def decode(self, ids: list[int], /, *, skip_special_tokens: bool = ...) -> object: ...


def to_captions(
    decoded: list[Decoded], tokenizer: Detokenizer, stops: np.ndarray, stop_strings: list[str]
) -> list[Caption]:
    """Decoded token rows as clean captions, each with the decoder's confidence."""
    results = []
    for seq, sure in decoded:
        stopped = bool(seq) and bool(stops[seq[-1]])
        text = str(tokenizer.decode(seq, skip_special_tokens=True))
        results.append(Caption(clean_caption(text, stop_strings, stopped), seq, confidence=sure))
    return results


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte-level alphabet: each byte is shown as one printable character."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    chars = list(printable)
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, chars), strict=True))


class Vocabulary(Protocol):
    """What a stop mask needs of a tokenizer (transformers' or ``ort.tokenizer``'s)."""

    @property
    def eos_token_id(self) -> int | None: ...
    def get_vocab(self) -> dict[str, int]: ...
    def __len__(self) -> int: ...


def stop_token_mask(tokenizer: Vocabulary, stop_strings: list[str], size: int = 0) -> np.ndarray:
    """Boolean mask over the vocabulary (at least ``size`` long): EOS and every token whose text
    contains a stop string."""
    byte_chars = bytes_to_unicode()
    encoded = ["".join(byte_chars[b] for b in s.encode("utf-8")) for s in stop_strings if s]
    mask = np.zeros(max(len(tokenizer), size), dtype=bool)
    vocab = tokenizer.get_vocab()
    for stop in encoded:
        mask[[index for token, index in vocab.items() if stop in token]] = True
    if tokenizer.eos_token_id is not None:
        mask[tokenizer.eos_token_id] = True
    return mask


def clean_caption(text: str, stop_strings: list[str], stopped: bool) -> str:
    """Cut at the first stop string (keeping it when it is punctuation), trim, capitalise.

    A caption cut off by the token limit loses its unfinished last sentence when it has an
    earlier complete one.
    """
    cut = len(text)
    for stop in stop_strings:
        at = text.find(stop) if stop else -1
        if at >= 0:
            cut = min(cut, at + (len(stop) if stop.strip() else 0))
    text = text[:cut] if cut < len(text) else text
    if not stopped and cut == len(text):
        ends = list(_SENTENCE_END.finditer(text))
        if ends:
            text = text[: ends[-1].end()]
    text = "".join(ch for ch in text if ch.isspace() or not _unprintable(ch))
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def _unprintable(ch: str) -> bool:
    """Control characters and the replacement character left by a split multi-byte sequence."""
    return ch == "\ufffd" or unicodedata.category(ch).startswith("C")


def caption_in_stages(
    pixels: Callable[[], P], embed: Callable[[P], M], decode: Callable[[M], list[Caption]]
) -> list[Caption]:
    """Preprocess, encode and decode one batch, each caption carrying how long each took."""
    t0 = time.perf_counter()
    ready = pixels()
    t1 = time.perf_counter()
    embeddings = embed(ready)
    t2 = time.perf_counter()
    captions = decode(embeddings)
    t3 = time.perf_counter()
    timings = {
        "preprocess_ms": (t1 - t0) * 1e3,
        "encode_ms": (t2 - t1) * 1e3,
        "decode_ms": (t3 - t2) * 1e3,
    }
    rows = as_array(embeddings)
    for c, row in zip(captions, rows, strict=True):
        c.timings, c.embedding = dict(timings), row
    return captions


def as_array(embeddings: object) -> np.ndarray:
    """A batch of embeddings as float32 numpy, from onnxruntime (numpy) or torch."""
    to_cpu = getattr(embeddings, "float", None)
    if to_cpu is not None and hasattr(embeddings, "cpu"):
        return to_cpu().cpu().numpy()
    return np.asarray(embeddings, dtype=np.float32)
