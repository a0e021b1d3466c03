"""Limits on the work a checkpoint's pickle may ask for, checked before it is loaded.

A pickle is a program for a small stack machine. Each instruction makes at most one object,
so capping the instructions caps the objects; but a memo index is an array slot (a huge index
is a huge array), and objects can be shared (a billion references to one list cost nothing
until something walks them). The scan below bounds the program; ``walk_limits`` bounds what
is built from it.
"""

from __future__ import annotations

import pickle
import pickletools

MAX_PICKLE_BYTES = 64 << 20  # a GPT-2 checkpoint's pickle is about 30 KB
MAX_OPS = 1_000_000
MAX_STACK = 10_000
MAX_DEPTH = 64  # containers within containers
MAX_OBJECTS = 1_000_000
MEMO_OPS = ("PUT", "BINPUT", "LONG_BINPUT")


def check_program(data: bytes) -> None:
    """Raise ``pickle.UnpicklingError`` (a reason for a sentence) when the pickle is larger,
    longer, deeper or remembers more than a checkpoint's ever does."""
    if len(data) > MAX_PICKLE_BYTES:
        raise pickle.UnpicklingError("its index of tensors is larger than any checkpoint's")
    depth, marks, ops = 0, [], 0
    try:
        for op, arg, _ in pickletools.genops(data):
            ops += 1
            if ops > MAX_OPS:
                raise pickle.UnpicklingError("its index of tensors is longer than any checkpoint's")
            if op.name in MEMO_OPS and (not isinstance(arg, int) or arg > ops):
                raise pickle.UnpicklingError("it asks for a memory it does not use")
            if op.name == "MARK":
                marks.append(depth)
            elif pickletools.markobject in op.stack_before:
                below = op.stack_before.index(pickletools.markobject)
                depth = marks.pop() - below + len(op.stack_after)
            else:
                depth += len(op.stack_after) - len(op.stack_before)
            if depth + len(marks) > MAX_STACK:
                raise pickle.UnpicklingError("it nests deeper than any checkpoint")
    except (ValueError, IndexError) as exc:
        raise pickle.UnpicklingError(f"it is damaged ({exc})") from None
