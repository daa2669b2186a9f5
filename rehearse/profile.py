"""Prescriber profile: a reading of one reply on the five aspects of the second seed's table
(main goal, time horizon, view of dependence, taper knowledge, non-drug tools), each as
prescribing-focused, deprescribing-focused or unknown, with the reply's own words as evidence.

A reading of this reply, never a verdict on the person who wrote it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .lexicon import KEBAB, LexiconError, read_yaml
from .pipeline import text_of

ASPECTS = ("main_goal", "time_horizon", "view_of_dependence", "taper_knowledge", "non_drug_tools")
READINGS = ("prescribing", "deprescribing")
CANCELLING = {"negated", "hypothetical", "question", "reported", "quoted", "historical"}
WEIGHT = {"high": 2, "medium": 1, "low": 1}


@dataclass(frozen=True)
class Aspect:
    id: str
    label: str
    prescribing: str
    deprescribing: str


@dataclass(frozen=True)
class Cue:
    id: str
    aspect: str
    reading: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class ProfileData:
    aspects: tuple[Aspect, ...]
    categories: dict[str, tuple[str, ...]]
    rules: dict[str, tuple[str, ...]]
    cues: tuple[Cue, ...]


def load_profile(path: Path) -> ProfileData:
    """Read and validate `lexicons/profile.yaml`; all problems at once, naming the file and entry."""
    path = Path(path)
    name = path.name
    data = read_yaml(path)
    problems: list[str] = []
    if not isinstance(data, dict) or set(data) != {"aspects", "from_flags", "cues"}:
        raise LexiconError(f"{name}: expected exactly the top-level keys aspects, from_flags and cues")
    aspects = []
    raw_aspects = data["aspects"] if isinstance(data["aspects"], dict) else {}
    if list(raw_aspects) != list(ASPECTS):
        problems.append(f"{name}: aspects must be {', '.join(ASPECTS)}, in that order")
    for aid, raw in raw_aspects.items():
        where = f"{name}: aspect {aid!r}"
        if not isinstance(raw, dict) or set(raw) != {"label", "prescribing", "deprescribing"} or not all(
                isinstance(v, str) and v.strip() for v in raw.values()):
            problems.append(f"{where}: expected non-empty label, prescribing and deprescribing")
            continue
        aspects.append(Aspect(aid, raw["label"], raw["prescribing"], raw["deprescribing"]))
    maps: dict[str, dict[str, tuple[str, ...]]] = {"categories": {}, "rules": {}}
    ff = data["from_flags"]
    if not isinstance(ff, dict) or not set(ff) <= {"categories", "rules"}:
        problems.append(f"{name}: from_flags may hold only categories and rules")
        ff = {}
    for kind in ("categories", "rules"):
        for key, targets in (ff.get(kind) or {}).items():
            where = f"{name}: from_flags.{kind} {key!r}"
            if not isinstance(targets, list) or not targets or not all(t in ASPECTS for t in targets):
                problems.append(f"{where}: expected a list of aspects from {', '.join(ASPECTS)}")
                continue
            maps[kind][str(key)] = tuple(targets)
    cues, seen = [], set()
    if not isinstance(data["cues"], list):
        problems.append(f"{name}: cues must be a list")
    for n, raw in enumerate(data["cues"] if isinstance(data["cues"], list) else [], 1):
        label = raw.get("id", f"#{n}") if isinstance(raw, dict) else f"#{n}"
        where = f"{name}: cue {label!r}"
        if not isinstance(raw, dict) or set(raw) != {"id", "aspect", "reading", "phrases"}:
            problems.append(f"{where}: expected exactly id, aspect, reading and phrases")
            continue
        if not isinstance(raw["id"], str) or not KEBAB.match(raw["id"]) or raw["id"] in seen:
            problems.append(f"{where}: id must be unique and kebab-case")
        seen.add(raw["id"])
        if raw["aspect"] not in ASPECTS:
            problems.append(f"{where}: aspect must be one of {', '.join(ASPECTS)}")
        if raw["reading"] not in READINGS:
            problems.append(f"{where}: reading must be prescribing or deprescribing")
        phrases = raw["phrases"]
        if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
            problems.append(f"{where}: phrases must be a non-empty list of strings")
            continue
        cues.append(Cue(raw["id"], raw["aspect"], raw["reading"], tuple(phrases)))
    if problems:
        raise LexiconError(f"{len(problems)} problem(s) in {name}:\n" + "\n".join(problems))
    return ProfileData(tuple(aspects), maps["categories"], maps["rules"], tuple(cues))


@dataclass(frozen=True)
class CueMatch:
    cue: Cue
    span: Span
    sent: Span


class ProfileReader:
    """Matches the cue phrases on the tokenised Doc and combines them with flags and the plan."""

    def __init__(self, nlp, path: Path):
        self.data = load_profile(path)
        self.by_key = {c.id: c for c in self.data.cues}
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        for cue in self.data.cues:
            self.matcher.add(cue.id, [nlp.make_doc(p) for p in cue.phrases])

    def matches(self, doc: Doc) -> list[CueMatch]:
        spans = [Span(doc, s, e, label=mid) for mid, s, e in self.matcher(doc)]
        out = []
        for span in filter_spans(spans):
            out.append(CueMatch(self.by_key[span.label_], span, doc[span.start].sent))
        return out

    def read(self, doc: Doc, flags: list[dict], plan: dict, matches: list[CueMatch],
             cues_for: Callable[..., set[str]]) -> dict:
        votes: dict[str, list[dict]] = {a: [] for a in ASPECTS}

        def vote(aspect, reading, weight, start, end, source):
            votes[aspect].append({"reading": reading, "weight": weight, "start": start, "end": end,
                                  "text": text_of(doc)[start:end], "from": source})

        for f in flags:
            aspects = self.data.rules.get(f["rule"]) or self.data.categories.get(f["category"], ())
            reading = "prescribing" if f["polarity"] == "concern" else "deprescribing"
            for a in aspects:
                vote(a, reading, WEIGHT.get(f["severity"], 1), f["start"], f["end"], f"flag {f['rule']}")
        if plan.get("found") and plan.get("too_fast") is not None and plan.get("evidence"):
            ev = plan["evidence"]
            start, end = ev[0]["start"], ev[-1]["end"]
            if plan["too_fast"]:
                for a in ("time_horizon", "taper_knowledge"):
                    vote(a, "prescribing", 2, start, end, "taper plan faster than the guideline")
            elif plan.get("pace") == "within":
                for a in ("time_horizon", "taper_knowledge"):
                    vote(a, "deprescribing", 2, start, end, "taper plan within the guideline")
        for m in matches:
            if cues_for(m.sent, m.span.start, m.span.end) & CANCELLING:
                continue
            s, e = m.span.start_char, m.span.end_char
            # a cue inside a flag already counted for that aspect adds nothing new
            if any(v["start"] <= s and e <= v["end"] for v in votes[m.cue.aspect]):
                continue
            vote(m.cue.aspect, m.cue.reading, 1, s, e, f"cue {m.cue.id}")
        aspects = []
        for a in self.data.aspects:
            vs = sorted(votes[a.id], key=lambda v: v["start"])
            score = {r: sum(v["weight"] for v in vs if v["reading"] == r) for r in READINGS}
            if score["prescribing"] == score["deprescribing"]:   # no votes, or a tie
                reading = "unknown"
            else:
                reading = max(READINGS, key=lambda r: score[r])
            # quote each stretch of the reply once: a phrase inside a longer quoted one adds nothing
            evidence, kept = [], []
            for v in sorted(vs, key=lambda v: (v["start"], -(v["end"] - v["start"]))):
                if any(k["start"] <= v["start"] and v["end"] <= k["end"] for k in kept):
                    continue
                kept.append(v)
                if v["text"] not in evidence:
                    evidence.append(v["text"])
            aspects.append({
                "id": a.id, "label": a.label, "reading": reading, "evidence": evidence,
                "mixed": bool(score["prescribing"] and score["deprescribing"]),
                "meaning": getattr(a, reading) if reading != "unknown" else "",
                "spans": list({(v["start"], v["end"], v["reading"]): {k: v[k] for k in ("start", "end", "text", "reading")}
                               for v in vs}.values()),
            })
        return {"aspects": aspects, "overall": overall(aspects)}


def _names(aspects: list[dict]) -> str:
    names = [a["label"].lower() for a in aspects]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def overall(aspects: list[dict]) -> str:
    """A plain-words reading of this reply (never a verdict on the person)."""
    pres = [a for a in aspects if a["reading"] == "prescribing"]
    dep = [a for a in aspects if a["reading"] == "deprescribing"]
    mixed = [a for a in aspects if a["reading"] == "unknown" and a["mixed"]]
    unclear = [a for a in aspects if a["reading"] == "unknown" and not a["mixed"]]
    note = ("This is a reading of these words only, not a judgement of your prescriber: a short or rushed "
            "message can sound different from what they would say in a conversation.")
    if not pres and not dep:
        head = ("This reply says too little to place it on the table's aspects."
                if not mixed else "This reply sends mixed signals, so no aspect leans either way.")
        return f"{head} Asking how they usually handle tapering could tell you more. {note}"
    parts = []
    if dep and not pres:
        parts.append(f"This reply reads as deprescribing-focused on {_names(dep)}.")
    elif pres and not dep:
        parts.append(f"This reply reads as prescribing-focused on {_names(pres)}.")
    else:
        lean = ("leans prescribing-focused" if len(pres) > len(dep) else
                "leans deprescribing-focused" if len(dep) > len(pres) else "is mixed")
        parts.append(f"This reply {lean}: prescribing-focused on {_names(pres)}, "
                     f"deprescribing-focused on {_names(dep)}.")
    if mixed:
        parts.append(f"It points both ways on {_names(mixed)}.")
    if unclear:
        parts.append(f"It says nothing clear about {_names(unclear)}.")
    if pres:
        parts.append("The red flags above come with calm replies you could use.")
    parts.append(note)
    return " ".join(parts)
