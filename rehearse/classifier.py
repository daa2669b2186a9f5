"""A second opinion behind the rules: a small sentence model over words and concepts.

The lexicons catch the phrasings they list, and the parse sets aside the negated, quoted,
hypothetical and past ones. A red flag said in other words ("Put the Klonopin in a drawer and
leave it there") slips past any list. This model reads each sentence's words, word pairs and
*concepts* (word classes from `lexicons/concepts.yaml`: STOP, DRUG, NOW, MILD, ...), learned by a
multinomial logistic regression from every lexicon example and the labelled sentences in
`lexicons/training/` (see `rehearse/training.py`, `make model`).

It is cheap (a sparse dot product on the tokenizer's output, no parse) and only *proposes*: a
sentence it scores above its threshold becomes a candidate like a lexicon match, is parsed, and
raises a flag only if the parse finds no negation, rejection, hypothesis, question or past
around the words that drove the score, and the rules did not already flag or set aside that
sentence for the same family. The flag cites the family's evidence from `lexicons/categories.yaml`.

Features (all from NORM, so "can't" is "can not" and "colour" is "color"):
  w=word, s=stem, b=word_word (adjacent), c=CONCEPT, cb=CONCEPT_CONCEPT (adjacent),
  cc=CONCEPT+CONCEPT (anywhere in the sentence), n:... (inside a negation's scope, up to the next
  punctuation or "but"), and sentence marks (question, if-clause, report verb, past, shouting,
  "!!", first word is "you"), each also crossed with the concepts present.
"""
from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import numpy

from .lexicon import CUES, DEFAULT_SUPPRESSORS, REWRITES, SEVERITIES, Entry, LexiconError, key_problems, read_yaml

NEGATORS = {"not", "never", "no", "nobody", "none", "nothing", "neither", "nor", "without", "hardly", "barely"}
SCOPE_END = {",", ";", ":", ".", "!", "?", "but", "—", "–", "-", "(", ")", '"'}
ACRONYMS = {"fda", "asam", "nice", "ptsd", "mri", "ct", "ecg", "ekg", "gp", "er", "ed", "adhd", "ocd", "ssri",
            "snri", "cbt", "dbt", "mg", "mcg", "ml", "bmj", "nhs", "va", "us", "usa", "uk", "otc", "prn", "bid",
            "tid", "qid", "asap", "aka", "faq", "pdf", "md", "np", "pa", "rn", "tv", "pm", "am",
            "icu", "gi", "bp", "ii", "iii", "iv", "gad", "copd", "mat", "ama", "apa", "who", "cdc", "dea",
            "gmc", "ahpra"}


