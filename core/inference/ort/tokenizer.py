"""GPT-2's byte-level BPE tokenizer from ``tokenizers``: tokenizer.json, or vocab.json and
merges.txt."""

from __future__ import annotations

from pathlib import Path

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

from vocalens.core.errors import require_files

EOS = "<|endoftext|>"
FILES = ("vocab.json", "merges.txt")


class BPETokenizer:
    """The parts of transformers' GPT2Tokenizer that captioning uses: ids ↔ text, the
    vocabulary and the end-of-text id."""

    def __init__(self, folder: Path) -> None:
        if (folder / "tokenizer.json").is_file():
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        else:
            require_files(folder, FILES, "tokenizer", "Download or convert the model again.")
            bpe = models.BPE.from_file(str(folder / "vocab.json"), str(folder / "merges.txt"))
            self.tokenizer = Tokenizer(bpe)
            self.tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
            self.tokenizer.decoder = decoders.ByteLevel()
        if self.tokenizer.token_to_id(EOS) is not None:
            self.tokenizer.add_special_tokens([AddedToken(EOS, special=True)])
        self.eos_token_id: int | None = self.tokenizer.token_to_id(EOS)

    def __len__(self) -> int:
        return int(self.tokenizer.get_vocab_size(with_added_tokens=True))

    def get_vocab(self) -> dict[str, int]:
        return dict(self.tokenizer.get_vocab(with_added_tokens=True))

    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def decode(self, ids: list[int], skip_special_tokens: bool = True) -> str:
        return str(self.tokenizer.decode(ids, skip_special_tokens=skip_special_tokens))
