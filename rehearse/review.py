"""Reply review sections: the taper-plan check, the prescriber profile and reply ideas, in one pass.

Built once per Analyzer; `sections()` runs inside `Analyzer._sections` for reply mode. Sentences
are parsed only when a plan or profile cue sits in them and a context cue word could change the
reading; sentences the analyser already parsed are reused.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

from . import context, pipeline
from .lexicon import SEVERITY_RANK
from .profile import ProfileReader
from .replies import ReplyIdeas, load_replies
from .resources import data_dir
from .taper import GUIDELINE, MAX_PER_2_WEEKS, START_STEP, Result, TaperChecker, _num, _pct



class ReplyReview:
    def __init__(self, parser: pipeline.Parser, cue_words: frozenset[str], sources: dict, nlp):
        self.parser = parser
        self.cue_words = cue_words
        self.sources = sources
        self.taper = TaperChecker()
        self.profile = ProfileReader(nlp, data_dir("lexicons") / "profile.yaml")
        self.replies: ReplyIdeas = load_replies(data_dir("lexicons") / "replies.yaml", sources)

    def prepare(self, doc: Doc) -> tuple[tuple, list[Span]]:
        """Read the reply without the parse; return that reading and the sentences to parse: every
        sentence holding a plan step (its tense and clauses decide whether it is the plan), and the
        profile cues' sentences when a context cue word is in them."""
        plan_sents = self.taper.candidates(doc)
        read = self.taper.read(plan_sents)
        cue_matches = self.profile.matches(doc)
        sents = {s.start: s for s in self.taper.needs_context(read)}
        for m in cue_matches:   # scan a sentence once, however many cues it holds
            if m.sent.start not in sents and self._has_cue(m.sent):
                sents[m.sent.start] = m.sent
        return (plan_sents, read, cue_matches), [s for _, s in sorted(sents.items())]

    def sections(self, doc: Doc, result: dict, parsed: dict[int, Doc], prepared: tuple | None = None) -> dict:
        """The `taper_plan` and `profile` sections; adds the plan's flag and reply ideas to `result`.

        `prepared` is what `prepare(doc)` returned, when the caller has already parsed the sentences
        it asked for (the analyser parses everything a text needs in one batch)."""
        if prepared is None:
            prepared = self.prepare(doc)
        (plan_sents, read, cue_matches), wanted = prepared
        todo = [s for s in wanted if s.start not in parsed]
        local = dict(parsed)
        for s, sdoc in zip(todo, self.parser.parse(pipeline.sentence_doc(s) for s in todo)):
            local[s.start] = sdoc

        def cues_for(sent: Span, start: int, end: int | None = None) -> set[str]:
            """The context cues of tokens start..end (doc indices) in a sentence."""
            a, b = start - sent.start, (end if end is not None else start + 1) - sent.start
            sdoc = local.get(sent.start)
            if sdoc is None:
                return context.shallow(pipeline.sentence_doc(sent)[a:b]).active()
            span = sdoc[a:b]
            active = context.cues(span, "reply").active()
            if any(t.dep_ in ("csubj", "csubjpass") and t.tag_ == "VBG" for t in span):
                active.add("generic")   # "Stopping it all at once could ...": talk about stopping, not a plan
            return active

        try:
            checked = self.taper.check(doc, plan_sents, cues_for, read)
        except (ArithmeticError, ValueError, IndexError, KeyError, TypeError, AttributeError, StopIteration):
            # never a 500 for a plan we cannot read; the tests run every data set with no "error" here
            checked = unreadable()
        plan = checked.section
        flags = result["flags"]
        if plan.get("too_fast"):
            self._add_plan_flag(doc, result, checked)
        for f in flags:
            if f["polarity"] == "concern":
                f["replies"] = self.replies.for_category(f["category"])
        profile = self.profile.read(doc, flags, plan, cue_matches, cues_for)
        return {"taper_plan": plan, "profile": profile}

    def _has_cue(self, sent: Span) -> bool:
        return any(t.norm_ in self.cue_words or t.lower_ in self.cue_words for t in sent)

    def _add_plan_flag(self, doc: Doc, result: dict, checked) -> None:
        """A `rushed-schedule` concern carrying the plan's numbers.

        Where a lexicon flag of that category already covers the plan's words, the numbers are merged
        into it (its rule, words and examples stay true); otherwise a `reply.taper-too-fast` flag
        covers the plan's words.
        """
        plan = checked.section
        start, end = checked.flag_span
        flags = result["flags"]
        overlapping = [f for f in flags if f["polarity"] == "concern" and f["start"] < end and start < f["end"]]
        if checked.pure_stop and any(f["category"] == "abrupt-stop" for f in overlapping):
            return  # a bare "stop now" is the abrupt-stop flag's business; the section still has the numbers
        per = plan["reduction_per_2_weeks"]
        numbers = {
            "message": (f"This plan removes the whole dose within 2 weeks; the guideline's usual limit is "
                        f"{_pct(MAX_PER_2_WEEKS)} every 2 weeks." if per >= 0.999 else
                        f"This plan removes about {_pct(per)} of the dose every 2 weeks; the guideline's usual "
                        f"limit is {_pct(MAX_PER_2_WEEKS)}."),
            "explanation": plan["explanation"] + " The FDA's 2020 boxed warning says that stopping abruptly or "
                           "reducing the dosage too quickly can cause withdrawal reactions, including seizures.",
            "taper": {"reduction_per_2_weeks": per, "guideline_max_per_2_weeks": MAX_PER_2_WEEKS,
                      "plan_start": start, "plan_end": end},
        }
        suggestions = _plan_replies(plan)   # the category's sourced replies come in `replies`
        sources = [self.sources[s].as_ref() for s in ("asam-2025", "fda-2020") if s in self.sources]
        same = [f for f in overlapping if f["category"] == "rushed-schedule"]
        if same:
            target = max(same, key=lambda f: (SEVERITY_RANK[f["severity"]], f["end"] - f["start"]))
            target.update(numbers)
            target["severity"] = "high"
            target["suggestions"] = suggestions + [x for x in target["suggestions"] if x not in suggestions]
            target["sources"] = sources + [x for x in target["sources"] if x.get("id") not in {"asam-2025", "fda-2020"}]
        else:
            flags.append({
                "rule": "reply.taper-too-fast", "category": "rushed-schedule", "polarity": "concern",
                "severity": "high", "start": start, "end": end, "text": pipeline.text_of(doc)[start:end],
                "message": numbers["message"], "explanation": numbers["explanation"],
                "suggestions": suggestions, "sources": sources, "taper": numbers["taper"],
            })


def unreadable() -> Result:
    section = {"found": False, "too_fast": None, "reduction_per_2_weeks": None, "pace": None,
               "explanation": "rehearse could not read a plan in this reply. If it proposes one, check the doses "
                              "and timing against the guideline by hand.",
               "error": "unreadable", "guideline": GUIDELINE, "evidence": [], "set_aside": [], "points": None}
    return Result(section, None, False)


def _plan_replies(plan: dict) -> list[str]:
    """Calm replies that carry this plan's numbers."""
    per = plan["reduction_per_2_weeks"]
    amount = "all of my dose within 2 weeks" if per >= 0.999 else f"about {_pct(per)} of my dose every 2 weeks"
    out = [f"As I read it, this plan takes away {amount}. The 2025 joint "
           f"guideline suggests starting with 5-10% every 2-4 weeks, and usually no more than 25% every 2 weeks. "
           f"Could we plan smaller steps?"]
    start = plan.get("start_mg")
    if start:
        first = round(start * (1 - START_STEP[1]), 3)   # a first step at the guideline's 10%
        out.append(f"Could we make the first step from {_num(start)} mg to about {_num(first)} mg, hold for 2-4 weeks, "
                   f"and decide the next step together from how I feel?")
    return out
