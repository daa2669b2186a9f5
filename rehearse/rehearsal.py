"""Rehearsal: practise answering a prescriber's pushback, with feedback on each answer (no Flask).

Scenarios are data (`lexicons/scenarios/*.yaml`, one per file): the prescriber's lines, and for each
line a checklist of what a strong answer holds, a model answer, and strong and weak example answers
that the test suite runs. `feedback()` combines the draft analysis (confrontational phrasing, with
rewrites) with the checklist, read from the parse of the answer's own sentences; `summary()` turns a
session's feedback into what went well, what to practise and the phrases worth keeping.
Nothing here stores anything: the caller holds the answers.
"""
from __future__ import annotations

import re
import threading
from bisect import bisect_right
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from spacy.matcher import PhraseMatcher

from . import context, pipeline
from .inputs import InputError, check_text, normalise_newlines
from .lexicon import KEBAB, LexiconError, Source, key_problems, load_sources, read_yaml
from .resources import data_dir

CHECK_IDS = ("calm-restatement", "specific-ask", "cited-source", "i-statement", "invites-collaboration",
             "boundary-without-threat", "states-experience", "asks-for-referral")
VERDICTS = ("strong", "getting-there", "needs-work")
VERDICT_LABELS = {"strong": "Strong answer", "getting-there": "Getting there", "needs-work": "Needs work"}
ANSWER_MAX = 2_000          # characters in one answer: about a minute and a half spoken
SCENARIO_REQUIRED = ("id", "title", "situation", "turns")
SCENARIO_OPTIONAL = ("order", "notes")
TURN_REQUIRED = ("prescriber", "checklist", "model", "examples")
TURN_OPTIONAL = ("sources", "hint", "notes")
VOCAB_LISTS = ("generic_sources", "cite_lemmas", "ask_frames", "ask_topics", "goal_words", "manner_words",
               "feelings", "experience_verbs", "experience_nouns", "boundaries", "referrals", "invitations")
TENSE_BELOW = 30    # a collaboration score below this reads as confrontational
CALM_CHECKS = ("calm-restatement", "boundary-without-threat", "invites-collaboration")
THREATS = {"threat", "ultimatum", "pressure"}      # concern categories that turn a boundary into a threat
_WOULD = re.compile(r"\b(i|we|you|it|that|they|he|she) would\b")
FIRST_PERSON = {"i", "we", "me", "us"}


class ScenarioError(LexiconError):
    """A scenario or the checks file is invalid; the message names the file, scenario and turn."""


class AnswerError(InputError):
    """An answer cannot be checked; the message says what was wrong and what to do."""


@dataclass(frozen=True)
class Check:
    id: str
    label: str      # said when the answer holds it
    missing: str    # said when it does not
    tip: str
    flags: frozenset[str]   # draft-analysis rules that count as this check


@dataclass(frozen=True)
class ChecksConfig:
    checks: dict
    gives_up_label: str
    gives_up_tip: str
    gives_up: tuple[str, ...]
    source_names: dict       # phrase -> source id
    vocab: dict              # name -> tuple of phrases


@dataclass(frozen=True)
class Turn:
    prescriber: str
    checklist: tuple[str, ...]
    model: str
    sources: tuple[Source, ...]
    hint: str
    strong: tuple[str, ...]
    weak: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    situation: str
    turns: tuple[Turn, ...]
    order: int = 100
    file: str = ""


# ---- loading --------------------------------------------------------------------------------------

def scenarios_dir() -> Path:
    return data_dir("lexicons") / "scenarios"


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _texts(value, at_least: int = 1) -> bool:
    return isinstance(value, list) and len(value) >= at_least and all(_text(v) for v in value)


