"""Prepare for an appointment: the resources library, questions to ask, and the one-page brief.

The first seed's steps 1 and 2 (organise your story; bring credible resources) and the second
seed's first-visit questions, as data and as a brief that prints on one page or downloads as
Markdown or plain text. No Flask here: the web layer reads the form and calls these functions.
"""
from __future__ import annotations

import re
import textwrap
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .inputs import normalise_newlines
from .lexicon import KEBAB, LexiconError, Source, load_sources, read_yaml
from .resources import data_dir


@dataclass(frozen=True)
class StoryPart:
    id: str          # the contract's story element id
    label: str       # the heading on the printed brief
    prompt: str      # the gentle prompt under the field


# The first seed's step 1, in its order; ids match the analysis contract's `story.elements`.
STORY = (
    StoryPart("duration_dose", "Medicine, dose and how long",
              "Which medicine, what dose, and for how long. For example: clonazepam 1 mg at night for six years."),
    StoryPart("reason_prescribed", "Why it was prescribed",
              "What it was first prescribed for, and roughly when."),
    StoryPart("past_attempts", "Past attempts to stop or reduce",
              "If you have tried to stop or cut down before: how, and what happened. Leave it empty if not."),
    StoryPart("reason_now", "Why I want to taper now",
              "The main reason you want to come off it now, in a sentence or two."),
    StoryPart("experience", "What I experience",
              "Briefly, what you notice physically, mentally and emotionally while taking it or tapering."),
    StoryPart("taper_wish", "How I would like to taper",
              "The pace you would like to discuss, for example small reductions every few weeks, "
              "slowed or paused if withdrawal gets hard."),
)
STORY_IDS = tuple(part.id for part in STORY)


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    intro: str
    kinds: tuple[str, ...]
    sources: tuple[Source, ...] = ()


# The resources page's sections (the first seed's headings), by each source's `kind`.
GROUPS = (
    Group("guidelines", "Guidelines, manuals and the FDA warning",
          "Written by medical bodies and clinicians: usually what a prescriber takes most seriously.",
          ("guideline", "regulator", "manual")),
    Group("research", "Research",
          "Peer-reviewed and expert-panel papers on withdrawal, lasting symptoms and safer tapering.",
          ("research",)),
    Group("support", "Support organisations",
          "Tools and directories from the benzodiazepine community, including where to find a supportive prescriber.",
          ("support",)),
    Group("communication", "On talking with prescribers",
          "The guide and the research behind rehearse's advice on calm, collaborative wording.",
          ("communication",)),
)

# A new brief starts with these ticked: the guideline, the regulator's warning, and the first survey paper.
DEFAULT_RESOURCES = ("asam-2025", "fda-2020", "reid-finlayson-2022")

NAME_MAX = 100
PART_MAX = 2_000
OWN_QUESTIONS_MAX = 1_000
NOTES_MAX = 4_000
READING_WPM = 200        # a busy reader's pace, for the "minutes to read" estimate
# Beyond this the brief may not fit one page. Measured in Chromium with the print CSS: about 520 words
# printed on one A4 and one Letter page, about 560 spilled onto a second Letter page.
ONE_PAGE_WORDS = 500

_QUESTION_KEYS = {"id", "question", "why", "benzo_wise", "red_flag", "sources", "default"}
_QUESTION_REQUIRED = ("id", "question", "why", "benzo_wise", "red_flag")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    why: str
    benzo_wise: tuple[str, ...]
    red_flag: tuple[str, ...]
    sources: tuple[Source, ...] = ()
    default: bool = False


@dataclass(frozen=True)
class Catalogue:
    """The library and the questions, loaded once per process."""
    sources: dict
    questions: tuple[Question, ...]

    def groups(self) -> tuple[Group, ...]:
        return library(self.sources)

    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def default_questions(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions if q.default)