def stem(word: str) -> str:
    """A crude, consistent suffix-stripper: enough to let "stopping" share weight with "stop"."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, keep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            base = word[: len(word) - len(suffix)] + keep
            if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "ls":
                base = base[:-1]  # stopp -> stop
            return base
    return word


class Concepts:
    """word -> concept names, from concepts.yaml plus the medicines table (DRUG)."""

    def __init__(self, table: Mapping[str, Iterable[str]], drugs: Iterable[str] = ()):
        build: dict[str, set[str]] = {}
        for name, words in table.items():
            for w in words:
                for form in {w, stem(w)}:
                    build.setdefault(form, set()).add(name)
        for d in drugs:
            build.setdefault(d.lower(), set()).add("DRUG")
        self.of: dict[str, tuple[str, ...]] = {w: tuple(sorted(c)) for w, c in build.items()}
        self.names = frozenset(table) | {"DRUG", "NUM"}

    @classmethod
    def load(cls, path: Path, drugs: Iterable[str] = ()) -> "Concepts":
        raw = read_yaml(path)
        table = raw.get("concepts") if isinstance(raw, dict) else None
        if not isinstance(table, dict) or not all(
                isinstance(v, list) and all(isinstance(w, str) for w in v) for v in table.values()):
            raise ValueError(f"{path}: expected `concepts:` mapping names to lists of words")
        return cls(table, drugs)

    def __call__(self, word: str) -> tuple[str, ...]:
        return self.of.get(word) or self.of.get(stem(word)) or ()

    def present(self, tokens) -> set[str]:
        """The concepts of the words in `tokens`."""
        out: set[str] = set()
        for t in tokens:
            if t.is_alpha or "-" in t.text:
                out.update(self(t.norm_))
        return out


def _word(tok) -> str:
    if tok.like_num and not tok.is_alpha:
        return "<num>"
    return tok.norm_


ABSOLUTES = {"always", "never", "nothing", "nobody", "everything", "everyone", "every", "none", "anything"}


def _content(toks, p: int) -> bool:
    """A word that says something (not a stop word, or an absolute), or part of a run of "!!" / "?!"."""
    tok = toks[p]
    if tok.is_alpha:
        return not tok.is_stop or tok.lower_ in ABSOLUTES
    loud = set("!?")
    return bool(tok.text) and set(tok.text) <= loud and (
        len(tok.text) >= 2 or any(0 <= q < len(toks) and toks[q].text and set(toks[q].text) <= loud
                                  for q in (p - 1, p + 1)))


def _shouted(tok) -> bool:
    return tok.is_alpha and len(tok) >= 2 and tok.is_upper and tok.lower_ not in ACRONYMS


def features(tokens, concepts: Concepts) -> tuple[list[str], list[tuple[int, ...]]]:
    """Feature names for one sentence, and for each the positions of the tokens it comes from."""
    toks = [t for t in tokens if not t.is_space]
    words = [_word(t) for t in toks]
    cons = [concepts(w) if w != "<num>" else ("NUM",) for w in words]
    feats: list[str] = []
    where: list[tuple[int, ...]] = []

    def add(name: str, *pos: int) -> None:
        feats.append(name)
        where.append(pos)

    negated = False
    for i, (t, w, cs) in enumerate(zip(toks, words, cons)):
        if w in SCOPE_END or (t.is_punct and w not in ("'", "’")):
            negated = False
        prefix = "n:" if negated else ""
        if not t.is_punct:
            add(f"{prefix}w={w}", i)
            s = stem(w)
            if s != w:
                add(f"{prefix}s={s}", i)
            for c in cs:
                add(f"{prefix}c={c}", i)
        if i + 1 < len(toks):
            add(f"b={w}_{words[i + 1]}", i, i + 1)
            for c in cs:
                for d in cons[i + 1]:
                    add(f"cb={c}_{d}", i, i + 1)
        if w in NEGATORS:
            negated = True
    # concepts anywhere in the sentence, in pairs (order-free)
    first_at: dict[str, int] = {}
    for i, cs in enumerate(cons):
        for c in cs:
            first_at.setdefault(c, i)
    present = sorted(first_at)
    for a in range(len(present)):
        for b in range(a + 1, len(present)):
            add(f"cc={present[a]}+{present[b]}", first_at[present[a]], first_at[present[b]])
    # sentence marks, alone and crossed with the concepts present
    marks = []
    if toks and any(t.text == "?" for t in toks[-3:]):
        marks.append("Q")
    if words and words[0] in ("if", "unless", "suppose", "supposing", "assuming", "whether"):
        marks.append("IF")
    if any("REPORT" in cs for cs in cons):
        marks.append("REP")
    shouted = sum(_shouted(t) for t in toks)
    if shouted >= 2 or (shouted == 1 and len([t for t in toks if t.is_alpha]) <= 3):
        marks.append("CAPS")
    if any(t.text.count("!") >= 2 for t in toks) or any(
            t.text == "!" and i + 1 < len(toks) and toks[i + 1].text == "!" for i, t in enumerate(toks)):
        marks.append("BANG")
    alpha = [w for w, t in zip(words, toks) if t.is_alpha]
    if alpha and alpha[0] in ("you", "your"):
        marks.append("YOU1")
    if alpha and alpha[0] in ("i", "my", "we"):
        marks.append("I1")
    for m in marks:
        add(f"m={m}")
        for c in present:
            add(f"m={m}&{c}", first_at[c])
    return feats, where


@dataclass
class Verdict:
    category: str
    probability: float
    evidence: tuple[int, int]   # token positions [start, end) among the sentence's non-space tokens
    peak: int                   # the position that weighs most


class SentenceModel:
    """Scores sentences of one mode; `None` when nothing scores above the model's threshold."""

    def __init__(self, data: dict, concepts: Concepts):
        self.mode = data["mode"]
        self.classes: list[str] = list(data["classes"])
        self.none = self.classes.index("none")
        self.threshold = float(data["threshold"])
        self.bias = numpy.asarray(data["bias"], dtype=numpy.float64)
        names = data["features"]
        self.index = {n: i for i, n in enumerate(names)}
        raw = numpy.frombuffer(base64.b64decode(data["weights_f16"]), dtype="<f2")
        self.weights = raw.astype(numpy.float64).reshape(len(names), len(self.classes))
        self.data_hash = data.get("data_hash")
        self.concepts = concepts

    @classmethod
    def load(cls, path: Path, concepts: Concepts) -> "SentenceModel":
        try:
            with open(path, encoding="utf-8") as fh:
                return cls(json.load(fh), concepts)
        except (KeyError, ValueError, TypeError) as exc:
            raise LexiconError(f"{path.name}: not a sentence model this version can read ({exc!r}); "
                               "run `make model`") from None

    def scores(self, tokens) -> tuple[numpy.ndarray, list[int], list[tuple[int, ...]]]:
        """Class probabilities, and the known features' rows with the token positions behind each.

        As in training, each distinct feature counts once and the vector has unit length.
        """
        feats, where = features(tokens, self.concepts)
        at: dict[str, tuple[int, ...]] = {}
        for f, w in zip(feats, where):
            at[f] = at[f] + w if f in at else w
        rows, pos = [], []
        for f, w in at.items():
            i = self.index.get(f)
            if i is not None:
                rows.append(i)
                pos.append(w)
        scale = 1.0 / math.sqrt(len(at)) if at else 0.0
        logits = self.bias + (self.weights[rows].sum(axis=0) * scale if rows else 0.0)
        logits = logits - logits.max()
        p = numpy.exp(logits)
        return p / p.sum(), rows, pos

    def __call__(self, tokens) -> Verdict | None:
        probs, rows, pos = self.scores(tokens)
        best = int(numpy.argmax(numpy.where(numpy.arange(len(probs)) == self.none, -1.0, probs)))
        if probs[best] < self.threshold:
            return None
        # the words that drove the score: per-token share of (best - none) weight
        share: dict[int, float] = {}
        for r, ps in zip(rows, pos):
            if not ps:
                continue
            gain = (self.weights[r, best] - self.weights[r, self.none]) / len(ps)
            for p in ps:
                share[p] = share.get(p, 0.0) + gain
        top = max(share.values(), default=0.0)
        keep = sorted(p for p, v in share.items() if top > 0 and v >= 0.35 * top)
        toks = [t for t in tokens if not t.is_space]
        # a reading resting on function words alone ("you", "have", "been") points at nothing to show
        # or explain: it is the shape of a sentence, not what it says, so it raises no flag
        if not any(_content(toks, p) for p, v in share.items() if v > 0.1 * top):
            return None
        peak = max(share, key=share.get)
        return Verdict(self.classes[best], float(probs[best]), (keep[0], keep[-1] + 1), peak)


