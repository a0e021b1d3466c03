"""GPT-2's byte-level vocabulary, as captioning on onnxruntime needs it: ids → text, the
vocabulary and the end-of-text id, read from tokenizer.json or vocab.json.

Captions are decoded here, never encoded, so only the tokens' text is kept (one string and
its offsets, under a megabyte), not the merges a tokenizer needs to encode: the ``tokenizers``
library held 15 MB for the same decoding. Decoding is theirs: each token's characters are
GPT-2's printable stand-ins for bytes, and the bytes are read as UTF-8 with U+FFFD for a
broken sequence (a caption cut inside a character).
"""

from __future__ import annotations

from array import array
from pathlib import Path

from vocalens.core.errors import ModelError, require_files
from vocalens.core.files import read_json
from vocalens.core.model.text import bytes_to_unicode

EOS = "<|endoftext|>"
FILES = ("vocab.json", "merges.txt")
MAX_BYTES = 64 << 20  # GPT-2's tokenizer.json is 1.4 MB
_BYTES = {char: byte for byte, char in bytes_to_unicode().items()}


class BPETokenizer:
    """The parts of transformers' GPT2Tokenizer that captioning uses on onnxruntime."""

    def __init__(self, folder: Path) -> None:
        try:
            vocab, special = _read(folder)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ModelError(
                f"The tokenizer in {folder} could not be read ({error}).",
                "Download or convert the model again.",
            ) from None
        if any(not 0 <= i <= 2 * len(vocab) + 1024 for i in vocab.values()):
            raise ModelError(
                f"The tokenizer in {folder} numbers its tokens past its size.",
                "Download or convert the model again.",
            )
        tokens = [""] * (max(vocab.values(), default=-1) + 1)
        for token, index in vocab.items():
            tokens[index] = token
        self._text = "".join(tokens)
        self._ends = array("q", [0] * (len(tokens) + 1))
        end = 0
        for index, token in enumerate(tokens):
            end += len(token)
            self._ends[index + 1] = end
        self.eos_token_id: int | None = vocab.get(EOS)
        self._special = special | ({self.eos_token_id} if self.eos_token_id is not None else set())

    def __len__(self) -> int:
        return len(self._ends) - 1

    def token(self, index: int) -> str:
        """The token's text in GPT-2's byte alphabet ("Ġcat" for " cat")."""
        return self._text[self._ends[index] : self._ends[index + 1]]

    def get_vocab(self) -> dict[str, int]:
        return {self.token(index): index for index in range(len(self))}

    def decode(self, ids: list[int], skip_special_tokens: bool = True) -> str:
        """The text of ``ids``; ids outside the vocabulary are left out, as ``tokenizers``
        does."""
        chars = "".join(
            self.token(i)
            for i in ids
            if 0 <= i < len(self) and not (skip_special_tokens and i in self._special)
        )
        raw = bytearray()
        for char in chars:
            byte = _BYTES.get(char)
            if byte is None:  # an added token's own character
                raw += char.encode("utf-8")
            else:
                raw.append(byte)
        return raw.decode("utf-8", errors="replace")


def _read(folder: Path) -> tuple[dict[str, int], set[int]]:
    """The vocabulary (with the added tokens) and the ids of the special tokens."""
    if (folder / "tokenizer.json").exists():
        data = read_json(folder / "tokenizer.json", MAX_BYTES)
        vocab: dict[str, int] = dict(data["model"]["vocab"])
        added = data.get("added_tokens") or []
        vocab.update({t["content"]: int(t["id"]) for t in added})
        return vocab, {int(t["id"]) for t in added if t.get("special")}
    require_files(folder, FILES, "tokenizer", "Download or convert the model again.")
    vocab = read_json(folder / "vocab.json", MAX_BYTES)
    if not isinstance(vocab, dict):
        raise ValueError("vocab.json holds no vocabulary")
    return {str(k): int(v) for k, v in vocab.items()}, set()
