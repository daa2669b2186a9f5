"""Where flags sit in the text: stretches to mark inline, sentence ranges, browser (UTF-16) offsets."""
from __future__ import annotations

import re
from dataclasses import dataclass

_BEFORE = re.compile(r"[.!?…]+[\"”’')\]]*\s+|\n")
_AFTER = re.compile(r"[.!?…]+[\"”’')\]]*|\n")


@dataclass(frozen=True)
class Segment:
    """A stretch of the text and the flags (by position in the list given) that cover all of it."""
    text: str
    flags: tuple[int, ...] = ()
    starts: tuple[int, ...] = ()  # the flags that begin here (where their label is shown)


def segments(text: str, flags: list[dict]) -> list[Segment]:
    """Cut the text at every flag boundary; overlapping flags (a concern inside a strength) both show."""
    cuts = sorted({0, len(text)} | {min(max(0, f[k]), len(text)) for f in flags for k in ("start", "end")})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        covering = tuple(i for i, f in enumerate(flags) if f["start"] <= a and b <= f["end"])
        out.append(Segment(text[a:b], covering, tuple(i for i in covering if flags[i]["start"] == a)))
    return out


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or line) around text[start:end], without its surrounding white space."""
    s = 0
    for m in _BEFORE.finditer(text, 0, start):
        s = m.end()
    m = _AFTER.search(text, end)
    e = len(text) if m is None else (m.start() if m.group() == "\n" else m.end())
    while s < start and text[s].isspace():
        s += 1
    while e > end and text[e - 1].isspace():
        e -= 1
    return s, e


def utf16(text: str, index: int) -> int:
    """A Python (code point) offset as the browser counts it (UTF-16 code units)."""
    return index + sum(1 for c in text[:index] if ord(c) > 0xFFFF)