FAMILY_KEYS = ("kinds", "severity", "message", "explanation", "suggestions", "sources")


# A reading at least this sure needs no topic or cue words: "Once this runs out, you're on your
# own" is abandonment even when the drug's name is in another message. Chosen with the gates on the
# held-out and set c numbers against MTS-Dialog doctor turns (0.6% flagged with no gates, 0.2% with
# hard gates and 4 points less accuracy on unseen sentences; 0.4% and 0.5 points less at 0.7).
GATE_WAIVED_AT = 0.7


def confidence_word(probability: float) -> str:
    """How sure the model is, in a word people can weigh (the page and the text report)."""
    return "high" if probability >= 0.9 else "medium" if probability >= GATE_WAIVED_AT else "low"


@dataclass(frozen=True)
class Gate:
    """Words a family needs before the model may raise it: a concept from `topic` anywhere in the
    text (what the conversation is about) and one from `cue` in the sentence itself; waived for a
    reading at least GATE_WAIVED_AT sure."""
    topic: frozenset[str] = frozenset()
    cue: frozenset[str] = frozenset()
    strict: bool = False

    def allows(self, text_concepts: set[str], sentence_concepts: set[str], probability: float) -> bool:
        if probability >= GATE_WAIVED_AT and not self.strict:
            return True
        return (not self.topic or bool(self.topic & text_concepts)) and (
            not self.cue or bool(self.cue & sentence_concepts))


