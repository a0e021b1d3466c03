"""Work that needs much memory once (converting a model, deriving a text model) done in a
process of its own: its working memory and the libraries it loads leave with it, so the app
or command that asked stays as light as on every later start. Progress comes back as it is
made; a failure comes back as the same exception; a helper that dies is one sentence."""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable
from typing import Any

from vocalens.core.errors import ModelError, VocaLensError, first_line

Progress = Callable[[float, str], None]  # (fraction done, what is being made)


def run_apart(
    work: Callable[..., None], *args: Any, progress: Progress | None = None, what: str
) -> None:
    """Call ``work(*args, progress=...)`` in a new process and wait for it. ``work`` must be
    a module-level function; ``what`` names the work in the sentence said if the helper dies
    (\"The model could not be converted\")."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    helper = context.Process(target=_helper, args=(send, work, args), daemon=True)
    helper.start()
    send.close()  # the helper holds the only sending end: its end is seen as EOF
    finished = False
    try:
        while not finished:
            try:
                kind, *said = receive.recv()  # EOF once the helper has ended, however it ended
            except EOFError:
                break
            if kind == "progress" and progress is not None:
                progress(*said)
            elif kind == "error":
                raise said[0]
            finished = kind == "done"
    finally:
        if helper.is_alive() and not finished:
            helper.kill()  # stopped by the caller: the work's half-made files are never used
        helper.join()
        receive.close()
    if not finished:
        raise ModelError(
            f"{what}: the process doing it stopped (exit code {helper.exitcode}).",
            "Try again; if it stops again, close other programs to free memory.",
        )


def _helper(send: Any, work: Callable[..., None], args: tuple[Any, ...]) -> None:
    """In the helper: only the caller speaks to the user, so its own output goes nowhere."""
    with open(os.devnull, "w") as nowhere:
        os.dup2(nowhere.fileno(), 1)
        os.dup2(nowhere.fileno(), 2)
    try:
        work(*args, progress=lambda fraction, stage: send.send(("progress", fraction, stage)))
    except BaseException as exc:  # every failure goes back to the caller
        if not isinstance(exc, VocaLensError) and hasattr(exc, "add_note"):  # 3.11 and later
            exc.add_note("".join(traceback.format_exception(exc)))  # for the caller's log
        try:
            send.send(("error", exc))
        except Exception:  # an exception that cannot be pickled: its sentence still can
            send.send(("error", ModelError(first_line(exc))))
        return
    send.send(("done",))