def load_checks(path: Path, sources: dict[str, Source]) -> ChecksConfig:
    """Read `_checks.yaml`: every check in CHECK_IDS with its words, the give-up phrases, the vocabularies."""
    name = path.name
    data = read_yaml(path)
    problems: list[str] = []
    if not isinstance(data, dict) or set(data) != {"checks", "gives_up", "vocab"}:
        raise ScenarioError(f"{name}: expected exactly the keys checks, gives_up and vocab")
    checks = {}
    raw_checks = data["checks"] if isinstance(data["checks"], dict) else {}
    for cid in set(raw_checks) - set(CHECK_IDS):
        problems.append(f"{name}: check {cid!r}: unknown check (known: {', '.join(CHECK_IDS)})")
    for cid in CHECK_IDS:
        raw = raw_checks.get(cid)
        where = f"{name}: check {cid!r}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: missing")
            continue
        unknown = set(raw) - {"label", "missing", "tip", "flags"}
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("label", "missing", "tip"):
            if not _text(raw.get(key)):
                problems.append(f"{where}: {key!r} must be a non-empty string")
        if not _texts(raw.get("flags", []), 0):
            problems.append(f"{where}: flags must be a list of draft rule ids")
        if not problems:
            checks[cid] = Check(cid, raw["label"].strip(), raw["missing"].strip(), raw["tip"].strip(),
                                frozenset(raw.get("flags", [])))
    gives = data["gives_up"] if isinstance(data["gives_up"], dict) else {}
    if set(gives) != {"label", "tip", "phrases"} or not _texts(gives.get("phrases")) \
            or not _text(gives.get("label")) or not _text(gives.get("tip")):
        problems.append(f"{name}: gives_up needs a label, a tip and a list of phrases")
    vocab_raw = data["vocab"] if isinstance(data["vocab"], dict) else {}
    unknown = set(vocab_raw) - set(VOCAB_LISTS) - {"source_names"}
    if unknown:
        problems.append(f"{name}: vocab: unknown lists {sorted(unknown)}")
    vocab = {}
    for key in VOCAB_LISTS:
        values = vocab_raw.get(key)
        if not isinstance(values, list) or not values or not all(isinstance(v, (str, int)) for v in values):
            problems.append(f"{name}: vocab.{key} must be a non-empty list of words or phrases")
            continue
        vocab[key] = tuple(str(v).strip().lower() for v in values)
    names = vocab_raw.get("source_names")
    if not isinstance(names, dict) or not names:
        problems.append(f"{name}: vocab.source_names must map phrases to source ids")
        names = {}
    for phrase, sid in names.items():
        if sid not in sources:
            problems.append(f"{name}: vocab.source_names {phrase!r}: unknown source {sid!r}")
    if problems:
        raise ScenarioError(f"{len(problems)} problem(s):\n" + "\n".join(problems))
    return ChecksConfig(checks=checks, gives_up_label=gives["label"].strip(), gives_up_tip=gives["tip"].strip(),
                        gives_up=tuple(p.lower() for p in gives["phrases"]),
                        source_names={str(k).lower(): v for k, v in names.items()}, vocab=vocab)


def load_scenarios(folder: Path | None = None, sources: dict[str, Source] | None = None) -> dict[str, Scenario]:
    """Every `*.yaml` in `folder` (files starting with `_` are not scenarios), validated strictly.

    All problems are reported at once, each naming the file, the scenario and the turn.
    """
    folder = Path(folder) if folder is not None else scenarios_dir()
    if sources is None:
        sources = load_sources(data_dir("lexicons") / "sources.yaml")
    problems: list[str] = []
    found: list[Scenario] = []
    seen: dict[str, str] = {}
    paths = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))
    if not paths:
        raise ScenarioError(f"{folder}: no scenario files (*.yaml)")
    for path in paths:
        try:
            data = read_yaml(path)
        except LexiconError as exc:
            problems.append(str(exc))
            continue
        scenario, errs = _build_scenario(data, path.name, sources)
        problems.extend(errs)
        if scenario is not None:
            if scenario.id in seen:
                problems.append(f"{path.name}: scenario {scenario.id!r}: duplicate id (also in {seen[scenario.id]})")
            seen[scenario.id] = path.name
            found.append(scenario)
    if problems:
        raise ScenarioError(f"{len(problems)} problem(s) in {folder}:\n" + "\n".join(problems))
    found.sort(key=lambda s: (s.order, s.title))
    return {s.id: s for s in found}


