"""The story checklist and concision for drafts: which of the first seed's six story elements a draft covers.

An entity layer of spaCy matchers on the tokenised text (no NER, no parse) labels DRUG, DOSE,
DURATION and SYMPTOM, plus the cue vocabularies of `lexicons/story.yaml`. Only sentences whose
reading depends on grammar are parsed, reusing the engine's parser: who wants the taper ("my doctor
wants me to taper fast" is not the patient's wish) and whether an attempt to stop is the person's own
past ("I tried to stop in 2020") rather than a fear, a question or hearsay ("if I stopped, I'd ...").
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from . import context, pipeline
from .lexicon import LexiconError, key_problems, read_yaml
from .medicines import Medicines, medicines
from .resources import data_dir

ELEMENT_IDS = ("duration_dose", "reason_prescribed", "past_attempts", "reason_now", "experience", "taper_wish")
AREAS = ("physical", "mental", "emotional")
PACE_KEYS = ("speaking_wpm", "reading_wpm", "target_words", "long_sentence_words")
# vocabulary key -> entity label (symptoms and word sets are handled apart)
PHRASE_LABELS = {
    "drug_classes": "DRUG", "durations": "DURATION", "use": "USE", "prescribed": "PRESCRIBED",
    "conditions": "CONDITION", "attempts": "ATTEMPT", "attempts_ambiguous": "ATTEMPT_AMBIG",
    "attempts_none": "ATTEMPT_NONE", "outcomes": "OUTCOME", "reasons_now": "REASON",
    "reasons_now_weak": "REASON_WEAK", "reason_cues": "REASON_CUE", "intent": "INTENT", "taper": "TAPER",
    "wish": "WISH", "methods": "METHOD",
}
WORD_SETS = ("reason_connectors", "clinicians")
VOCAB_KEYS = (*PHRASE_LABELS, *WORD_SETS, "symptoms")

NEGATORS = {"no", "not", "never", "without", "none", "nothing", "nor", "neither"}
# words just before a symptom that make it feared or avoided, not experienced
FEARED = {"afraid", "fear", "fears", "risk", "risks", "avoid", "avoiding", "prevent", "worried", "worry",
          "scared", "might", "may", "chance", "danger", "dangers", "cause", "causes"}
# words before a duration's number that make it a frequency or a future date ("every 2 weeks", "in 2 weeks")
NOT_DURATION = {"every", "per", "each", "times", "twice", "once", "a", "an", "in", "within", "next", "by"}
APPROX = {"about", "around", "nearly", "almost", "over", "roughly", "approximately", "approx", "more", "than",
          "at", "least", "close", "to", "just", "the", "past", "last", "previous", "well", "some", "under",
          "less", "only", "still", "already"}
# a sentence holding one of these gets parsed before an attempt in it counts
ATTEMPT_DOUBT = {"if", "unless", "whether", "would", "could", "might", "should", "afraid", "scared", "worried",
                 "fear", "read", "heard", "hear", "people", "others", "someone", "anyone", "many", "patients",
                 "say", "said", "says", "told", "tell", "?", "want", "wants", "plan", "hope", "will", "'ll"}
# a sentence with a symptom and one of these gets parsed: the symptom may be feared or someone else's
SYMPTOM_DOUBT = {"if", "unless", "would", "could", "might", "may", "will", "'ll", "can", "people", "others",
                 "someone", "read", "heard", "risk", "cause", "causes", "?"}
# a sentence with a reason and one of these gets parsed: the reason may be someone else's claim
REASON_DOUBT = {"say", "says", "said", "tell", "tells", "told", "think", "thinks", "claim", "claims", "claimed",
                "believe", "believes", "insist", "insists", "insisted", "if", "unless", "?"}
START_WORDS = {"started", "start", "began", "begin", "put", "first"}
MODALS = {"would", "could", "might", "may", "will", "'ll", "can", "should", "must"}
FIRST_SUBJECT = {"i", "we", "my", "our"}
RAISED = {"me", "us"}  # "wants me to taper": the wish is the governing subject's
SECOND = {"you", "your", "yourself"}
REQUEST_VERBS = {"help", "support", "consider", "agree", "allow", "let", "work", "write", "prescribe", "approve",
                 "guide", "monitor", "be", "discuss", "talk", "go"}
GENERIC_OTHERS = {"people", "others", "someone", "anyone", "everyone", "many", "most", "patients", "somebody"}
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"]
GLUED = (("DOSE", re.compile(r"^\d+(?:[.,]\d+)?(?:mg|mgs|mcg|µg|ug|ml)$")),
         ("DURATION", re.compile(r"^\d+(?:yrs?|years?|months?|mos?|wks?|weeks?|days?)$")),
         ("METHOD", re.compile(r"^\d+(?:\.\d+)?(?:%|percent)$")))
_ALT = re.compile(r"\{([^{}]*)\}")
_WORD = re.compile(r"[^\W_]+(?:[-'’.,/%][^\W_]+)*%?")


# What a partly covered element still needs (shown beside the sentence that covers the rest).
NOTES = {
    "dose_only": "You give the dose; add how long you have taken it.",
    "duration_only": "{what}; add the dose (for example 0.5 mg twice a day).",
    "drug_only": "You name {drug}; add the dose and how long you have taken it.",
    "class_only": "You mention the medicine; name it, and add the dose and how long you have taken it.",
    "unnamed": "Name the medicine too, so the dose is clear.",
    "prescribed_only": "You say it was prescribed; add what for.",
    "attempt_only": "You mention an earlier attempt; add briefly how it went.",
    "wish_without_why": "You say you want to taper; add why now, even in a few words.",
    "wish_without_how": "You say you would like to taper; add how: the pace, the size of the steps, holds when needed.",
}


# ---- data ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Element:
    id: str
    label: str
    prompt: str


@dataclass(frozen=True)
class Pace:
    speaking_wpm: float
    reading_wpm: float
    target_words: int
    long_sentence_words: int


@dataclass(frozen=True)
class StoryData:
    pace: Pace
    elements: tuple[Element, ...]
    dose_units: frozenset[str]
    time_units: frozenset[str]
    phrases: dict  # label -> tuple of (entity id, phrase)
    connectors: frozenset[str]
    clinicians: frozenset[str]


def expand(phrase: str) -> list[str]:
    """`{a|b|}` alternatives, expanded: "{tried|attempted} {to |}stop" -> four phrases."""
    m = _ALT.search(phrase)
    if not m:
        return [" ".join(phrase.split())]
    out: list[str] = []
    for alt in m.group(1).split("|"):
        out.extend(expand(phrase[:m.start()] + alt + phrase[m.end():]))
    return [p for p in out if p]


def _phrase_list(value, where: str, problems: list[str]) -> list[str]:
    if not (isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value)):
        problems.append(f"{where}: expected a non-empty list of phrases")
        return []
    for v in value:
        if v.count("{") != v.count("}") or "{" in _ALT.sub("", v) or "}" in _ALT.sub("", v):
            problems.append(f"{where}: unbalanced braces in {v!r}")
            return []
    return value


def load_story(path: Path | None = None) -> StoryData:
    """Read and validate `story.yaml`; every problem is reported at once, naming the file and key."""
    path = Path(path) if path is not None else data_dir("lexicons") / "story.yaml"
    name = path.name
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise LexiconError(f"{name}: expected a mapping with pace, elements, units and vocabulary")
    problems, missing = key_problems(data, ("pace", "elements", "units", "vocabulary"), (), name)
    if missing:
        raise LexiconError("\n".join(problems))

    pace_raw = data["pace"] if isinstance(data["pace"], dict) else {}
    if not isinstance(data["pace"], dict) or set(pace_raw) != set(PACE_KEYS):
        problems.append(f"{name}: pace: expected exactly the keys {list(PACE_KEYS)}")
    for key in PACE_KEYS:
        value = pace_raw.get(key)
        if key in pace_raw and not (isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0):
            problems.append(f"{name}: pace.{key}: expected a positive number")

    elements: list[Element] = []
    raw_elements = data["elements"]
    if not isinstance(raw_elements, dict) or list(raw_elements) != list(ELEMENT_IDS):
        problems.append(f"{name}: elements: expected exactly {list(ELEMENT_IDS)}, in that order")
    else:
        for eid, raw in raw_elements.items():
            if not isinstance(raw, dict) or set(raw) != {"label", "prompt"} or not all(
                    isinstance(raw[k], str) and raw[k].strip() for k in raw):
                problems.append(f"{name}: elements.{eid}: expected a label and a prompt (text)")
                continue
            elements.append(Element(eid, raw["label"].strip(), raw["prompt"].strip()))

    units = data["units"] if isinstance(data["units"], dict) else {}
    if set(units) != {"dose", "time"}:
        problems.append(f"{name}: units: expected exactly the keys ['dose', 'time']")
    for key in ("dose", "time"):
        if key in units:
            _phrase_list(units[key], f"{name}: units.{key}", problems)

    vocab = data["vocabulary"] if isinstance(data["vocabulary"], dict) else {}
    if not isinstance(data["vocabulary"], dict):
        problems.append(f"{name}: vocabulary: expected a mapping")
    vocab_errs, _missing = key_problems(vocab, VOCAB_KEYS, (), f"{name}: vocabulary")
    problems += vocab_errs if vocab else []   # an empty or wrong-typed vocabulary is reported above
    phrases: dict[str, list] = {}
    for key, label in PHRASE_LABELS.items():
        for p in _phrase_list(vocab.get(key), f"{name}: vocabulary.{key}", problems) if key in vocab else ():
            phrases.setdefault(label, []).extend((key, x) for x in expand(p))
    words = {key: _phrase_list(vocab.get(key), f"{name}: vocabulary.{key}", problems) if key in vocab else []
             for key in WORD_SETS}
    symptoms = vocab.get("symptoms")
    if "symptoms" in vocab:
        if not isinstance(symptoms, dict) or set(symptoms) != set(AREAS):
            problems.append(f"{name}: vocabulary.symptoms: expected exactly the areas {list(AREAS)}")
        else:
            for area in AREAS:
                for p in _phrase_list(symptoms[area], f"{name}: vocabulary.symptoms.{area}", problems):
                    phrases.setdefault("SYMPTOM", []).extend((area, x) for x in expand(p))
    if problems:
        raise LexiconError("\n".join(problems))
    return StoryData(
        pace=Pace(*(pace_raw[k] for k in PACE_KEYS)),
        elements=tuple(elements),
        dose_units=frozenset(u.lower() for u in units["dose"]),
        time_units=frozenset(u.lower() for u in units["time"]),
        phrases={label: tuple(items) for label, items in phrases.items()},
        connectors=frozenset(w.lower() for w in words["reason_connectors"]),
        clinicians=frozenset(w.lower() for w in words["clinicians"]),
    )


# ---- the entity layer -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ent:
    label: str  # DRUG, DOSE, DURATION, SYMPTOM, or a cue label (USE, TAPER, ...)
    id: str     # DRUG: the generic name or "class"; SYMPTOM: the area; others: the kind of match
    start: int  # token indices in the doc
    end: int


class Entities:
    """Rule-based entities on the tokenised doc: a PhraseMatcher on NORM plus a few token patterns."""

    def __init__(self, nlp, data: StoryData, meds: Medicines):
        self.phrases = PhraseMatcher(nlp.vocab, attr="NORM")
        groups: dict[str, list[str]] = {}
        for label, items in data.phrases.items():
            for eid, phrase in items:
                groups.setdefault(f"{label}|{eid}", []).append(phrase)
        for name, generic in meds.names.items():
            groups.setdefault(f"DRUG|{generic or 'class'}", []).append(name)
        for key, texts in groups.items():
            self.phrases.add(key, [nlp.make_doc(t) for t in dict.fromkeys(texts)])
        self.tokens = Matcher(nlp.vocab, validate=True)
        num = {"LIKE_NUM": True}
        dose = {"LOWER": {"IN": sorted(data.dose_units)}}
        time = {"LOWER": {"IN": sorted(data.time_units)}}
        year = {"SHAPE": "dddd"}
        month = {"LOWER": {"IN": MONTHS}}
        self.tokens.add("DOSE|num", [[num, dose], [num, {"ORTH": "-"}, dose],
                                     [{"LOWER": {"IN": ["half", "quarter", "third", "halves", "quarters"]}},
                                      {"LOWER": "of", "OP": "?"},
                                      {"LOWER": {"IN": ["a", "an", "one", "my", "the", "her", "his"]}, "OP": "?"},
                                      dose]])
        self.tokens.add("DURATION|num", [[num, time], [num, {"ORTH": "-"}, time],
                                         [num, {"LOWER": "and"}, {"LOWER": "a"}, {"LOWER": "half"}, time]])
        self.tokens.add("DURATION|a", [[{"LOWER": {"IN": ["a", "an", "one"]}}, time]])
        self.tokens.add("DURATION|few", [[{"LOWER": {"IN": ["few", "couple", "several", "many", "number"]}},
                                          {"LOWER": "of", "OP": "?"}, time]])
        self.tokens.add("DURATION|since", [[{"LOWER": "since"}, year], [{"LOWER": "since"}, month]])
        self.tokens.add("DURATION|year", [[{"LOWER": "in"}, year], [{"LOWER": "in"}, month, year]])
        self.tokens.add("METHOD|percent", [[num, {"ORTH": "%"}], [num, {"LOWER": "percent"}],
                                           [num, {"LOWER": "per"}, {"LOWER": "cent"}]])
        self.strings = nlp.vocab.strings

    def __call__(self, doc: Doc) -> list[Ent]:
        seen, out = set(), []
        for match_id, start, end in [*self.phrases(doc), *self.tokens(doc)]:
            label, eid = self.strings[match_id].split("|", 1)
            if label == "DOSE" and not _plausible_dose(doc[start]):
                continue
            if (label, start, end) not in seen:
                seen.add((label, start, end))
                out.append(Ent(label, eid, start, end))
        for tok in doc:  # numbers glued to a unit ("10mg/day", "6yrs", "10percent") stay one token
            if tok.text[:1].isdigit() and not tok.like_num:
                for label, rx in GLUED:
                    if rx.match(tok.lower_) and (label, tok.i, tok.i + 1) not in seen \
                            and (label != "DOSE" or _plausible_dose(tok)):
                        out.append(Ent(label, "num" if label != "METHOD" else "percent", tok.i, tok.i + 1))
        out.sort(key=lambda e: (e.start, -e.end))
        return out


# ---- per sentence -------------------------------------------------------------------------------

@dataclass
class _Sent:
    span: Span
    ents: list[Ent] = field(default_factory=list)
    doses: list[Ent] = field(default_factory=list)
    durations: list[Ent] = field(default_factory=list)
    symptoms: list[Ent] = field(default_factory=list)
    reasons: list[Ent] = field(default_factory=list)       # connected conditions (why prescribed)
    attempts: list[Ent] = field(default_factory=list)      # attempts that hold after the parse
    attempt_none: bool = False
    future_taper: bool = False  # a wish to taper (and not about taking it): its numbers are plans
    why_now: list[Ent] = field(default_factory=list)       # reasons to taper now, after the checks

    def of(self, *labels: str) -> list[Ent]:
        return [e for e in self.ents if e.label in labels]

    def has(self, *labels: str) -> bool:
        return any(e.label in labels for e in self.ents)

    @property
    def start(self) -> int:
        return self.span.start


class StoryChecker:
    """Built once per process (in the Analyzer); `check` is safe to call from threads."""

    def __init__(self, nlp, parser: pipeline.Parser, data: StoryData | None = None,
                 meds: Medicines | None = None):
        self.data = data or load_story()
        self.meds = meds or medicines()
        self.entities = Entities(nlp, self.data, self.meds)
        self.parser = parser
        self.elements = {e.id: e for e in self.data.elements}

    # ---- public ---------------------------------------------------------------------------------
    def check(self, doc: Doc, parsed: dict[int, Doc] | None = None, prepared: tuple | None = None) -> dict:
        """The story section for one tokenised, sentence-split draft (see CONTRACT.md).

        `prepared` is what `prepare(doc)` returned, when the caller has already parsed the sentences
        it asked for (the analyser parses everything a text needs in one batch)."""
        if prepared is None:   # standalone: parse what prepare() asks for here
            sents, wanted = self.prepare(doc)
            parsed = self._parse(wanted, dict(parsed or {}))
        else:
            sents, _wanted = prepared
            parsed = parsed or {}
        spans = [s.span for s in sents]
        for s in sents:
            self._check_attempts(s, parsed.get(s.start))
            self._check_symptoms(s, parsed.get(s.start))
            self._check_reasons(doc, s, parsed.get(s.start))
        elements = [
            self._duration_dose(doc, sents),
            self._reason_prescribed(doc, sents),
            self._past_attempts(doc, sents),
            self._reason_now(doc, sents),
            self._experience(doc, sents),
            self._taper_wish(doc, sents, parsed),
        ]
        return {"elements": elements, **self._concision(doc, spans)}

    def prepare(self, doc: Doc) -> tuple[list, list[Span]]:
        """Read every sentence without the parse; return that reading and the sentences to parse."""
        spans = list(doc.sents)
        sents = [_Sent(s) for s in spans]
        starts = [s.start for s in spans]
        for ent in self.entities(doc) if len(doc) else ():
            sents[bisect_right(starts, ent.start) - 1].ents.append(ent)
        for s in sents:
            self._read(doc, s)
        return sents, [s.span for s in sents if self._needs_parse(s)]

    # ---- reading each sentence (no parse) -------------------------------------------------------
    def _read(self, doc: Doc, s: _Sent) -> None:
        s.ents = [e for e in s.ents if e.label != "PRESCRIBED" or _prescribes(doc, s, e)]
        s.future_taper = s.has("WISH", "INTENT") and s.has("TAPER", "INTENT") and not s.has("USE")
        attempt_said = s.has("ATTEMPT", "ATTEMPT_AMBIG")
        if not s.future_taper:
            s.doses = s.of("DOSE")
            for drug in s.of("DRUG"):  # "Xanax 0.25 twice daily": a bare number after the name
                nxt = doc[drug.end] if drug.end < s.span.end else None
                if nxt is not None and nxt.like_num and not _is_year(nxt) and _number(nxt) is not None \
                        and 0 < _number(nxt) <= 100 and not any(d.start == drug.end for d in s.doses):
                    s.doses.append(Ent("DOSE", "after-name", drug.end, drug.end + 1))
            about_use = s.has("USE") or s.has("DRUG") or bool(s.doses)
            if about_use and (s.has("USE") or not attempt_said):
                s.durations = [d for d in s.of("DURATION") if self._is_duration(doc, s, d)]
        conditions = [c for c in s.of("CONDITION") if self._connected(doc, s, c)]
        if conditions and (s.has("PRESCRIBED", "USE", "DRUG")):
            s.reasons = conditions
        reason_tokens = {i for c in s.reasons for i in range(c.start, c.end)}
        s.symptoms = [e for e in s.of("SYMPTOM")
                      if not (reason_tokens & set(range(e.start, e.end)))
                      and not _before(doc, s, e, NEGATORS, 3) and not _before(doc, s, e, FEARED, 3)]

    def _is_duration(self, doc: Doc, s: _Sent, d: Ent) -> bool:
        if d.id == "year":  # "prescribed in 2015", "started it in 2015" (not "cut my dose in 2019")
            started = s.has("PRESCRIBED") or any(doc[e.start].lower_ in START_WORDS for e in s.of("USE"))
            return started and _is_year(doc[d.end - 1])
        if d.id not in ("num", "a", "few"):
            return True
        if d.end < s.span.end and doc[d.end].lower_ in ("old", "later"):
            return False  # "a 6 year old", "two weeks later"
        i, skipped = d.start - 1, set()
        if d.id == "few" and i >= s.span.start and doc[i].lower_ == "a":
            i -= 1  # "a few years"
        while i >= s.span.start and doc[i].lower_ in APPROX:
            skipped.add(doc[i].lower_)
            i -= 1
        prev = doc[i].lower_ if i >= s.span.start else ""
        nxt = doc[d.end].lower_ if d.end < s.span.end else ""
        if skipped & {"past", "last", "previous"} or nxt == "ago":
            return True
        if d.id == "a":
            vague = {"the", "to", "at", "least", "just", "well", "than"}
            return bool(skipped - vague) or prev in ("for", "over", "since")
        return prev not in NOT_DURATION

    def _connected(self, doc: Doc, s: _Sent, c: Ent) -> bool:
        lo = max(s.span.start, c.start - 4)
        linked = any(t.norm_ in self.data.connectors or t.lower_ in self.data.connectors for t in doc[lo:c.start])
        return linked and not _before(doc, s, c, NEGATORS, 2)

    # ---- parsing only what needs it ------------------------------------------------------------
    def _needs_parse(self, s: _Sent) -> bool:
        words = {t.norm_ for t in s.span} | {t.lower_ for t in s.span}
        if s.has("ATTEMPT_AMBIG") or (s.has("ATTEMPT", "ATTEMPT_NONE") and words & ATTEMPT_DOUBT):
            return True
        if s.symptoms and words & SYMPTOM_DOUBT:
            return True
        if s.has("REASON", "REASON_WEAK") and words & REASON_DOUBT:
            return True
        wishful = s.has("METHOD") or (s.has("WISH", "INTENT") and s.has("TAPER", "INTENT"))
        return wishful and bool(words & (self.data.clinicians | SECOND))

    def _parse(self, wanted: list[Span], parsed: dict[int, Doc]) -> dict[int, Doc]:
        todo = [s for s in wanted if s.start not in parsed]
        for s, sdoc in zip(todo, self.parser.parse(pipeline.sentence_doc(s) for s in todo)):
            parsed[s.start] = sdoc
        return parsed

    def _check_attempts(self, s: _Sent, sdoc: Doc | None) -> None:
        """Keep the attempts that are the person's own past: not supposed, asked, or other people's."""
        for e in s.of("ATTEMPT", "ATTEMPT_AMBIG", "ATTEMPT_NONE"):
            if sdoc is not None:
                local = sdoc[e.start - s.start:e.end - s.start]
                cues = context.cues(local, "draft")
                if cues.hypothetical or cues.question or (cues.reported and e.label != "ATTEMPT_NONE"):
                    continue
                verb = next((t for t in local if t.pos_ in ("VERB", "AUX")), local.root)
                if _subject_words(verb) & GENERIC_OTHERS:
                    continue
                if e.label == "ATTEMPT_AMBIG" and not (verb.tag_ in ("VBD", "VBN") or any(
                        c.dep_ == "aux" and c.norm_ in ("have", "has", "had") for c in verb.children)):
                    continue
                if e.label == "ATTEMPT" and _future(verb):
                    continue
            elif e.label == "ATTEMPT_AMBIG":
                continue
            if e.label == "ATTEMPT_NONE":
                s.attempt_none = True
            else:
                s.attempts.append(e)

    def _check_reasons(self, doc: Doc, s: _Sent, sdoc: Doc | None) -> None:
        """Why-now reasons said in the person's own voice: a weak one needs a wish or a cue near it."""
        strong = [e for e in s.of("REASON") if not _before(doc, s, e, NEGATORS, 3)]
        weak = []
        if not s.reasons:
            intent = s.has("INTENT")
            cues = [c for c in s.of("REASON_CUE")]
            for e in s.of("REASON_WEAK"):
                if _before(doc, s, e, NEGATORS, 2) or (e.end < s.span.end and doc[e.end].lower_ == "of"
                                                         and doc[e.start].lower_ in ("tired", "sick")):
                    continue  # "not dependent"; "tired of explaining"
                if intent or any(abs(c.start - e.start) <= 6 for c in cues):
                    weak.append(e)
        found = strong + weak
        if sdoc is not None:
            kept = []
            for e in found:
                local = sdoc[e.start - s.start:e.end - s.start]
                cues = context.cues(local, "draft")
                # what the person read or heard is still their reason; what a doctor says is not
                if not (cues.hypothetical or cues.question or (cues.reported and _claimed_by_others(local))):
                    kept.append(e)
            found = kept
        s.why_now = found

    def _check_symptoms(self, s: _Sent, sdoc: Doc | None) -> None:
        """Drop symptoms that are feared, supposed or someone else's ("I could have seizures")."""
        if sdoc is None or not s.symptoms:
            return
        kept = []
        for e in s.symptoms:
            local = sdoc[e.start - s.start:e.end - s.start]
            cues = context.cues(local, "draft")
            if cues.hypothetical or cues.reported or cues.question:
                continue
            inside = set(range(local.start, local.end))
            verb = local.root
            while verb.i in inside or verb.pos_ not in ("VERB", "AUX"):
                if verb.head.i == verb.i:
                    break
                verb = verb.head
            if verb.i not in inside and verb.pos_ in ("VERB", "AUX"):
                auxes = {c.norm_ for c in verb.children if c.dep_ == "aux"} | ({verb.norm_} & MODALS)
                negated = any(c.dep_ == "neg" for c in verb.children)
                if (auxes & MODALS and not negated) or _subject_words(verb) & GENERIC_OTHERS:
                    continue
            kept.append(e)
        s.symptoms = kept

    # ---- the six elements -------------------------------------------------------------------------
    def _element(self, eid: str, doc: Doc, s: _Sent | None = None, present: bool = False,
                 note: str | None = None, **more) -> dict:
        el = self.elements[eid]
        out = {"id": eid, "label": el.label, "present": present, "partial": not present and s is not None}
        if s is not None:
            text, start, end = _trimmed(doc, s.span)
            out.update(evidence=text, start=start, end=end)
        if not present:
            out["prompt"] = el.prompt
        if note:
            out["note"] = note
        out.update(more)
        return out

    def _duration_dose(self, doc: Doc, sents: list[_Sent]) -> dict:
        dosed = [s for s in sents if s.doses]
        timed = [s for s in sents if s.durations]
        named = [e for s in sents for e in s.of("DRUG") if e.id != "class"]
        drug = doc[named[0].start:named[0].end].text if named else None
        if dosed and timed:
            both = next((s for s in dosed if s.durations), None)
            more = {} if both else {"also": [_quote(doc, timed[0].span)]}
            note = None if named else NOTES["unnamed"]
            return self._element("duration_dose", doc, both or dosed[0], True, note, **more)
        if dosed:
            return self._element("duration_dose", doc, dosed[0], note=NOTES["dose_only"])
        if timed:
            what = f"You say how long you have taken {drug}" if drug else "You say how long"
            return self._element("duration_dose", doc, timed[0], note=NOTES["duration_only"].format(what=what))
        if named:
            s = next(s for s in sents if any(e.id != "class" for e in s.of("DRUG")))
            return self._element("duration_dose", doc, s, note=NOTES["drug_only"].format(drug=drug))
        classed = next((s for s in sents if s.has("DRUG")), None)
        if classed is not None:
            return self._element("duration_dose", doc, classed, note=NOTES["class_only"])
        return self._element("duration_dose", doc)

    def _reason_prescribed(self, doc: Doc, sents: list[_Sent]) -> dict:
        found = next((s for s in sents if s.reasons), None)
        if found is not None:
            return self._element("reason_prescribed", doc, found, True,
                                 reasons=[_text(doc, c) for c in found.reasons])
        said = next((s for s in sents if s.has("PRESCRIBED") and not s.future_taper), None)
        if said is not None:
            return self._element("reason_prescribed", doc, said, note=NOTES["prescribed_only"])
        return self._element("reason_prescribed", doc)

    def _past_attempts(self, doc: Doc, sents: list[_Sent]) -> dict:
        for i, s in enumerate(sents):
            if not s.attempts:
                continue
            after = sents[i + 1] if i + 1 < len(sents) else None
            if s.has("OUTCOME") or s.symptoms or (after is not None and (after.has("OUTCOME") or after.symptoms)):
                return self._element("past_attempts", doc, s, True)
        none = next((s for s in sents if s.attempt_none), None)
        if none is not None:
            return self._element("past_attempts", doc, none, True, first_attempt=True)
        tried = next((s for s in sents if s.attempts), None)
        if tried is not None:
            return self._element("past_attempts", doc, tried, note=NOTES["attempt_only"])
        return self._element("past_attempts", doc)

    def _reason_now(self, doc: Doc, sents: list[_Sent]) -> dict:
        found = [(s, s.why_now) for s in sents if s.why_now]
        if found:
            s, r = next(((s, r) for s, r in found if s.has("INTENT")), found[0])
            return self._element("reason_now", doc, s, True, reasons=list(dict.fromkeys(_text(doc, e) for e in r)))
        wanting = next((s for s in sents if s.has("INTENT") and not s.attempts), None)
        if wanting is not None:
            return self._element("reason_now", doc, wanting, note=NOTES["wish_without_why"])
        return self._element("reason_now", doc)

    def _experience(self, doc: Doc, sents: list[_Sent]) -> dict:
        felt = [s for s in sents if s.symptoms]
        if not felt:
            return self._element("experience", doc)
        areas = [a for a in AREAS if any(e.id == a for s in felt for e in s.symptoms)]
        best = max(felt, key=lambda s: len({e.id for e in s.symptoms}))
        missing = [a for a in AREAS if a not in areas]
        note = None
        if missing:
            note = f"You describe {_and(areas)} effects; you could add {_and(missing)} ones too."
        return self._element("experience", doc, best, True, note, areas=areas,
                             symptoms=list(dict.fromkeys(_text(doc, e) for s in felt for e in s.symptoms)))

    def _taper_wish(self, doc: Doc, sents: list[_Sent], parsed: dict[int, Doc]) -> dict:
        full = partial = None
        for s in sents:
            methods = s.of("METHOD") + (s.doses if s.has("TAPER") and s.has("WISH", "INTENT") else [])
            wishes = s.has("WISH", "INTENT")
            if s.attempts and not wishes:
                continue  # how an earlier taper went, not how they would like to taper
            kinds = {doc[e.start:e.end].text.lower() for e in methods}
            if not (methods and (s.has("TAPER") or wishes or len(kinds) >= 2)):
                methods = []
                if not (wishes and s.has("TAPER", "INTENT") and partial is None):
                    continue
            anchors = [e.start for e in methods + s.of("WISH", "INTENT")]
            sdoc = parsed.get(s.start)
            if sdoc is not None and not any(self._patient_voice(sdoc, a - s.start) for a in anchors):
                continue
            if methods:
                full = s
                break
            partial = s
        if full is not None:
            return self._element("taper_wish", doc, full, True,
                                 methods=list(dict.fromkeys(_text(doc, e) for e in full.of("METHOD"))))
        if partial is not None:
            return self._element("taper_wish", doc, partial, note=NOTES["wish_without_how"])
        return self._element("taper_wish", doc)

    def _patient_voice(self, sdoc: Doc, i: int) -> bool:
        """Whether the wish at token i is the patient's (or the advocate's), not a clinician's."""
        tok, seen = sdoc[i], set()
        question = any(t.text == "?" for t in sdoc)
        while tok.i not in seen:
            seen.add(tok.i)
            subjects = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass", "expl")]
            for subj in subjects:
                words = {t.norm_.lower() for t in subj.subtree}
                if words & {"i", "we"}:
                    return True  # also "my doctor and I"
                if words & self.data.clinicians:
                    return False
                if words & FIRST_SUBJECT:
                    return True  # "my plan is to ..."
                if words & SECOND:
                    return question or (tok.lemma_.lower() in REQUEST_VERBS and any(
                        c.dep_ == "aux" and c.norm_ in ("could", "would", "can", "will") for c in tok.children))
                if not words <= RAISED:
                    return True  # a third person: the patient an advocate writes about
                # "wants me to taper": "me" is raised; the wish belongs to the subject above
            if tok.head.i == tok.i:
                return True
            tok = tok.head
        return True

    # ---- concision ----------------------------------------------------------------------------------
    def _concision(self, doc: Doc, spans: list[Span]) -> dict:
        pace = self.data.pace
        words = count_words(pipeline.text_of(doc))
        speaking = round(words * 60 / pace.speaking_wpm)
        reading = round(words * 60 / pace.reading_wpm)
        target_seconds = round(pace.target_words * 60 / pace.speaking_wpm)
        sentences = []
        for sp in spans:
            text, start, end = _trimmed(doc, sp)
            n = count_words(text)
            if n:
                sentences.append({"text": text, "start": start, "end": end, "words": n,
                                  "long": n > pace.long_sentence_words})
        longest = sorted(sentences, key=lambda x: (-x["words"], x["start"]))[:3]
        over = words > pace.target_words
        long_ones = [x for x in longest if x["long"]]
        if not words:
            advice = ""
        elif over:
            advice = (f"{words} words take {say_time(speaking)} to say. Aim for under {pace.target_words} words "
                      f"({say_time(30 * round(target_seconds / 30))}): keep a sentence or two for each checklist item"
                      + ("; start with the longest sentences." if long_ones else "."))
        else:
            advice = f"{words} words take {say_time(speaking)} to say: within the target of {pace.target_words} words."
            if long_ones:
                advice += (f" Consider splitting sentences over {pace.long_sentence_words} words: "
                           "shorter ones are easier to follow when spoken.")
        return {"words": words, "speaking_seconds": speaking, "reading_seconds": reading,
                "speaking_time": say_time(speaking), "reading_time": say_time(reading),
                "target_words": pace.target_words, "target_seconds": target_seconds, "over_target": over,
                "speaking_wpm": pace.speaking_wpm, "reading_wpm": pace.reading_wpm,
                "long_sentence_words": pace.long_sentence_words,
                "advice": advice, "longest_sentences": longest}


