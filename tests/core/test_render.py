import pytest

from vocalens.core.describing.context import WindowInfo
from vocalens.core.describing.parts import CaptionPart, Description, Kind, KindPart, Notice
from vocalens.core.describing.render import Verbosity, full_text, notice_text, spoken


def test_photo_leads_with_caption_then_text() -> None:
    d = Description.of("file", caption="a dog on a beach", blocks=["Hello"], kind="photo")
    assert spoken(d) == "A dog on a beach. Text in the image: Hello."


def caption_said(confidence: float, kind: Kind = "photo", verbosity: Verbosity = "normal") -> str:
    d = Description.of("file", caption="a dog on a beach", kind=kind)
    d.parts[-1] = CaptionPart("a dog on a beach", confidence)
    return spoken(d, verbosity)


def test_a_caption_is_said_plainly_only_when_the_captioner_was_sure() -> None:
    assert caption_said(0.8) == "A dog on a beach."
    assert caption_said(0.3) == "It may show: A dog on a beach."
    assert caption_said(0.05) == "A photo; VocaLens cannot tell what it shows."
    assert caption_said(0.05, verbosity="full") == "It may show: A dog on a beach."


def test_each_kind_says_what_it_is() -> None:
    assert caption_said(0.9, "icon") == "An icon or logo; it may show: A dog on a beach."
    assert caption_said(0.05, "icon") == "An icon or logo."
    for kind in ("document", "chart", "screen"):  # captions of these are confidently wrong
        assert "dog" not in caption_said(0.9, kind)
        assert "It may show: A dog on a beach." in caption_said(0.9, kind, "full")
    page = Description.of(
        "file", blocks=["Minutes of the meeting", "All present."], kind="document"
    )
    assert spoken(page) == "Document: Minutes of the meeting. All present."


def test_a_chart_is_called_a_chart_and_its_axis_numbers_are_not_read() -> None:
    blocks = ["Sales by region", "50\n40\n30\n20", "North South East", "10 %"]
    chart = Description.of("file", blocks=blocks, kind="chart")
    assert spoken(chart) == "A chart or diagram. Chart: Sales by region. North South East."
    assert "40" in full_text(chart)  # every number is still in the result window


def test_the_kind_and_how_sure_appear_in_the_full_text_and_json() -> None:
    d = Description.of("file", caption="a dog", kind="chart")
    d.parts[1] = KindPart("chart", 0.7)
    d.parts[-1] = CaptionPart("a dog", 0.123456)
    assert "Kind: chart or diagram (fairly sure). Caption: unsure (0.12)." in full_text(d)
    assert d.to_dict()["kind"] == "chart" and d.to_dict()["kind_confidence"] == 0.7
    assert d.to_dict()["caption_confidence"] == 0.123


def test_text_filled_screen_leaves_the_caption_out_unless_full() -> None:
    blocks = [" ".join(["word"] * 30)]
    d = Description.of(
        "screen",
        caption="people surfing",
        blocks=blocks,
        kind="document",
        window=WindowInfo("Report.odt", "LibreOffice"),
    )
    assert "surfing" not in spoken(d)
    assert spoken(d, "full").endswith("It may show: People surfing.")
    assert spoken(d).startswith("LibreOffice — Report.odt.")


def test_long_text_is_capped_and_says_more_follows() -> None:
    blocks = [f"Paragraph {i} has five words" for i in range(20)]
    d = Description.of("window", blocks=blocks, kind="document")
    brief = spoken(d, "brief")
    assert brief.endswith("More text follows.")
    assert len(brief.split()) <= 12 + 4
    assert "Paragraph 19" in spoken(d, "full")


def test_screen_without_text_says_so() -> None:
    d = Description.of("screen", caption="a desktop with icons", kind="screen")
    assert spoken(d) == "No text found."
    assert spoken(d, "full") == "No text found. It may show: A desktop with icons."


@pytest.mark.parametrize("verbosity", ["brief", "normal", "full"])
@pytest.mark.parametrize("source", ["screen", "file"])
def test_what_is_said_as_a_description_grows_is_what_is_said_of_the_whole(source, verbosity):
    """Phrases said as soon as they are known, then the rest at the end, say exactly what the
    whole description says: nothing said early is taken back or said twice."""
    from vocalens.core import Context, KindPart, TextPart, WindowInfo
    from vocalens.core.describing.parts import CaptionPart, Description
    from vocalens.core.describing.render import phrases

    window = WindowInfo("notes.txt", "Editor")
    blocks = [f"Block {i} " + "word " * (i * 3) for i in range(8)]
    desc = Description([Context(source, "notes.txt", window)])
    said: list[str] = []
    for block in blocks:
        desc.parts.append(TextPart(block))
        now = phrases(desc, verbosity, final=False)
        assert now[: len(said)] == said
        said = now
    desc.parts[1:1] = [KindPart("photo"), CaptionPart("a cat on a desk")]
    final = phrases(desc, verbosity, final=True)
    assert final[: len(said)] == said
    assert " ".join(final) == spoken(desc, verbosity)
    if source == "screen":
        assert said and said[0] == "Editor — notes.txt."  # said before any text was read


def test_a_photo_without_a_caption_model_is_called_a_photo() -> None:
    assert spoken(Description.of("file", kind="photo")) == "A photo."


def test_the_ready_model_says_where_it_runs() -> None:
    from vocalens.core.describing.describe import runs_on

    class OnGpu:
        device = "CUDAExecutionProvider"

    class OnCpu:
        device = "cpu"

    assert runs_on(OnGpu()) == "CUDA" and runs_on(OnCpu()) == ""
    gpu = notice_text(Notice("model_ready", reason=runs_on(OnGpu())))
    assert gpu == "The caption model is ready; it runs on the graphics card (CUDA)."
    assert notice_text(Notice("model_ready")).endswith("it runs on the processor.")