def _build_scenario(data, name: str, sources) -> tuple[Scenario | None, list[str]]:
    if not isinstance(data, dict):
        return None, [f"{name}: expected a mapping with {', '.join(SCENARIO_REQUIRED)}"]
    sid = data.get("id")
    where = f"{name}: scenario {sid!r}"
    errs, missing = key_problems(data, SCENARIO_REQUIRED, SCENARIO_OPTIONAL, where)
    if missing:
        return None, errs
    if not isinstance(sid, str) or not KEBAB.match(sid):
        errs.append(f"{where}: id must be kebab-case (like 'two-week-taper')")
    elif sid != Path(name).stem:
        errs.append(f"{where}: id must match the file name ({Path(name).stem!r})")
    for key in ("title", "situation"):
        if not _text(data[key]):
            errs.append(f"{where}: {key!r} must be a non-empty string")
    order = data.get("order", 100)
    if not isinstance(order, int) or isinstance(order, bool):
        errs.append(f"{where}: order must be a whole number")
    raw_turns = data["turns"]
    turns: list[Turn] = []
    if not isinstance(raw_turns, list) or not 2 <= len(raw_turns) <= 4:
        errs.append(f"{where}: turns must be a list of 2 to 4 prescriber lines")
        raw_turns = raw_turns if isinstance(raw_turns, list) else []
    for n, raw in enumerate(raw_turns, 1):
        turn, turn_errs = _build_turn(raw, f"{where}: turn {n}", sources)
        errs.extend(turn_errs)
        if turn is not None:
            turns.append(turn)
    if errs:
        return None, errs
    return Scenario(id=sid, title=data["title"].strip(), situation=" ".join(data["situation"].split()),
                    turns=tuple(turns), order=order, file=name), []


def _build_turn(raw, where: str, sources) -> tuple[Turn | None, list[str]]:
    if not isinstance(raw, dict):
        return None, [f"{where}: expected a mapping with {', '.join(TURN_REQUIRED)}"]
    errs, missing = key_problems(raw, TURN_REQUIRED, TURN_OPTIONAL, where)
    if missing:
        return None, errs
    for key in ("prescriber", "model"):
        if not _text(raw[key]):
            errs.append(f"{where}: {key!r} must be a non-empty string")
    checklist = raw["checklist"]
    if not _texts(checklist, 2) or len(checklist) > 4 or len(set(checklist)) != len(checklist):
        errs.append(f"{where}: checklist must list 2 to 4 different checks")
    else:
        for cid in checklist:
            if cid not in CHECK_IDS:
                errs.append(f"{where}: unknown check {cid!r} (known: {', '.join(CHECK_IDS)})")
    src_ids = raw.get("sources", [])
    if not _texts(src_ids, 0):
        errs.append(f"{where}: sources must be a list of ids from sources.yaml")
        src_ids = []
    for s in src_ids:
        if s not in sources:
            errs.append(f"{where}: unknown source {s!r} (see lexicons/sources.yaml)")
    hint = raw.get("hint", "")
    if not isinstance(hint, str):
        errs.append(f"{where}: hint must be a string")
    examples = raw["examples"]
    if not isinstance(examples, dict) or set(examples) != {"strong", "weak"}:
        errs.append(f"{where}: examples must be a mapping with `strong` and `weak` lists")
        examples = {}
    for kind in ("strong", "weak"):
        if kind in examples and not _texts(examples[kind], 2):
            errs.append(f"{where}: examples.{kind} needs at least 2 answers")
    if errs:
        return None, errs
    return Turn(prescriber=" ".join(raw["prescriber"].split()), checklist=tuple(checklist),
                model=" ".join(raw["model"].split()), sources=tuple(sources[s] for s in src_ids),
                hint=" ".join(hint.split()), strong=tuple(examples["strong"]), weak=tuple(examples["weak"])), []