# ---- helpers ------------------------------------------------------------------------------------

def count_words(text: str) -> int:
    """Words as a word processor counts them: "0.5mg", "don't" and "5-10%" are one word each."""
    return len(_WORD.findall(text))


def say_time(seconds: int) -> str:
    """'about 45 seconds', 'about 1 minute 50 seconds', 'about 2 minutes' (to the nearest 5 seconds)."""
    s = max(5, int(5 * round(seconds / 5))) if seconds else 0
    if s < 60:
        return f"about {s} seconds"
    m, rest = divmod(s, 60)
    mins = f"{m} minute{'s' if m != 1 else ''}"
    return f"about {mins}" + (f" {rest} seconds" if rest else "")


def _trimmed(doc: Doc, span: Span) -> tuple[str, int, int]:
    toks = [t for t in span if not t.is_space]
    if not toks:
        return "", span.start_char, span.start_char
    start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
    return pipeline.text_of(doc)[start:end], start, end


def _quote(doc: Doc, span: Span) -> dict:
    text, start, end = _trimmed(doc, span)
    return {"text": text, "start": start, "end": end}


def _text(doc: Doc, e: Ent) -> str:
    return doc[e.start:e.end].text


def _before(doc: Doc, s: _Sent, e: Ent, words: set[str], n: int) -> bool:
    """One of `words` among the n tokens before the entity, in its sentence."""
    return any(t.norm_ in words or t.lower_ in words for t in doc[max(s.start, e.start - n):e.start])