def load_questions(path: Path | None = None, sources: Mapping[str, Source] | None = None) -> tuple[Question, ...]:
    """Read `questions.yaml`; every problem is reported at once, naming the file and the entry."""
    folder = data_dir("lexicons")
    path = Path(path) if path is not None else folder / "questions.yaml"
    if sources is None:
        sources = load_sources(folder / "sources.yaml")
    data = read_yaml(path)
    if not isinstance(data, dict) or set(data) != {"questions"} or not isinstance(data["questions"], list):
        raise LexiconError(f"{path.name}: expected a top-level `questions:` list and nothing else")
    problems: list[str] = []
    questions: list[Question] = []
    seen: set[str] = set()
    for n, raw in enumerate(data["questions"], 1):
        label = raw.get("id", f"#{n}") if isinstance(raw, dict) else f"#{n}"
        where = f"{path.name}: question {label!r}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        errs: list[str] = []
        unknown = sorted(set(raw) - _QUESTION_KEYS)
        if unknown:
            errs.append(f"unknown keys {unknown}")
        errs += [f"missing {key!r}" for key in _QUESTION_REQUIRED if key not in raw]
        if "id" in raw and not (isinstance(raw["id"], str) and KEBAB.match(raw["id"])):
            errs.append("id must be kebab-case (for example how-long-on-benzos)")
        elif raw.get("id") in seen:
            errs.append("duplicate id")
        for key in ("question", "why"):
            if key in raw and not _text(raw[key]):
                errs.append(f"{key!r} must be a non-empty string")
        for key in ("benzo_wise", "red_flag"):
            if key in raw and not (isinstance(raw[key], list) and 1 <= len(raw[key]) <= 3
                                   and all(_text(v) for v in raw[key])):
                errs.append(f"{key!r} must be a list of 1 to 3 example answers")
        ids = raw.get("sources", [])
        if not (isinstance(ids, list) and all(isinstance(s, str) for s in ids)):
            errs.append("'sources' must be a list of ids from sources.yaml")
            ids = []
        errs += [f"unknown source {sid!r} (add it to sources.yaml)" for sid in ids if sid not in sources]
        if "default" in raw and not isinstance(raw["default"], bool):
            errs.append("'default' must be true or false")
        if errs:
            problems += [f"{where}: {e}" for e in errs]
            continue
        seen.add(raw["id"])
        questions.append(Question(
            id=raw["id"], question=raw["question"].strip(), why=raw["why"].strip(),
            benzo_wise=tuple(v.strip() for v in raw["benzo_wise"]),
            red_flag=tuple(v.strip() for v in raw["red_flag"]),
            sources=tuple(sources[s] for s in ids), default=raw.get("default", False)))
    if problems:
        raise LexiconError(f"{len(problems)} problem(s) in {path.name}:\n" + "\n".join(problems))
    return tuple(questions)


def library(sources: Mapping[str, Source]) -> tuple[Group, ...]:
    """The sources in the resources page's groups, in the library's order; a new kind gets its own group."""
    groups = [Group(g.id, g.title, g.intro, g.kinds, tuple(s for s in sources.values() if s.kind in g.kinds))
              for g in GROUPS]
    known = {k for g in GROUPS for k in g.kinds}
    for kind in dict.fromkeys(s.kind for s in sources.values() if s.kind not in known):
        groups.append(Group(kind, kind.capitalize(), "", (kind,),
                            tuple(s for s in sources.values() if s.kind == kind)))
    return tuple(g for g in groups if g.sources)


_catalogue: Catalogue | None = None
_lock = threading.Lock()


def catalogue() -> Catalogue:
    """The process-wide library and questions (read once)."""
    global _catalogue
    if _catalogue is None:
        with _lock:
            if _catalogue is None:
                sources = load_sources(data_dir("lexicons") / "sources.yaml")
                _catalogue = Catalogue(sources=sources, questions=load_questions(sources=sources))
    return _catalogue


# ---- the brief ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Brief:
    """What the user chose to bring: their story, questions, resources and notes."""
    name: str = ""
    story: tuple[tuple[StoryPart, str], ...] = ()     # only the parts with text, in STORY order
    questions: tuple[str, ...] = ()                   # chosen questions' text, then the user's own
    resources: tuple[Source, ...] = ()
    notes: str = ""

    def words(self) -> int:
        texts = [self.name, self.notes, *(t for _, t in self.story), *self.questions]
        return sum(map(count_words, texts)) + sum(map(source_words, self.resources))

    def minutes(self) -> int:
        return max(1, round(self.words() / READING_WPM))