_cache_lock = threading.Lock()
_scenarios: dict[str, Scenario] | None = None
_checks: ChecksConfig | None = None


def scenarios() -> dict[str, Scenario]:
    """The installed scenarios, loaded and validated once per process."""
    global _scenarios
    with _cache_lock:
        if _scenarios is None:
            _scenarios = load_scenarios()
        return _scenarios


def checks_config() -> ChecksConfig:
    global _checks
    with _cache_lock:
        if _checks is None:
            _checks = load_checks(scenarios_dir() / "_checks.yaml",
                                  load_sources(data_dir("lexicons") / "sources.yaml"))
        return _checks


# ---- reading an answer ----------------------------------------------------------------------------

@dataclass
class Reading:
    """What an answer holds: evidence per check (character ranges), and any capitulation."""
    found: dict = field(default_factory=lambda: defaultdict(list))   # check id -> [(start, end, source ids)]
    gives_up: list = field(default_factory=list)                     # [(start, end)]
    sentences: list = field(default_factory=list)                    # [(start, end)] of the answer

    def add(self, check: str, start: int, end: int, sources=()):
        self.found[check].append((start, end, tuple(sources)))


class Coach:
    """Reads answers for the checklist: phrase matching on tokens, then the parse of those sentences."""

    def __init__(self, analyzer, config: ChecksConfig | None = None):
        self.config = config or checks_config()
        unknown = {r for c in self.config.checks.values() for r in c.flags} - set(analyzer.entries)
        if unknown:
            raise ScenarioError(f"_checks.yaml: flags name unknown draft rules {sorted(unknown)}")
        self.nlp = analyzer.nlp
        self.parser = analyzer.parser
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="NORM")
        by_source: dict[str, list[str]] = defaultdict(list)
        for phrase, sid in self.config.source_names.items():
            by_source[sid].append(phrase)
        for sid, phrases in by_source.items():
            self._add(f"source:{sid}", phrases)
        for key, phrases in self.config.vocab.items():
            if key != "cite_lemmas":
                self._add(key, phrases)
        self._add("gives_up", self.config.gives_up)
        self.cite_lemmas = frozenset(self.config.vocab["cite_lemmas"])

    def _add(self, label: str, phrases):
        # spaCy's NORM keeps "'d" as it is (would or had?): "i would like" also matches "I'd like"
        forms = {f for p in phrases for f in (p, _WOULD.sub(r"\1'd", p))}
        self.matcher.add(label, [self.nlp.make_doc(p) for p in sorted(forms)])

    def read(self, text: str, analysis: dict) -> Reading:
        reading = self._read(text, analysis)
        # a limit stated beside a threat, a demand or pressure is not a calm boundary
        if any(f["polarity"] == "concern" and f["category"] in THREATS for f in analysis["flags"]):
            reading.found.pop("boundary-without-threat", None)
        return reading

    def _read(self, text: str, analysis: dict) -> Reading:
        reading = Reading()
        doc = pipeline.segment(self.nlp.make_doc(text))
        sents = [s for s in doc.sents if any(not t.is_space for t in s)]
        for s in sents:  # a clause ended by ";" stays with the rest of its sentence when shown
            if reading.sentences and text[:reading.sentences[-1][1]].rstrip().endswith(";"):
                reading.sentences[-1] = (reading.sentences[-1][0], s.end_char)
            else:
                reading.sentences.append((s.start_char, s.end_char))
        self._from_flags(analysis, reading)
        by_sent: dict[int, list] = defaultdict(list)
        starts = [s.start for s in sents]
        for match_id, start, end in self.matcher(doc):
            i = bisect_right(starts, start) - 1
            if i < 0 or end > sents[i].end:
                continue
            by_sent[i].append((self.nlp.vocab.strings[match_id], start - sents[i].start, end - sents[i].start))
        if not by_sent:
            return reading
        order = sorted(by_sent)
        parsed = self.parser.parse(pipeline.sentence_doc(sents[i]) for i in order)
        for i, sdoc in zip(order, parsed):
            self._read_sentence(sdoc, sents[i], by_sent[i], reading)
        return reading

    def _from_flags(self, analysis: dict, reading: Reading):
        for flag in analysis["flags"]:
            if flag["polarity"] != "strength":
                continue
            for check in self.config.checks.values():
                if flag["rule"] in check.flags:
                    reading.add(check.id, flag["start"], flag["end"])

    def _read_sentence(self, sdoc, sent, matches, reading: Reading):
        """Decide what the sentence's matches count for, from their context in the parse."""
        base = sent.start_char
        labels = defaultdict(list)
        for label, start, end in matches:
            labels[label].append(sdoc[start:end])

        def at(span):
            return base + span.start_char, base + span.end_char

        def whole():
            return base, base + len(sent.text.rstrip())

        def clear(span, blocked=("negated", "quoted")):
            return not (context.cues(span, "draft").active() & set(blocked))

        question = context.is_question(sdoc, sdoc[0:1]) if len(sdoc) else False
        # cited-source: a named source, or an unnamed one that something says, shows or is brought
        def own_claim(span):
            """Named by the speaker: not negated ("I haven't read the FDA warning"), not quoted, not
            someone else's report ("my friend said ..."). A source that warns against something is
            still cited, so the context module's rejector words do not count here."""
            cues = context.cues(span, "draft")
            return (not _plainly_negated(span.root) and not cues.quoted
                    and (not cues.reported or _reported_by_me(span.root)))

        for label, spans in labels.items():
            if label.startswith("source:"):
                for span in spans:
                    if own_claim(span):
                        reading.add("cited-source", *at(span), sources=[label.split(":", 1)[1]])
        for span in labels.get("generic_sources", ()):
            near = [span.root.head, span.root.head.head, *span.root.children, *span.root.head.children]
            citing = any((t.lemma_ or t.norm_).lower() in self.cite_lemmas for t in near)
            if citing and own_claim(span):
                reading.add("cited-source", *at(span))
        # specific-ask: a request frame and, in the same sentence, what the request is about
        frames = [s for s in labels.get("ask_frames", ()) if clear(s)]
        if frames and labels.get("ask_topics"):
            reading.add("specific-ask", *whole())
        # calm-restatement: the goal (coming off, tapering) and the manner (slowly, safely) together
        goals = [s for s in labels.get("goal_words", ()) if clear(s)]
        manners = [s for s in labels.get("manner_words", ()) if clear(s)]
        if goals and manners:
            reading.add("calm-restatement", *whole())
        # i-statement: a feeling or experience word whose clause has "I" as its subject
        for span in labels.get("feelings", ()):
            if _has_subject(span.root, {"i"}) and clear(span, ("quoted",)):
                reading.add("i-statement", *at(span))
                break
        # states-experience: something that happened to the speaker (past, first person), or "my symptoms"
        for span in labels.get("experience_verbs", ()):
            tok = span.root
            past = tok.tag_ in ("VBD", "VBN") or "Past" in tok.morph.get("Tense")
            if past and _has_subject(tok, FIRST_PERSON | {"my"}) and clear(span, ("quoted", "hypothetical")):
                reading.add("states-experience", *whole())
                break
        if not question:
            for span in labels.get("experience_nouns", ()):
                if any(c.dep_ == "poss" and c.norm_ == "my" for c in span.root.children) \
                        and clear(span, ("quoted", "hypothetical")):
                    reading.add("states-experience", *whole())
                    break
        # boundary-without-threat: a calm limit (`read` drops it if the answer threatens)
        for span in labels.get("boundaries", ()):
            if clear(span, ("negated", "quoted", "reported")):
                reading.add("boundary-without-threat", *at(span))
        # asks-for-referral: someone else to see, asked for (a frame, a question or a boundary)
        asking = bool(frames) or question or bool(labels.get("boundaries"))
        for span in labels.get("referrals", ()):
            if asking and clear(span, ("negated", "quoted", "reported", "historical")):
                reading.add("asks-for-referral", *at(span))
        # invites-collaboration
        for span in labels.get("invitations", ()):
            if clear(span, ("negated", "quoted", "reported")):
                reading.add("invites-collaboration", *at(span))
        # giving up the ask
        for span in labels.get("gives_up", ()):
            if clear(span, ("negated", "quoted", "hypothetical", "reported")):
                reading.gives_up.append(at(span))


