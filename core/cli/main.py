"""``vocalens``: the command line. Expected failures print one line and a hint, never a trace."""

from __future__ import annotations

import argparse
import importlib.metadata
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence

from vocalens.core.cli import caption, describe, encode, evaluate, models, train
from vocalens.core.errors import VocaLensError
from vocalens.core.quiet import quiet_libraries

Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vocalens",
        description="Describe images on your own machine, privately.",
    )
    parser.add_argument("--version", action="version", version=f"vocalens {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    caption.register(sub)
    describe.register(sub)
    models.register(sub)
    encode.register(sub)
    train.register(sub)
    evaluate.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the packaged command, started again as a helper process
    quiet_libraries()  # only our words on the terminal (VOCALENS_DEBUG=1 shows the rest)
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except VocaLensError as exc:
        print(f"vocalens: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("vocalens: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (`| head`): not a failure to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 141  # as a shell reports a command ended by SIGPIPE


def _version() -> str:
    try:
        return importlib.metadata.version("vocalens")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