@dataclass
class Fields:
    """The builder's form as text: everything the user typed or chose, kept even when it is invalid."""
    name: str = ""
    story: dict = field(default_factory=lambda: dict.fromkeys(STORY_IDS, ""))
    own_questions: str = ""
    notes: str = ""
    questions: list = field(default_factory=list)     # chosen question ids
    resources: list = field(default_factory=list)     # chosen source ids
    source_draft: str = ""                            # the draft the story came from, for reference

    @classmethod
    def new(cls, cat: Catalogue, questions: Iterable[str] | None = None,
            resources: Iterable[str] | None = None) -> "Fields":
        """An empty builder with the default ticks (or the given ones, unknown ids dropped)."""
        qs = cat.default_questions() if questions is None else questions
        rs = DEFAULT_RESOURCES if resources is None else resources
        return cls(questions=_known(qs, cat.question_ids()), resources=_known(rs, tuple(cat.sources)))

    @classmethod
    def from_form(cls, form: Mapping[str, Any], question_ids: Iterable[str], resource_ids: Iterable[str],
                  cat: Catalogue) -> "Fields":
        def get(name):
            value = form.get(name, "")
            return normalise(value if isinstance(value, str) else "")
        return cls(name=get("name"), story={pid: get(pid) for pid in STORY_IDS},
                   own_questions=get("own_questions"), notes=get("notes"),
                   questions=_known(question_ids, cat.question_ids()),
                   resources=_known(resource_ids, tuple(cat.sources)), source_draft=get("source_draft"))

    def limits(self) -> list[tuple[str, str, str, int]]:
        """(field id, label, value, limit) for every text field the brief uses."""
        rows = [("name", "Your name", self.name, NAME_MAX)]
        rows += [(p.id, p.label, self.story.get(p.id, ""), PART_MAX) for p in STORY]
        rows += [("own_questions", "Your own questions", self.own_questions, OWN_QUESTIONS_MAX),
                 ("notes", "Notes", self.notes, NOTES_MAX)]
        return rows

    def problems(self) -> list[tuple[str, str]]:
        """(field id, message) for each field that cannot go on the brief; the text itself is kept."""
        out = []
        for fid, label, value, limit in self.limits():
            message = field_problem(value, limit)
            if message:
                out.append((fid, f"{label}: {message}"))
        return out

    def brief(self, cat: Catalogue) -> Brief:
        by_id = {q.id: q for q in cat.questions}
        own = tuple(line.strip(" \t-•*") for line in self.own_questions.splitlines() if line.strip(" \t-•*"))
        return Brief(
            name=self.name.strip(),
            story=tuple((p, self.story[p.id].strip()) for p in STORY if self.story.get(p.id, "").strip()),
            questions=tuple(by_id[q].question for q in self.questions) + own,
            resources=tuple(cat.sources[r] for r in self.resources),
            notes=self.notes.strip())


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def source_words(source: Source) -> int:
    """Words a resource adds to the printed brief (title, citation, what was printed)."""
    return count_words(f"{source.title} {source.citation} {source.print}")


normalise = normalise_newlines


def field_problem(value: str, limit: int) -> str | None:
    """Why a field's text cannot go on the brief (too long, or not text), else None."""
    if len(value) > limit:
        return (f"{len(value):,} characters is more than fits on one page (up to {limit:,}); "
                "please shorten it, the text is still in the box")
    bad = next((c for c in value if (unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS)
                or unicodedata.category(c) == "Cs"), None)
    if bad is not None:
        return (f"it contains a control character (U+{ord(bad):04X}), as a binary file would; "
                "please paste plain text")
    return None


def _known(ids: Iterable[str], known: tuple[str, ...]) -> list[str]:
    wanted = set(ids)
    return [k for k in known if k in wanted]


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


# ---- filling the builder from elsewhere ---------------------------------------------------------

@dataclass(frozen=True)
class Prefilled:
    """What a draft gave the builder: the parts filled, and a note for each part that needs more."""
    filled: tuple[str, ...] = ()
    notes: dict = field(default_factory=dict)     # part id -> what to add (a partly covered part)
    shared: dict = field(default_factory=dict)    # part id -> the part above that holds the same sentence