def _plainly_negated(tok) -> bool:
    """A "not", "never" or "no" on the clause that holds `tok`, up to its verb."""
    for t in (tok, *tok.ancestors):
        if any(c.dep_ == "neg" or (c.norm_.lower() in ("never", "no") and c.dep_ in ("advmod", "det"))
               for c in t.children):
            return True
        if t.pos_ in ("VERB", "AUX"):
            return False
    return False


def _reported_by_me(tok) -> bool:
    """The saying or reading verb above `tok` has "I" or "we" as its subject ("I read that the FDA ...")."""
    prev = tok
    for t in tok.ancestors:
        # the source's own verb ("the FDA warns ...") is its claim, not a report of it
        if (t.lemma_ or t.norm_).lower() in context.REPORT_VERBS and prev.dep_ not in ("nsubj", "nsubjpass"):
            return any(c.dep_ == "nsubj" and c.norm_.lower() in ("i", "we") for c in t.children)
        prev = t
    return False


def _has_subject(tok, words: set[str]) -> bool:
    """The clause holding `tok` (itself, its head, or the verb it complements) has one of `words` as subject."""
    for t in (tok, tok.head, tok.head.head):
        for child in t.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                if child.norm_.lower() in words:
                    return True
                if any(c.dep_ == "poss" and c.norm_.lower() in words for c in child.children):
                    return True
                return False
        if t.dep_ not in ("acomp", "xcomp", "ccomp", "dobj", "conj", "advcl", "pobj", "prep", "aux",
                          "auxpass") or t.head is t:
            break
    return False


