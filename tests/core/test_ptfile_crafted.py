"""Crafted ``.pt`` files: each ends in one sentence, reading nothing outside the file's own
data, in bounded time and memory (see ``tests/core/crafted_pt.py`` for how they are made)."""

from __future__ import annotations

import os
import pickle
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.crafted_pt import P, glob, ints, num, state, storage, tensor, text, write
from vocalens.core.errors import ModelError
from vocalens.core.model.ptfile import read_pt

ARANGE = np.arange(320, dtype=np.float32)


def refused(path: Path, reason: str) -> None:
    start = time.monotonic()
    with pytest.raises(ModelError, match=reason) as caught:
        read_pt(path)
    assert time.monotonic() - start < 10
    assert "\n" not in str(caught.value)


def test_a_fair_tensor_is_read_as_written(tmp_path) -> None:
    """A slice, a transposed view and a tied pair over one storage."""
    program = state(
        slice=tensor(num(10), ints((4, 5)), ints((5, 1))),
        turned=tensor(num(0), ints((3, 2)), ints((1, 3))),
        tied=tensor(num(10), ints((4, 5)), ints((5, 1))),
    )
    got = read_pt(write(tmp_path / "fair.pt", program))
    assert np.array_equal(got["slice"], ARANGE[10:30].reshape(4, 5))
    assert np.array_equal(got["turned"], ARANGE[:6].reshape(2, 3).T)
    assert got["tied"] is got["slice"]


@pytest.mark.parametrize(
    ("offset", "size", "stride"),
    [
        (0, (1280,), (1,)),  # 960 floats past the data: the audit's 1 233 bytes of memory
        (300, (21,), (1,)),  # one past the end
        (0, (2**40,), (1,)),  # far past it: a SIGSEGV before
        (0, (50 << 30,), (0,)),  # 200 GB of one float repeated
        (2**62, (1,), (1,)),  # the offset alone past it
    ],
)
def test_a_tensor_past_its_data_is_refused(tmp_path, offset, size, stride) -> None:
    path = write(tmp_path / "past.pt", state(w=tensor(num(offset), ints(size), ints(stride))))
    refused(path, "reaches past its data")


def test_a_negative_stride_is_refused(tmp_path) -> None:
    """It would read before the data, silently."""
    program = state(w=tensor(num(100), ints((10,)), P.MARK + num(-1) + P.TUPLE))
    refused(write(tmp_path / "back.pt", program), "negative")


@pytest.mark.parametrize(
    "odd",
    [
        tensor(text("ten"), ints((2,)), ints((1,))),
        tensor(num(0), text("two"), ints((1,))),
        tensor(num(0), ints((2,)), ints((1, 1))),
        tensor(num(0), ints((2,)), ints((1,)), store=text("a string")),
        tensor(num(0), ints(tuple([1] * 40)), ints(tuple([1] * 40))),
        glob("torch._utils", "_rebuild_parameter") + P.MARK + text("x") + P.TUPLE + P.REDUCE,
    ],
)
def test_oddly_typed_tensors_end_in_one_sentence(tmp_path, odd) -> None:
    refused(write(tmp_path / "odd.pt", state(w=odd)), "cannot be read safely")


def test_a_pickle_that_refers_to_itself_is_refused(tmp_path) -> None:
    loop = P.EMPTY_LIST + P.BINPUT + b"\x01" + P.BINGET + b"\x01" + P.APPEND
    refused(write(tmp_path / "loop.pt", state(w=loop)), "refers to itself")


def test_deep_nesting_is_refused_before_it_is_built(tmp_path) -> None:
    deep = P.EMPTY_LIST * 100_000 + P.APPEND * 99_999
    refused(write(tmp_path / "deep.pt", state(w=deep)), "nests deeper")
    marks = P.MARK * 100_000 + P.TUPLE * 100_000
    refused(write(tmp_path / "marks.pt", state(w=marks)), "nests deeper")
    nested = P.EMPTY_LIST * 500 + P.APPEND * 499  # within the scan's stack: the walk's limit
    refused(write(tmp_path / "nested.pt", state(w=nested)), "nests deeper")