def load_families(path: Path, sources: dict, concepts: "Concepts | None" = None
                  ) -> tuple[dict, dict[str, dict[str, Entry]], dict[str, dict[str, Gate]]]:
    """categories.yaml -> (the raw mapping, {mode: {family: Entry}}, {mode: {family: Gate}}).

    Each family becomes an entry `<mode>.model-<family>` that no pattern matches (the evidence for
    model flags); its suppressors are the mode's defaults less `allow`, as for a lexicon entry.
    """
    raw = read_yaml(path)
    problems: list[str] = []
    out: dict[str, dict[str, Entry]] = {}
    gates: dict[str, dict[str, Gate]] = {}
    known = set(concepts.names) if concepts is not None else set()
    if not isinstance(raw, dict) or set(raw) != {"draft", "reply"}:
        raise LexiconError(f"{path.name}: expected `draft:` and `reply:` mappings of families")
    for mode, fams in raw.items():
        out[mode] = {}
        if not isinstance(fams, dict):
            problems.append(f"{path.name}: {mode}: expected a mapping of families")
            continue
        for fam, spec in fams.items():
            where = f"{path.name}: {mode}.{fam}"
            if not isinstance(spec, dict):
                problems.append(f"{where}: expected a mapping")
                continue
            errs, missing = key_problems(spec, FAMILY_KEYS, ("allow", "rewrite", "topic", "cue", "strict"), where)
            problems += errs
            if missing:
                continue
            bad = [s for s in spec["sources"] if s not in sources]
            if bad or not spec["sources"]:
                problems.append(f"{where}: unknown or missing sources {bad}")
                continue
            if spec["severity"] not in SEVERITIES:
                problems.append(f"{where}: severity must be one of {SEVERITIES}")
            allow = spec.get("allow", [])
            if set(allow) - set(CUES):
                problems.append(f"{where}: allow must list cues from {CUES}")
            rewrite = spec.get("rewrite")
            if rewrite is not None and (rewrite not in REWRITES or mode != "draft"):
                problems.append(f"{where}: rewrite must be one of {REWRITES} (draft only)")
            for key in ("topic", "cue"):
                if not isinstance(spec.get(key, []), list) or set(spec.get(key, [])) - known:
                    problems.append(f"{where}: {key} must list concepts from concepts.yaml "
                                    f"(unknown: {sorted(set(spec.get(key) or []) - known)})")
            if problems:
                continue
            if not isinstance(spec.get("strict", False), bool):
                problems.append(f"{where}: strict must be true or false")
                continue
            gates.setdefault(mode, {})[fam] = Gate(frozenset(spec.get("topic", ())), frozenset(spec.get("cue", ())),
                                                   bool(spec.get("strict", False)))
            out[mode][fam] = Entry(
                id=f"{mode}.model-{fam}", mode=mode, polarity="concern", category=fam,
                severity=spec["severity"], patterns=(), message=spec["message"].strip(),
                explanation=" ".join(spec["explanation"].split()),
                suggestions=tuple(s.strip() for s in spec["suggestions"]),
                sources=tuple(sources[s] for s in spec["sources"]), flag_examples=(), pass_examples=(),
                suppressors=frozenset(set(DEFAULT_SUPPRESSORS[(mode, "concern")]) - set(allow)),
                rewrite=rewrite, file=path.name)
    if problems:
        raise LexiconError("\n".join(problems))
    return raw, out, gates
