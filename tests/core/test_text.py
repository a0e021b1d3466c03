from vocalens.core.model.text import clean_caption, stop_token_mask


def test_clean_caption_cuts_at_stop_and_capitalises() -> None:
    assert clean_caption(" a dog on grass. and more", ["."], True) == "A dog on grass."
    assert clean_caption("a cat\n\nsecond", ["\n"], True) == "A cat"


def test_unfinished_caption_drops_trailing_fragment() -> None:
    assert clean_caption("a dog! a man riding a bi", [], False) == "A dog!"
    assert clean_caption("a man riding a bi", [], False) == "A man riding a bi"


def test_special_and_control_characters_are_removed() -> None:
    assert clean_caption("a\x07 cat\ufffd  sits", ["."], False) == "A cat sits"


def test_stop_mask_marks_eos_and_period_tokens(tiny) -> None:
    tok = tiny.tokenizer
    mask = stop_token_mask(tok, ["."])
    assert mask[tok.eos_token_id]
    assert mask[tok.convert_tokens_to_ids(".")]
    assert not mask[tok.encode(" red")[0]]