def prefill(fields: Fields, draft: str, result: dict | None) -> Prefilled:
    """Fill the story from a draft's analysis (`result["story"]`); without one, the draft goes to notes.

    A part found only in part still gets its sentence, with the analysis's note on what to add. A
    sentence that covers two parts goes in the first box only, so the brief never says it twice.
    The whole draft is always kept in `source_draft`.
    """
    fields.source_draft = draft
    elements = ((result or {}).get("story") or {}).get("elements") or []
    filled, notes, shared, used = [], {}, {}, {}
    for element in elements if isinstance(elements, list) else []:
        if not isinstance(element, dict) or element.get("id") not in fields.story:
            continue
        if not (element.get("present") or element.get("partial")):
            continue
        evidence = element.get("evidence")
        if isinstance(evidence, (list, tuple)):
            evidence = " ".join(e for e in evidence if isinstance(e, str))
        if not (isinstance(evidence, str) and evidence.strip()):
            continue
        # a second sentence that completes the part ("... 1 mg every night. I have been on it since 2015.")
        also = [a.get("text") for a in element.get("also") or [] if isinstance(a, dict)]
        also = [a for a in also if isinstance(a, str) and a.strip() and a.strip() not in evidence]
        pid, text = element["id"], " ".join(" ".join([evidence, *also]).split())
        if text in used:
            shared[pid] = used[text]
            continue
        used[text] = pid
        fields.story[pid] = text
        filled.append(pid)
        if not element.get("present") and isinstance(element.get("note"), str) and element["note"].strip():
            notes[pid] = element["note"].strip()
    if not filled:
        fields.notes = _join(fields.notes, draft.strip())
    return Prefilled(filled=tuple(filled), notes=notes, shared=shared)


def add_practice(fields: Fields, practice: str) -> int:
    """Append rehearsed phrases to the notes under "Phrases I practised"; returns how many."""
    lines = [line.strip(" \t-•*") for line in normalise(practice).splitlines()]
    lines = [line for line in lines if line]
    if lines:
        fields.notes = _join(fields.notes, "Phrases I practised:\n" + "\n".join(f"- {line}" for line in lines))
    return len(lines)


def _join(before: str, after: str) -> str:
    return f"{before.rstrip()}\n\n{after}" if before.strip() else after


# ---- rendering ------------------------------------------------------------------------------------

TITLE = "Preparing for my appointment"
DISCLAIMER = ("Not medical advice: my notes for a conversation about tapering, to decide on any "
              "change together with my prescriber.")
CREDIT = "Prepared with rehearse."


def title(brief: Brief) -> str:
    return f"{TITLE}: {brief.name}" if brief.name else TITLE


def render_markdown(brief: Brief) -> str:
    """The brief as Markdown: headings, the story as labelled paragraphs, numbered questions, sources."""
    out = [f"# {_md_lines(title(brief))}", "", f"*{DISCLAIMER}*", ""]
    if brief.story:
        out += ["## My story", ""]
        for part, text in brief.story:
            out += [f"**{part.label}:** {_md_lines(text)}", ""]
    if brief.questions:
        out += ["## Questions I would like to ask", ""]
        out += [f"{i}. {_md_lines(q)}" for i, q in enumerate(brief.questions, 1)] + [""]
    if brief.resources:
        out += ["## What I have brought", ""]
        for s in brief.resources:
            out.append(f"- **{s.title}**  \n  {s.citation}  \n  <{s.url}>")
            if s.print:
                out[-1] += f"  \n  *Printed:* {s.print}"
        out.append("")
    if brief.notes:
        out += ["## Notes", "", _md_lines(brief.notes), ""]
    out += ["---", CREDIT, ""]
    return "\n".join(out)


def render_text(brief: Brief, width: int = 78) -> str:
    """The brief as plain text wrapped at `width`, for a portal message or an email."""
    def wrap(text, indent=""):
        return "\n".join(textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent) or ""
                         for line in text.splitlines())

    def heading(text):
        return [text.upper(), "-" * len(text), ""]

    head = title(brief)
    out = [head, "=" * len(head), "", wrap(DISCLAIMER), ""]
    if brief.story:
        out += heading("My story")
        for part, text in brief.story:
            out += [f"{part.label}:", wrap(text, "  "), ""]
    if brief.questions:
        out += heading("Questions I would like to ask")
        for i, q in enumerate(brief.questions, 1):
            out.append(textwrap.fill(q, width, initial_indent=f"{i}. ", subsequent_indent="   "))
        out.append("")
    if brief.resources:
        out += heading("What I have brought")
        for s in brief.resources:
            out += [textwrap.fill(s.title, width, initial_indent="* ", subsequent_indent="  "),
                    wrap(s.citation, "  "), f"  {s.url}"]
            if s.print:
                out.append(wrap(f"Printed: {s.print}", "  "))
            out.append("")
    if brief.notes:
        out += heading("Notes") + [wrap(brief.notes), ""]
    out += [CREDIT, ""]
    return "\n".join(out)


def _md_lines(text: str) -> str:
    """The user's text for Markdown: line breaks kept (two spaces, then newline), and `<` escaped so a
    Markdown viewer shows any markup as typed instead of rendering it."""
    return "  \n".join(line.rstrip().replace("<", "\\<") for line in text.splitlines())
