"""Benchmark texts, built deterministically from the project's labelled sentences (tests/data/*.jsonl).

Those sentences are realistic patient drafts and prescriber replies, half of them concerns and half
clean traps written to look like concerns: nearly every sentence holds a lexicon candidate, so texts
built from them are the honest worst case for rehearse (most sentences need matching, many a parse).
"""
from __future__ import annotations

import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SIZES = (50, 300, 2000)
PARAGRAPH = 5  # sentences per paragraph ("\n\n" between paragraphs, as in a portal message)


def sentences(mode: str) -> list[str]:
    """Every labelled sentence for the mode, in a fixed shuffled order."""
    rows = []
    for name in (f"dev_{mode}.jsonl", f"holdout_{mode}.jsonl"):
        with open(DATA / name, encoding="utf-8") as fh:
            rows += [json.loads(line)["text"] for line in fh if line.strip()]
    random.Random(f"rehearse-bench-{mode}").shuffle(rows)
    return rows


def _join(parts: list[str]) -> str:
    paras = [" ".join(parts[i:i + PARAGRAPH]) for i in range(0, len(parts), PARAGRAPH)]
    return "\n\n".join(paras)


def text_of(mode: str, words: int, offset: int = 0) -> str:
    """About `words` words (never fewer) of whole sentences, starting at sentence `offset`."""
    pool = sentences(mode)
    out, n, i = [], 0, offset
    while n < words:
        s = pool[i % len(pool)]
        out.append(s)
        n += len(s.split())
        i += 1
    return _join(out)


def messages(mode: str, count: int, seed: int = 0) -> list[str]:
    """`count` short messages of 1-6 consecutive sentences (a batch of portal messages)."""
    pool = sentences(mode)
    rng = random.Random(f"rehearse-batch-{mode}-{seed}")
    out, i = [], 0
    for _ in range(count):
        k = rng.randint(1, 6)
        out.append(_join([pool[(i + j) % len(pool)] for j in range(k)]))
        i += k
    return out