_coaches: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def get_coach(analyzer=None) -> Coach:
    """The Coach for `analyzer` (default: the process-wide one), built once."""
    if analyzer is None:
        from . import get_analyzer
        analyzer = get_analyzer()
    with _cache_lock:
        coach = _coaches.get(analyzer)
    if coach is None:
        coach = Coach(analyzer)
        with _cache_lock:
            _coaches[analyzer] = coach
    return coach


# ---- feedback --------------------------------------------------------------------------------------

def clean_answer(answer) -> str:
    """The answer as text to check, or AnswerError with a message that says what to do."""
    if isinstance(answer, str):
        answer = normalise_newlines(answer)
    if isinstance(answer, str) and not answer.strip():
        raise AnswerError("Type your answer first: what would you say to that, in your own words?")
    try:
        text = check_text(answer)
    except InputError as exc:
        message = str(exc)
        raise AnswerError(message[:1].upper() + message[1:] + ".") from None
    if len(text) > ANSWER_MAX:
        raise AnswerError(f"That answer is {len(text):,} characters. In the room you would have a minute or so: "
                          f"try the heart of it in a few sentences (up to {ANSWER_MAX:,} characters).")
    return text


def feedback(scenario: Scenario, turn_index: int, answer: str,
             analyse_fn: Callable[..., dict] | None = None, coach: Coach | None = None) -> dict:
    """Feedback on one answer to one prescriber line: the verdict, what it covered and missed,
    confrontational phrasing with rewrites, what already works, and the phrases worth keeping."""
    if not 0 <= turn_index < len(scenario.turns):
        raise IndexError(f"scenario {scenario.id!r} has no line {turn_index + 1}")
    turn = scenario.turns[turn_index]
    text = clean_answer(answer)
    if analyse_fn is None:
        from . import analyse as analyse_fn
    analysis = analyse_fn(text, mode="draft")
    coach = coach or get_coach()
    reading = coach.read(text, analysis)
    checks = coach.config.checks
    concerns = [f for f in analysis["flags"] if f["polarity"] == "concern"]
    concern_at = [(f["start"], f["end"]) for f in concerns]
    for cid in CALM_CHECKS:  # said in a sentence that also demands or accuses, it is not calm
        kept = []
        for start, end, ids in reading.found.get(cid, ()):
            s, e = _sentence_around(reading.sentences, start, end)
            if not any(a < e and s < b for a, b in concern_at):
                kept.append((start, end, ids))
        reading.found[cid] = kept

    def evidence(cid):
        items = reading.found.get(cid) or []
        start, end, _ = items[0]
        s, e = _sentence_around(reading.sentences, start, end)
        return {"id": cid, "label": checks[cid].label, "evidence": text[s:e].strip(),
                "sources": sorted({sid for _, _, ids in items for sid in ids})}

    covered = [evidence(c) for c in turn.checklist if reading.found.get(c)]
    missed = [{"id": c, "label": checks[c].missing, "tip": checks[c].tip}
              for c in turn.checklist if not reading.found.get(c)]
    also = [evidence(c) for c in CHECK_IDS if c not in turn.checklist and reading.found.get(c)]
    strengths = [f for f in analysis["flags"] if f["polarity"] == "strength"]
    serious = [f for f in concerns if f["severity"] in ("high", "medium")]
    gives_up = [text[s:e] for s, e in reading.gives_up]
    need = min(2, len(turn.checklist))

    tense = analysis["summary"]["collaboration"] < TENSE_BELOW   # reads as confrontational, flag or not
    if serious or not (covered or also):
        verdict = "needs-work"
    elif gives_up or concerns or tense or len(covered) < need:
        verdict = "getting-there"
    else:
        verdict = "strong"

    return {
        "scenario": scenario.id, "turn": turn_index, "answer": text,
        "verdict": verdict, "verdict_label": VERDICT_LABELS[verdict],
        "headline": _headline(verdict, covered, missed, serious, gives_up, len(turn.checklist), tense),
        "tense": tense,
        "covered": covered, "missed": missed, "also": also,
        "concerns": [_concern(f) for f in concerns],
        "strengths": [{"text": f["text"], "message": f["message"]} for f in strengths],
        "gives_up": gives_up,
        "gives_up_tip": coach.config.gives_up_tip if gives_up else "",
        "keep": _keep(text, reading, concerns),
        "collaboration": analysis["summary"]["collaboration"],
        "model": turn.model,
        "model_sources": [s.as_ref() for s in turn.sources],
    }


