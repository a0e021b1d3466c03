"""BLEU-1..4, METEOR, ROUGE-L, CIDEr-D and SPICE through pycocoevalcap, the field's standard.

METEOR, SPICE and the PTB tokenizer run on Java. Without Java the Java-free metrics are still
computed, on a close Python imitation of the PTB tokenizer, and the skipped ones are named.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Refs = dict[Any, list[str]]  # image id → reference captions
Hyps = dict[Any, str]  # image id → the model's caption

# the punctuation pycocoevalcap's PTB tokenizer removes
PUNCTUATION = {"''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":",
               "-", "--", "...", ";"}  # fmt: skip


@dataclass
class CocoScores:
    scores: dict[str, float] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # metric → why it was not computed


def java_available() -> bool:
    return shutil.which("java") is not None


def spice_ready() -> bool:
    """SPICE also needs Stanford CoreNLP 3.6.0, which pycocoevalcap downloads on first use."""
    import pycocoevalcap.spice as spice

    return (Path(spice.__file__).parent / "lib" / "stanford-corenlp-3.6.0.jar").is_file()


def fetch_spice_models() -> None:
    """Download Stanford CoreNLP for SPICE (about 400 MB; needs the internet)."""
    from pycocoevalcap.spice.get_stanford_models import get_stanford_models

    get_stanford_models()


def coco_scores(refs: Refs, hyps: Hyps, spice: bool = True) -> CocoScores:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge

    ids = [i for i in hyps if refs.get(i)]
    result = CocoScores()
    if not ids:
        result.skipped = {
            m: "no reference captions" for m in ("BLEU", "METEOR", "ROUGE-L", "CIDEr-D", "SPICE")
        }
        return result
    gts, res = _tokenize({i: refs[i] for i in ids}, {i: [hyps[i]] for i in ids})
    bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
    result.scores.update({f"BLEU-{n + 1}": float(b) for n, b in enumerate(bleu)})
    result.scores["ROUGE-L"] = float(Rouge().compute_score(gts, res)[0])
    result.scores["CIDEr-D"] = float(Cider().compute_score(gts, res)[0])
    if not java_available():
        why = "needs Java (install a Java runtime, e.g. Debian's default-jre-headless)"
        result.skipped.update({"METEOR": why, "SPICE": why})
        return result
    from pycocoevalcap.meteor.meteor import Meteor

    meteor = Meteor()
    try:
        result.scores["METEOR"] = float(meteor.compute_score(gts, res)[0])
    finally:
        _end(meteor.meteor_p)
    if not spice:
        result.skipped["SPICE"] = "not asked for"
    elif not spice_ready():
        result.skipped["SPICE"] = (
            "needs Stanford CoreNLP 3.6.0 (fetch it once with `vocalens evaluate --fetch-spice`)"
        )
    else:
        from pycocoevalcap.spice.spice import Spice

        result.scores["SPICE"] = float(Spice().compute_score(gts, res)[0])
    return result


def _tokenize(gts: dict[Any, list[str]], res: dict[Any, list[str]]) -> tuple[Refs, Refs]:
    if java_available():
        from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

        tok = PTBTokenizer()
        wrap = lambda d: {k: [{"caption": c} for c in v] for k, v in d.items()}  # noqa: E731
        return tok.tokenize(wrap(gts)), tok.tokenize(wrap(res))
    return (
        {k: [simple_tokenize(c) for c in v] for k, v in gts.items()},
        {k: [simple_tokenize(c) for c in v] for k, v in res.items()},
    )


def simple_tokenize(text: str) -> str:
    """Lower case, punctuation dropped, clitics split off as the PTB tokenizer does."""
    text = re.sub(r"(\w)('s|'re|'ve|'ll|'d|n't|'m)\b", r"\1 \2", text.lower())
    tokens = re.findall(r"[\w']+|[^\w\s]+", text)
    return " ".join(t for t in tokens if t not in PUNCTUATION)


def _end(java: subprocess.Popen[bytes]) -> None:
    """Stop METEOR's Java process and close its pipes (pycocoevalcap leaves them open)."""
    java.kill()
    java.communicate()
