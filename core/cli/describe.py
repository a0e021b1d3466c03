"""``vocalens describe``: caption + visible text + context, as a spoken-style summary."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from vocalens.core.cli.caption import expand
from vocalens.core.cli.decoding_args import add_model_args, decoding_overrides, model_options
from vocalens.core.errors import ImageError, VocaLensError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "describe",
        help="describe images or the screen: caption, text, context",
        description="Describe image files, folders, - (stdin), or the screen.",
    )
    p.add_argument("inputs", nargs="*", metavar="PATH", help="image file, folder, or -")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--screen", action="store_true", help="describe the whole screen")
    where.add_argument("--window", action="store_true", help="describe the active window")
    p.add_argument("--verbosity", choices=["brief", "normal", "full"], default="normal")
    p.add_argument("--no-text", action="store_true", help="skip reading the visible text")
    p.add_argument("--no-caption", action="store_true", help="skip the caption model")
    p.add_argument(
        "--text-scripts",
        choices=["auto", "alphabets", "all"],
        default="auto",
        help="read text in the alphabets (Latin, Greek, Cyrillic, …; faster) or in every "
        "script, Chinese, Japanese and Korean too (auto: by your language)",
    )
    p.add_argument(
        "--text-languages",
        default="auto",
        metavar="PACKS",
        help="also read text in these languages' scripts with Tesseract's packs, joined by + "
        "(rus, ukr, ell, ara, heb, hin, …); auto: your language, none: no others",
    )
    where_out = p.add_mutually_exclusive_group()
    where_out.add_argument("--json", action="store_true", help="one JSON object per input")
    where_out.add_argument(
        "--stream",
        action="store_true",
        help="print each part (window, a piece of text, the caption) on its own line as soon "
        "as it is known",
    )
    add_model_args(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from vocalens.core.describing.context import screen_reader_running
    from vocalens.core.describing.describe import open_describer
    from vocalens.core.describing.render import notice_text, spoken

    if not args.inputs and not (args.screen or args.window):
        raise ImageError("Nothing to describe.", "Give image paths, or --screen or --window.")
    opened = open_describer(
        None if args.no_caption else args.model,
        text=not args.no_text,
        scripts=args.text_scripts,
        languages=args.text_languages,
        **model_options(args),
        **decoding_overrides(args),
    )
    failed = 0
    for label, get_image, source, window, origin in _targets(args):
        try:
            image = get_image()
        except VocaLensError as exc:
            failed += 1
            print(f"vocalens: {exc}", file=sys.stderr)
            if args.json:
                print(json.dumps({"path": label, "error": str(exc)}, ensure_ascii=False))
            continue
        if args.stream:
            _stream(opened.describer, image, source, label, window, args.verbosity, origin)
            continue
        desc = opened.describer.describe(
            image,
            source=source,
            label=label,
            window=window,
            screen_reader=source != "file" and screen_reader_running(),
            origin=origin(),
        )
        text = spoken(desc, args.verbosity)
        if args.json:
            record = {"path": label, "spoken": text, **desc.to_dict()}
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            print(f"{label}\t{text}" if source == "file" else text, flush=True)
    opened.describer.close()
    for notice in opened.notices:  # said once, after what was said of each file
        print(f"vocalens: {notice_text(notice, 'cli')}", file=sys.stderr)
    return 1 if failed else 0


def _stream(
    describer: Any,
    image: Any,
    source: str,
    label: str,
    window: Any,
    verbosity: Any,
    origin: Any,
) -> None:
    """Print each phrase of the description on its own line as soon as it is known."""
    from vocalens.core.describing.render import phrases, unsaid

    said: list[str] = []

    def more(desc: Any, final: bool = False) -> None:
        for phrase in unsaid(phrases(desc, verbosity, final), said):
            said.append(phrase)
            print(phrase, flush=True)

    from vocalens.core.describing.context import screen_reader_running

    curtain = source != "file" and screen_reader_running()
    desc = describer.describe(
        image, source, label, window, on_update=more, screen_reader=curtain, origin=origin()
    )
    more(desc, final=True)


def _targets(args: argparse.Namespace) -> Any:
    from vocalens.core.describing.capture import grab_screen, grab_window, screen_rect, shown_part
    from vocalens.core.describing.context import active_window
    from vocalens.core.images import load_image

    def image_origin() -> tuple[int, int]:
        return 0, 0

    if args.screen or args.window:
        window = active_window()
        if args.screen:
            yield "screen", grab_screen, "screen", window, lambda: screen_rect(None)[:2]
        else:

            def part() -> tuple[int, int]:
                return shown_part(window)[:2]

            yield "window", lambda: grab_window(window), "window", window, part
    for item in expand(args.inputs):
        if item.source is None:
            yield item.label, _fail(item.error), "file", None, image_origin
        else:
            yield (
                item.label,
                (lambda s=item.source, n=item.label: load_image(s, name=n)),
                "file",
                None,
                image_origin,
            )


def _fail(message: str) -> Any:
    def raise_it() -> None:
        raise ImageError(message)

    return raise_it