def _concern(flag: dict) -> dict:
    rewrite = (flag.get("rewrite") or {}).get("text")
    return {"text": flag["text"], "message": flag["message"], "explanation": flag["explanation"],
            "rewrite": rewrite, "suggestions": [s for s in flag["suggestions"] if s != rewrite][:0 if rewrite else 1],
            "sources": flag["sources"]}


def _headline(verdict, covered, missed, serious, gives_up, total, tense=False) -> str:
    if verdict == "strong":
        return "Calm, specific and hard to brush aside. Say it out loud a couple of times."
    if tense and not serious:
        return ("The content is there, but the tone may read as a challenge. Try leading with what "
                "you agree on, then your ask.")
    if serious:
        return ("Your point is fair, but some of the wording may put them on the defensive. "
                "Try the calmer wording below: it keeps your meaning.")
    if gives_up:
        return ("Being polite helps, but you don't need to apologise or step back: "
                "what you are asking for is reasonable.")
    if not covered:
        return f"A start. {missed[0]['tip']}" if missed else "A start."
    return (f"Good: you covered {len(covered)} of the {total} things a strong answer holds here. "
            f"{missed[0]['tip'] if missed else ''}").strip()


def _sentence_around(sentences, start: int, end: int) -> tuple[int, int]:
    for s, e in sentences:
        if s <= start < e:
            return s, e
    return start, end


