"""The captioner on onnxruntime: preprocessing, CLIP tower, projector and GPT-2 decoding."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from vocalens.core.inference.ort.preprocess import Preprocess
from vocalens.core.inference.ort.providers import choose_providers, session_options
from vocalens.core.inference.ort.token_rows import TokenRows
from vocalens.core.inference.ort.tokenizer import BPETokenizer
from vocalens.core.model.config import CaptionerConfig, DecodingConfig, apply_overrides
from vocalens.core.model.decoding import Stepper, decode
from vocalens.core.model.text import Caption, caption_in_stages, stop_token_mask, to_captions


class OrtCaptioner:
    """Images → captions with three onnxruntime sessions (``convert`` makes their files)."""

    runtime = "onnx"

    def __init__(
        self,
        files: dict[str, Path],
        config: CaptionerConfig,
        tokenizer: BPETokenizer,
        precision: str,
        device: str = "auto",
        token_rows: TokenRows | None = None,
    ) -> None:
        """``token_rows``: where a decoder without a ``tokens`` input (int8) gets its new
        tokens' embeddings."""
        import onnxruntime

        self.config, self.tokenizer, self.precision = config, tokenizer, precision
        self.providers = choose_providers(device)

        def session(part: str) -> Any:
            options = session_options(spin=part == "decoder")
            return onnxruntime.InferenceSession(str(files[part]), options, providers=self.providers)

        # Made side by side: onnxruntime lets go of Python while it prepares a model, and
        # the three together take two thirds of the time one after another does.
        with ThreadPoolExecutor(len(files), thread_name_prefix="vocalens-load") as pool:
            self.sessions = dict(zip(files, pool.map(session, files), strict=True))
        self.device = "cpu" if self.providers[0] == "CPUExecutionProvider" else self.providers[0]
        self.preprocess = Preprocess(config.encoder.preprocess)
        decoder = self.sessions["decoder"]
        inputs = {i.name: i for i in decoder.get_inputs()}
        past = inputs["past_key_0"].shape  # (batch, heads, past, head_dim)
        self.layers = sum(1 for name in inputs if name.startswith("past_key_"))
        self.token_rows, self.embeds_tokens = token_rows, "tokens" not in inputs
        if self.embeds_tokens and token_rows is None:
            raise ValueError("a decoder that takes its tokens embedded needs token_rows")
        self.heads, self.head_dim = int(past[1]), int(past[3])
        self.vocab = int(next(o for o in decoder.get_outputs() if o.name == "logits").shape[1])
        self._stops: tuple[tuple[str, ...], np.ndarray] | None = None

    def decoding(self, **overrides: Any) -> DecodingConfig:
        return apply_overrides(self.config.decoding, **overrides)

    def pixels(self, images: Sequence[Image.Image]) -> np.ndarray:
        return self.preprocess(images)

    def embed(self, pixels: np.ndarray) -> np.ndarray:
        return self.sessions["visual"].run(None, {"pixels": pixels})[0]  # (B, D)

    def image_embedding(self, image: Image.Image) -> np.ndarray:
        return self.embed(self.pixels([image]))[0]

    def prefix(self, embeddings: np.ndarray) -> np.ndarray:
        return self.sessions["projector"].run(None, {"embedding": embeddings})[0]  # (B, K, E)

    def caption(self, images: Sequence[Image.Image], **overrides: Any) -> list[Caption]:
        """Caption RGB images (see ``core.images.load_image``) in one batch."""
        if not images:
            return []
        return caption_in_stages(
            lambda: self.pixels(images),
            self.embed,
            lambda e: self.caption_embeddings(e, **overrides),
        )

    def caption_embeddings(self, embeddings: np.ndarray, **overrides: Any) -> list[Caption]:
        opts = self.decoding(**overrides)
        stops = self.stop_mask(opts.stop_strings)
        prefix = self.prefix(embeddings)
        decoded = decode(
            lambda copies, room: self.stepper(prefix, copies), len(prefix), opts, stops
        )
        return to_captions(decoded, self.tokenizer, stops, opts.stop_strings)

    def stepper(self, prefix: np.ndarray, copies: int = 1) -> Stepper:
        rows = np.repeat(prefix, copies, axis=0) if copies > 1 else prefix
        return OrtStepper(self, rows)

    def stop_mask(self, stop_strings: list[str]) -> np.ndarray:
        key = tuple(stop_strings)
        if self._stops is None or self._stops[0] != key:
            self._stops = (
                key,
                stop_token_mask(self.tokenizer, stop_strings, self.vocab)[: self.vocab],
            )
        return self._stops[1]


class OrtStepper:
    """The GPT-2 session with its KV cache kept as numpy arrays between steps."""

    def __init__(self, model: OrtCaptioner, prefix: np.ndarray) -> None:
        self.session = model.sessions["decoder"]
        self.prefix = np.ascontiguousarray(prefix, dtype=np.float32)
        b = len(prefix)
        empty = np.zeros((b, model.heads, 0, model.head_dim), np.float32)
        self.past = [empty] * (2 * model.layers)
        kinds = [f"{kind}_{i}" for i in range(model.layers) for kind in ("key", "value")]
        self.names = ["logits", *(f"present_{k}" for k in kinds)]
        self.past_names = [f"past_{k}" for k in kinds]
        self.rows = model.token_rows if model.embeds_tokens else None

    def first(self) -> np.ndarray:
        no_tokens = np.zeros((len(self.prefix), 0), np.int64)
        return self._run(self.prefix, None if self.rows is not None else no_tokens)

    def next(self, tokens: np.ndarray) -> np.ndarray:
        ids = tokens.astype(np.int64)[:, None]
        if self.rows is not None:  # embedded here: the graph has no table of its own
            return self._run(self.rows(ids), None)
        return self._run(np.zeros((len(tokens), 0, self.prefix.shape[2]), np.float32), ids)

    def reorder(self, index: np.ndarray) -> None:
        self.past = [p[index] for p in self.past]

    def ids(self, rows: list[list[int]]) -> list[list[int]]:
        return rows

    def _run(self, prefix: np.ndarray, tokens: np.ndarray | None) -> np.ndarray:
        feeds = {"prefix": prefix, **dict(zip(self.past_names, self.past, strict=True))}
        if tokens is not None:
            feeds["tokens"] = tokens
        logits, *self.past = self.session.run(self.names, feeds)
        return logits
