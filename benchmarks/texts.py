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


def typical(mode: str, words: int = 300) -> tuple[str, str] | None:
    """About `words` words of ordinary text, with where it comes from, or None when unavailable.

    Unlike `text_of` (built from labelled sentences, nearly all of them candidates: the worst case),
    these read like everyday messages: drafts from the story-checklist test set (patients telling
    their story), and doctor turns from MTS-Dialog (ordinary clinical speech, read in place from
    ../shared/benchmarks when it is there; never copied into the project).
    """
    if mode == "draft":
        with open(DATA / "story_drafts.jsonl", encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        # the English drafts of a sentence or more (the set also holds gibberish and a French draft)
        pool = [r["text"] for r in rows if r["id"] not in ("gibberish", "french", "one-word")
                and len(r["text"].split()) >= 8]
        source = "patients' story drafts (tests/data/story_drafts.jsonl)"
    else:
        import csv
        path = ROOT.parent / "shared" / "benchmarks" / "mts_dialog" / "mts_dialog_turns_all.csv"
        if not path.is_file():
            return None
        with open(path, encoding="utf-8", newline="") as fh:
            pool = [row["utterance"] for row in csv.DictReader(fh)
                    if row.get("speaker", "").lower() == "doctor" and len(row.get("utterance", "").split()) >= 6]
        source = "doctors' turns from MTS-Dialog (../shared/benchmarks, read in place)"
    random.Random(f"rehearse-typical-{mode}").shuffle(pool)
    out, n = [], 0
    for text in pool:
        if n >= words:
            break
        out.append(text)
        n += len(text.split())
    return "\n\n".join(out), source