def _keep(text: str, reading: Reading, concerns: list[dict]) -> list[str]:
    """The answer's sentences that carry something strong and nothing confrontational or self-effacing."""
    strong_at = [(s, e) for items in reading.found.values() for s, e, _ in items]
    avoid = [(f["start"], f["end"]) for f in concerns] + list(reading.gives_up)
    out = []
    for s, e in reading.sentences:
        if any(s <= a < e for a, _ in strong_at) and not any(a < e and s < b for a, b in avoid):
            sentence = " ".join(text[s:e].split())
            if sentence and sentence not in out:
                out.append(sentence)
    return out


# ---- summary ---------------------------------------------------------------------------------------

RANK = {v: i for i, v in enumerate(reversed(VERDICTS))}   # needs-work 0, getting-there 1, strong 2


def best_per_turn(turns_feedback: list[dict]) -> list[dict]:
    """The best attempt at each line (a later attempt wins a tie), in line order."""
    best: dict[int, dict] = {}
    for fb in turns_feedback:
        t = fb["turn"]
        if t not in best or RANK[fb["verdict"]] >= RANK[best[t]["verdict"]]:
            best[t] = fb
    return [best[t] for t in sorted(best)]


def summary(turns_feedback: list[dict], config: ChecksConfig | None = None) -> dict:
    """What went well, what to practise, and the phrases worth keeping, from a session's feedback
    (one or more attempts per line)."""
    config = config or checks_config()
    best = best_per_turn(turns_feedback)
    went_well: list[str] = []
    to_practise: list[str] = []
    if not best:
        return {"went_well": [], "to_practise": ["Answer at least one line to get a summary."],
                "phrases_to_keep": [], "turns": []}
    strong = [fb for fb in best if fb["verdict"] == "strong"]
    if strong:
        went_well.append(f"{len(strong)} of your {len(best)} final answers "
                         f"{'was' if len(strong) == 1 else 'were'} strong.")
    covered = Counter(c["id"] for fb in best for c in fb["covered"] + fb["also"])
    for cid, _ in covered.most_common():
        went_well.append(config.checks[cid].label + ".")
    if not any(fb["concerns"] for fb in best):
        went_well.append("Your final answers stayed calm: nothing confrontational.")
    firsts: dict[int, dict] = {}
    for fb in turns_feedback:
        firsts.setdefault(fb["turn"], fb)
    improved = [fb for fb in best if RANK[fb["verdict"]] > RANK[firsts[fb["turn"]]["verdict"]]]
    if improved:
        went_well.append(f"You made {'an answer' if len(improved) == 1 else f'{len(improved)} answers'} "
                         "stronger by trying again.")
    missed = Counter(m["id"] for fb in best for m in fb["missed"])
    for cid, _ in missed.most_common():
        if cid not in covered:
            to_practise.append(f"{config.checks[cid].missing}. {config.checks[cid].tip}")
    seen_concerns = []
    for fb in turns_feedback:
        for c in fb["concerns"]:
            if c["message"] not in seen_concerns:
                seen_concerns.append(c["message"])
    for message in seen_concerns[:3]:
        to_practise.append(f"Watch for this: {message}")
    if any(fb["gives_up"] for fb in best):
        to_practise.append(config.gives_up_tip)
    phrases: list[str] = []
    for fb in best:
        for p in fb["keep"]:
            if p not in phrases:
                phrases.append(p)
    return {"went_well": went_well, "to_practise": to_practise, "phrases_to_keep": phrases[:10],
            "turns": best}
