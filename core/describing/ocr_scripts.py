"""Which writing systems the text reader tells apart. RapidOCR's recognition model knows 18708
characters, 17000 of them Chinese, Japanese and Korean; scoring every one at every step of
every line is a sixth of the time a screen takes. Where the user's language is written in an
alphabet (Latin, Greek, Cyrillic, Arabic, Hebrew, Thai, …), the derived model keeps those
1748 characters only: the same text on screens and pages, read faster.
"""

from __future__ import annotations

import locale
import os
from typing import Any, Literal

Scripts = Literal["auto", "alphabets", "all"]
IDEOGRAPHS = 0x2E80  # CJK radicals, kana, ideographs and Hangul lie from here on
CJK_LANGUAGES = ("zh", "ja", "ko", "yue")


def chosen(scripts: str) -> Literal["alphabets", "all"]:
    """``auto``: all characters where the user's language is Chinese, Japanese or Korean,
    else the alphabets."""
    if scripts in ("alphabets", "all"):
        return scripts  # type: ignore[return-value]
    names = [os.environ.get(k, "") for k in ("LC_ALL", "LC_CTYPE", "LANG", "LANGUAGE")]
    names.append(locale.getlocale()[0] or "")
    spoken = [n.split(":")[0].lower() for n in names if n and n not in ("C", "POSIX")]
    return "all" if any(n.startswith(CJK_LANGUAGES) for n in spoken) else "alphabets"


def keep_alphabets(model: Any) -> bool:
    """Narrow an ONNX recognition model (PaddleOCR's CTC head: MatMul, Add, Softmax, its
    characters in the metadata) to the alphabets, in place. False, and the model untouched,
    where it is not shaped so."""
    import numpy as np
    from onnx import numpy_helper

    meta = {p.key: p for p in model.metadata_props}
    head = _head(model)
    if head is None or "character" not in meta:
        return False
    weight, bias, touched = head
    characters = meta["character"].value.splitlines()
    # the classes: 0 is CTC's blank, 1.. the characters, and a space after them
    keep = [0] + [i + 1 for i, c in enumerate(characters) if _alphabetic(c)]
    keep.append(len(characters) + 1)
    w, b = numpy_helper.to_array(weight), numpy_helper.to_array(bias)
    if w.shape[-1] != len(characters) + 2 or b.shape[-1] != w.shape[-1]:
        return False
    weight.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(w[..., keep]), weight.name))
    bias.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(b[..., keep]), bias.name))
    meta["character"].value = "\n".join(characters[i - 1] for i in keep[1:-1])
    for info in list(model.graph.value_info):  # shapes that named the old class count
        if info.name in touched:
            model.graph.value_info.remove(info)
    for output in model.graph.output:
        if output.name in touched:
            output.type.tensor_type.shape.dim[-1].Clear()
    return True


def _alphabetic(character: str) -> bool:
    return all(ord(c) < IDEOGRAPHS for c in character)


def _head(model: Any) -> tuple[Any, Any, set[str]] | None:
    """The class scores' weight and bias (initializers) and the tensors after them."""
    made = {out: node for node in model.graph.node for out in node.output}
    inits = {i.name: i for i in model.graph.initializer}
    node = made.get(model.graph.output[0].name)
    touched = {model.graph.output[0].name}
    if node is None or node.op_type != "Softmax":
        return None
    node = made.get(node.input[0])
    while node is not None and node.op_type == "Identity":
        touched.update(node.output)
        node = made.get(node.input[0])
    if node is None or node.op_type != "Add" or node.input[1] not in inits:
        return None
    touched.update(node.output)
    bias = inits[node.input[1]]
    node = made.get(node.input[0])
    if node is None or node.op_type != "MatMul" or node.input[1] not in inits:
        return None
    touched.update(node.output)
    return inits[node.input[1]], bias, touched
