"""Lexicon matching on tokens only, pruned by anchors so the cost barely grows with the lexicon.

spaCy's Matcher walks every pattern over every token, so its cost grows with the number of
patterns. Here each token pattern gets its own small Matcher, and its *anchors* (the NORM values
that a required token must take) are indexed: a sentence runs only the patterns whose anchors
all occur in it. Phrase patterns go to one PhraseMatcher, whose cost barely grows with size.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable

from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

_QUANT = re.compile(r"^\{(\d*),?(\d*)\}$")


def _required(op) -> bool:
    if op in (None, "1", "+"):
        return True
    m = _QUANT.match(str(op))
    return bool(m and m.group(1) and int(m.group(1)) >= 1)


def anchors(pattern: Iterable[dict]) -> list[frozenset[str]]:
    """The NORM value sets that the pattern's required tokens must take (one set per token)."""
    out = []
    for tok in pattern:
        if not _required(tok.get("OP")):
            continue
        norm = tok.get("NORM")
        if isinstance(norm, str):
            out.append(frozenset([norm]))
        elif isinstance(norm, dict) and set(norm) == {"IN"}:
            out.append(frozenset(norm["IN"]))
    return out


class LexiconMatcher:
    """Finds (entry id, start, end) token matches for a set of lexicon entries."""

    def __init__(self, nlp, entries):
        self.vocab = nlp.vocab
        stop = nlp.Defaults.stop_words
        self.phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        self.patterns: list[tuple[str, Matcher, list[frozenset[str]]]] = []
        self.index: dict[str, list[int]] = defaultdict(list)
        self.always: list[int] = []
        for entry in entries:
            strings = [p for p in entry.patterns if isinstance(p, str)]
            if strings:
                self.phrases.add(entry.id, [nlp.make_doc(s) for s in strings])
            for pattern in entry.patterns:
                if isinstance(pattern, str):
                    continue
                matcher = Matcher(nlp.vocab, validate=True)
                matcher.add(entry.id, [list(pattern)])
                need = anchors(pattern)
                n = len(self.patterns)
                self.patterns.append((entry.id, matcher, need))
                if not need:
                    self.always.append(n)
                    continue
                # index the most selective anchor: no stop words if possible, then the smallest
                key = min(need, key=lambda a: (any(w in stop for w in a), len(a)))
                for word in key:
                    self.index[word].append(n)

    def __call__(self, doc: Doc, sents=None) -> list[tuple[str, int, int]]:
        """Matches as (entry id, start, end); `sents` may pass the doc's sentences if already listed."""
        found = [(self.vocab.strings[m], s, e) for m, s, e in self.phrases(doc)] if len(self.phrases) else []
        for sent in (doc.sents if sents is None else sents):
            norms = {t.norm_ for t in sent}
            todo = set(self.always)
            for word in norms:
                todo.update(self.index.get(word, ()))
            for n in sorted(todo):
                eid, matcher, need = self.patterns[n]
                if all(not a.isdisjoint(norms) for a in need):
                    found.extend((eid, sent.start + s, sent.start + e) for _, s, e in matcher(sent))
        return found
