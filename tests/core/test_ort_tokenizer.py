"""The onnxruntime path's vocabulary decodes as the ``tokenizers`` library does — GPT-2's real
50257 tokens and the tiny test tokenizer, random ids included (sequences cut inside a
character, ids past the end, the end-of-text token) — and a damaged tokenizer file is one
sentence."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from vocalens.core.errors import ModelError
from vocalens.core.inference.ort.tokenizer import EOS, BPETokenizer

tokenizers = pytest.importorskip("tokenizers", reason="the reference library is not installed")


def reference(folder: Path):
    if (folder / "tokenizer.json").is_file():
        done = tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))
    else:
        model = tokenizers.models.BPE.from_file(str(folder / "vocab.json"),
                                                str(folder / "merges.txt"))  # fmt: skip
        done = tokenizers.Tokenizer(model)
        done.decoder = tokenizers.decoders.ByteLevel()
    done.add_special_tokens([tokenizers.AddedToken(EOS, special=True)])
    return done


def agree(folder: Path, sequences: int) -> None:
    ours, theirs = BPETokenizer(folder), reference(folder)
    size = theirs.get_vocab_size(with_added_tokens=True)
    assert len(ours) == size and ours.eos_token_id == theirs.token_to_id(EOS)
    assert ours.get_vocab() == theirs.get_vocab(with_added_tokens=True)
    rng = random.Random(0)
    for _ in range(sequences):
        ids = [rng.randrange(size + 20) for _ in range(rng.randrange(20))]
        for skip in (True, False):
            assert ours.decode(ids, skip_special_tokens=skip) == theirs.decode(
                ids, skip_special_tokens=skip
            ), ids


def test_gpt2s_vocabulary_decodes_as_tokenizers_does(gpt2_vocab) -> None:
    agree(gpt2_vocab, 3000)


def test_a_saved_tokenizer_decodes_as_tokenizers_does(tiny_model_dir) -> None:
    agree(tiny_model_dir / "tokenizer", 3000)


def test_a_damaged_tokenizer_file_is_one_sentence(tiny_model_dir, tmp_path) -> None:
    folder = shutil.copytree(tiny_model_dir / "tokenizer", tmp_path / "tokenizer")
    whole = (folder / "tokenizer.json").read_bytes()
    (folder / "tokenizer.json").write_bytes(whole[: len(whole) // 2])  # cut short
    with pytest.raises(ModelError) as raised:
        BPETokenizer(folder)
    assert str(raised.value.message).startswith("The tokenizer in ")
    assert raised.value.hint == "Download or convert the model again."


def test_hostile_vocabularies_end_in_one_sentence(tmp_path) -> None:
    import json
    import os

    (tmp_path / "merges.txt").write_text("#version: 0.2\n")
    (tmp_path / "vocab.json").write_text(json.dumps({"a": 0, "b": 10**12}))  # 8 TB of slots
    with pytest.raises(ModelError, match="numbers its tokens past its size"):
        BPETokenizer(tmp_path)
    (tmp_path / "vocab.json").unlink()
    os.mkfifo(tmp_path / "vocab.json")  # never opened: it is no file
    with pytest.raises(ModelError, match="tokenizer files are missing: .*vocab.json"):
        BPETokenizer(tmp_path)
    (tmp_path / "tokenizer.json").mkdir()
    with pytest.raises(ModelError, match="tokenizer.json is a folder|is a folder, not a file"):
        BPETokenizer(tmp_path)
