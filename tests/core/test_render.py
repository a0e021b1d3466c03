import pytest

from vocalens.core.context import WindowInfo
from vocalens.core.parts import Description
from vocalens.core.render import spoken


def test_photo_leads_with_caption_then_text() -> None:
    d = Description.of("file", caption="a dog on a beach", blocks=["Hello"], kind="mixed")
    assert spoken(d) == "A dog on a beach. Text in the image: Hello."


def test_text_filled_screen_leaves_the_caption_out_unless_full() -> None:
    blocks = [" ".join(["word"] * 30)]
    d = Description.of(
        "screen",
        caption="people surfing",
        blocks=blocks,
        kind="text",
        window=WindowInfo("Report.odt", "LibreOffice"),
    )
    assert "surfing" not in spoken(d)
    assert spoken(d, "full").endswith("It may show: People surfing.")
    assert spoken(d).startswith("LibreOffice — Report.odt.")


def test_long_text_is_capped_and_says_more_follows() -> None:
    blocks = [f"Paragraph {i} has five words" for i in range(20)]
    d = Description.of("window", blocks=blocks, kind="text")
    brief = spoken(d, "brief")
    assert brief.endswith("More text follows.")
    assert len(brief.split()) <= 12 + 4
    assert "Paragraph 19" in spoken(d, "full")


def test_screen_without_text_says_so() -> None:
    d = Description.of("screen", caption="a desktop with icons", kind="picture")
    assert spoken(d) == "No text found. It may show: A desktop with icons."


@pytest.mark.parametrize("verbosity", ["brief", "normal", "full"])
@pytest.mark.parametrize("source", ["screen", "file"])
def test_what_is_said_as_a_description_grows_is_what_is_said_of_the_whole(source, verbosity):
    """Phrases said as soon as they are known, then the rest at the end, say exactly what the
    whole description says: nothing said early is taken back or said twice."""
    from vocalens.core import Context, KindPart, TextPart, WindowInfo
    from vocalens.core.parts import CaptionPart, Description
    from vocalens.core.render import phrases

    window = WindowInfo("notes.txt", "Editor")
    blocks = [f"Block {i} " + "word " * (i * 3) for i in range(8)]
    desc = Description([Context(source, "notes.txt", window)])
    said: list[str] = []
    for block in blocks:
        desc.parts.append(TextPart(block))
        now = phrases(desc, verbosity, final=False)
        assert now[: len(said)] == said
        said = now
    desc.parts[1:1] = [KindPart("mixed"), CaptionPart("a cat on a desk")]
    final = phrases(desc, verbosity, final=True)
    assert final[: len(said)] == said
    assert " ".join(final) == spoken(desc, verbosity)
    if source == "screen":
        assert said and said[0] == "Editor — notes.txt."  # said before any text was read