def test_a_billion_laughs_costs_nothing(tmp_path) -> None:
    """Ten references to a list of ten references to …, nine levels: 10⁹ leaves, 9 lists."""
    level = P.EMPTY_LIST + text("lol") + P.APPEND
    for depth in range(9):
        level += P.BINPUT + bytes([depth]) + P.POP + P.EMPTY_LIST + P.MARK
        level += (P.BINGET + bytes([depth])) * 10 + P.APPENDS
    got = read_pt(write(tmp_path / "lol.pt", state(w=level)))
    assert got["w"][0] is got["w"][9]


def test_a_huge_memo_index_is_refused(tmp_path) -> None:
    program = state(w=P.EMPTY_LIST + P.LONG_BINPUT + b"\xff\xff\xff\x7f")
    refused(write(tmp_path / "memo.pt", program), "memory it does not use")


def test_a_deflate_bomb_is_refused_before_it_is_inflated(tmp_path) -> None:
    bomb = bytes(256 << 20)  # 256 MB of zeros, a few hundred KB deflated
    path = write(
        tmp_path / "bomb.pt",
        state(w=tensor(num(0), ints((4,)), ints((1,)), store=storage(numel=64 << 20))),
        data={"0": bomb},
        compress=zipfile.ZIP_DEFLATED,
    )
    del bomb
    assert path.stat().st_size < 2 << 20
    refused(path, "larger than the file can hold")


def test_cut_short_data_is_refused(tmp_path) -> None:
    path = write(tmp_path / "cut.pt", state(w=tensor(num(0), ints((1,)), ints((1,)))),
                 data={"0": b"\x00" * 7})  # fmt: skip
    refused(path, "cut short")


def test_code_in_the_pickle_is_refused(tmp_path) -> None:
    call = glob("os", "system") + P.MARK + text("touch pwned") + P.TUPLE + P.REDUCE
    refused(write(tmp_path / "code.pt", state(w=call)), "os.system")


def test_what_is_not_a_file_is_named(tmp_path) -> None:
    refused(tmp_path, "is a folder")
    fifo = tmp_path / "pipe.pt"
    os.mkfifo(fifo)
    refused(fifo, "named pipe")


@settings(max_examples=150, deadline=None)
@given(
    offset=st.integers(-3, 400),
    size=st.lists(st.integers(0, 40), min_size=0, max_size=3),
    stride=st.lists(st.integers(-2, 40), min_size=0, max_size=3),
)
def test_read_exactly_when_torch_would(tmp_path_factory, offset, size, stride) -> None:
    """Whatever the offset, size and stride: a tensor torch can make over the same 320 floats
    is read as torch reads it; any other is refused; no other outcome."""
    torch = pytest.importorskip("torch")
    path = tmp_path_factory.mktemp("fuzz") / "f.pt"
    write(path, state(w=tensor(num(offset), ints_any(size), ints_any(stride))))
    try:
        expected = torch.from_numpy(ARANGE.copy()).as_strided(size, stride, offset).numpy()
        fits = math_prod(size) <= ARANGE.size or math_prod(size) == 0
    except RuntimeError:
        expected, fits = None, False
    if expected is not None and fits and len(size) == len(stride):
        assert np.array_equal(read_pt(path)["w"], expected)
    else:
        with pytest.raises(ModelError, match="cannot be read safely"):
            read_pt(path)


def ints_any(values: list[int]) -> bytes:
    return P.MARK + b"".join(num(v) if v >= 0 else neg(v) for v in values) + P.TUPLE


def neg(v: int) -> bytes:
    return P.BININT + int(v).to_bytes(4, "little", signed=True)


def math_prod(values: list[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def test_the_pickle_opcodes_used_here_are_pickles_own() -> None:
    assert pickle.loads(state(a=num(3), b=ints((1, 2)))) == {"a": 3, "b": (1, 2)}