def _prescribes(doc: Doc, s: _Sent, e: Ent) -> bool:
    """'gave me' prescribes only when a medicine follows ("gave me Valium", not "gave me insomnia");
    "as prescribed" says how it is taken, not that (or why) it was prescribed."""
    if e.start > s.start and doc[e.start - 1].lower_ == "as":
        return False
    if doc[e.start].lower_ not in ("gave", "give", "gives"):
        return True
    if any(d.start == e.end for d in s.of("DRUG")):
        return True
    return e.end < s.span.end and doc[e.end].lower_ in ("it", "them", "a", "some")


def _plausible_dose(tok) -> bool:
    """A written number ("two") or one from above 0 to 1000: "99999999 mg" is not a dose."""
    digits = re.match(r"^\d+(?:[.,]\d+)?", tok.text)
    if not digits:
        return True
    value = _number_text(digits.group(0))
    return value is not None and 0 < value <= 1000


def _number_text(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _is_year(tok) -> bool:
    return tok.shape_ == "dddd" and 1940 <= int(tok.text) <= 2100


def _number(tok) -> float | None:
    return _number_text(tok.text)


def _subject_words(verb) -> set[str]:
    while verb is not None:
        subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None:
            return {t.norm_.lower() for t in subj.subtree}
        if verb.dep_ in ("xcomp", "conj", "ccomp", "advcl") and verb.head.i != verb.i:
            verb = verb.head
        else:
            return set()
    return set()


def _claimed_by_others(span) -> bool:
    """Whether the nearest saying or believing verb above the span has a subject other than I/we."""
    tok = span.root
    while tok.head.i != tok.i:
        tok = tok.head
        if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in context.REPORT_VERBS:
            return not (_subject_words(tok) & {"i", "we"})
    return True


def _future(verb) -> bool:
    """Present or future forms ("want to try to stop") rather than the past."""
    auxes = {c.norm_ for c in verb.children if c.dep_ in ("aux", "auxpass")}
    if auxes & {"will", "'ll", "would", "going", "gonna", "shall"}:
        return True
    return verb.tag_ in ("VB",) and verb.dep_ in ("xcomp", "ccomp") and verb.head.lemma_ in (
        "want", "like", "plan", "hope", "need", "try", "decide", "intend")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def story_text(story: dict) -> list[str]:
    """The story section as lines of plain text (the command line's text format)."""
    lines = ["", "Your story (the six things a prescriber needs to hear):"]
    for el in story["elements"]:
        mark = "[x]" if el["present"] else ("[~]" if el.get("partial") else "[ ]")
        state = "covered" if el["present"] else ("partly covered" if el.get("partial") else "missing")
        lines.append(f"  {mark} {el['label']}: {state}")
        if el.get("evidence"):
            lines.append(f"        \"{el['evidence']}\"")
        if el.get("note"):
            lines.append(f"        {el['note']}")
        if not el["present"] and not el.get("note"):
            lines.append(f"        try: {el['prompt']}")
    lines.append("")
    lines.append(f"Length: {story['words']} words, {story.get('speaking_time', '')} to say, "
                 f"{story.get('reading_time', '')} to read (target: under {story.get('target_words', 250)} words).")
    if story.get("advice"):
        lines.append(f"  {story['advice']}")
    for x in story.get("longest_sentences", []):
        if x.get("long"):
            lines.append(f"  long sentence ({x['words']} words): \"{x['text']}\"")
    return lines
