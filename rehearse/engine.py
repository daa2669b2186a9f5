"""The analyser: cheap lexicon matching on tokens, then context from the parse where it matters."""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import context, pipeline, rewrite, tone
from .classifier import GATE_WAIVED_AT, Concepts, SentenceModel, load_families
from .inflect import Inflector
from .inputs import check_mode, check_text
from .lexicon import SEVERITY_RANK, Entry, Lexicon, load_lexicon
from .matching import LexiconMatcher
from .medicines import medicines
from .resources import data_dir
from .review import ReplyReview   # taper plan, prescriber profile, reply ideas
from .story import StoryChecker

# Function words a flagged span should not end on.
_TRAILING = {"a", "an", "the", "at", "to", "of", "for", "in", "on", "with", "by", "from", "as", "and", "or",
             "my", "your", "his", "her", "their", "our", "this", "that", "these", "those", "some", "any"}


@dataclass
class _Candidate:
    entry: Entry
    start: int  # token indices in the full doc
    end: int
    sent: Span
    confidence: float | None = None   # set when the sentence model, not a pattern, proposed it


class Analyzer:
    """Holds the pipeline, the lexicon and compiled matchers; `analyse` is safe to call from threads."""

    def __init__(self, nlp=None, lexicon: Lexicon | None = None, use_model: bool = True):
        self.nlp = nlp if nlp is not None else pipeline.load()
        inflector = Inflector.from_nlp(self.nlp)
        vocab = self.nlp.vocab
        self.lexicon = lexicon or load_lexicon(data_dir("lexicons"), inflector.forms,
                                               normalise=_normaliser(vocab))
        self.entries = self.lexicon.by_id()
        self.parser = pipeline.Parser(self.nlp)
        self._matchers = {mode: LexiconMatcher(self.nlp, self.lexicon.for_mode(mode)) for mode in ("draft", "reply")}
        self.tone = tone.ToneScorer(self.nlp)
        self._cue_words = context.cue_words(inflector.forms)
        self._past_words = context.past_words(self.nlp)
        self.story = StoryChecker(self.nlp, self.parser)
        self._reply_review = ReplyReview(self.parser, self._cue_words, self.lexicon.sources, self.nlp)
        # the sentence model: a second opinion for red flags in words no pattern lists (classifier.py)
        lex_dir = data_dir("lexicons")
        self.concepts = Concepts.load(lex_dir / "concepts.yaml", drugs=medicines().names)
        self.categories, self.families, self.gates = load_families(
            lex_dir / "categories.yaml", self.lexicon.sources, self.concepts)
        self.models: dict[str, SentenceModel | None] = {}
        for mode in ("draft", "reply"):
            path = lex_dir / "model" / f"{mode}.json"
            self.models[mode] = SentenceModel.load(path, self.concepts) if use_model and path.exists() else None

    # ---- public -------------------------------------------------------------------------
    def analyse(self, text: str, mode: str = "draft") -> dict:
        check_mode(mode)
        text = check_text(text)
        return next(self._analyse_docs([self._tokenise(text)], mode))

    def analyse_many(self, texts: Iterable[str], mode: str = "draft", batch_size: int = 64) -> Iterator[dict]:
        """Stream analyses for many texts; items that are not valid text yield {"error": ...}."""
        check_mode(mode)
        chunk: list = []
        for text in texts:
            chunk.append(text)
            if len(chunk) >= batch_size:
                yield from self._analyse_chunk(chunk, mode)
                chunk = []
        if chunk:
            yield from self._analyse_chunk(chunk, mode)

    # ---- internals ------------------------------------------------------------------------
    def _analyse_chunk(self, texts: list, mode: str) -> Iterator[dict]:
        docs, errors = [], {}
        for i, text in enumerate(texts):
            if isinstance(text, Exception):  # a caller's placeholder for an unreadable item
                errors[i] = {"error": str(text)}
                docs.append(None)
                continue
            try:
                docs.append(self._tokenise(check_text(text)))
            except ValueError as exc:
                errors[i] = {"error": str(exc)}
                docs.append(None)
        results = iter(self._analyse_docs([d for d in docs if d is not None], mode))
        for i, doc in enumerate(docs):
            yield errors[i] if doc is None else next(results)

    def _tokenise(self, text: str) -> Doc:
        doc = pipeline.segment(self.nlp.make_doc(text))
        doc.user_data["rehearse_text"] = text
        return doc

    def _candidates(self, doc: Doc, mode: str) -> list[_Candidate]:
        sents = list(doc.sents)  # once: Doc.sents and Token.sent walk the whole doc each time
        starts = [s.start for s in sents]
        by_entry: dict[str, list[Span]] = defaultdict(list)
        for eid, start, end in self._matchers[mode](doc, sents):
            by_entry[eid].append(doc[start:end])
        out = []
        for eid, spans in by_entry.items():
            for span in filter_spans(spans):
                # a match never crosses a sentence boundary, nor ends on punctuation it needed as context
                sent = sents[bisect_right(starts, span.start) - 1]
                end = min(span.end, sent.end)
                # a run of "!!" / "?!" is what some entries flag: keep it
                loud = end - span.start >= 2 and all(set(t.text) <= set("!?") for t in doc[end - 2:end])
                wordy = not loud and any(t.is_alpha for t in doc[span.start:end])
                # patterns may look one word ahead ("give me [a]"); the flag ends on the last content word
                while wordy and end - span.start > 1 and (doc[end - 1].is_punct or doc[end - 1].is_space
                                                          or (end - span.start > 2 and doc[end - 1].norm_ in _TRAILING)):
                    end -= 1
                start = span.start
                while wordy and end - start > 1 and (doc[start].is_punct or doc[start].is_space):
                    start += 1
                span = doc[start:end]
                out.append(_Candidate(self.entries[eid], span.start, span.end, sent))
        model = self.models[mode]
        if model is not None:
            # sentences the rules say nothing of (no concern matched, flagged or set aside) get a
            # second reading; the model's candidate still has to pass the parse's context checks
            taken = {c.sent.start for c in out if c.entry.polarity == "concern"}
            families, gates = self.families[mode], self.gates[mode]
            about: set[str] | None = None   # the text's concepts, read once if a gate asks
            for unit in _units(sents):
                if any(s.start in taken for s in unit):
                    continue
                span = doc[unit[0].start:unit[-1].end]
                verdict = model(span)
                if verdict is None or verdict.category not in families:
                    continue
                gate = gates[verdict.category]
                if gate.topic and about is None and (gate.strict or verdict.probability < GATE_WAIVED_AT):
                    about = self.concepts.present(doc)
                if not gate.allows(about or set(), self.concepts.present(span) if gate.cue else set(),
                                   verdict.probability):
                    continue
                toks = [t for t in span if not t.is_space]
                peak = toks[verdict.peak]
                sent = next(s for s in unit if s.start <= peak.i < s.end)
                start = max(toks[verdict.evidence[0]].i, sent.start)
                end = min(toks[verdict.evidence[1] - 1].i + 1, sent.end)
                while end - start > 1 and (doc[end - 1].is_punct or doc[end - 1].is_space):
                    end -= 1
                out.append(_Candidate(families[verdict.category], start, end, sent, verdict.probability))
        return out

    def _analyse_docs(self, docs: list[Doc], mode: str) -> Iterator[dict]:
        per_doc = [self._candidates(doc, mode) for doc in docs]
        prepared = [self._prepare_sections(doc, mode) for doc in docs]
        # parse, once and in one batch, each sentence that holds a candidate needing context and
        # each sentence a section asked for (a parser call has a fixed cost: one call, not three)
        wanted: dict[tuple[int, int], Span] = {}
        has_cue: dict[tuple[int, int], tuple[bool, bool]] = {}   # sentence -> (cue word, possible past)
        for d, cands in enumerate(per_doc):
            for c in cands:
                key = (d, c.sent.start)
                if key not in wanted and self._needs_parse(c, has_cue, key):
                    wanted[key] = c.sent
        for d, (_state, sents) in enumerate(prepared):
            for sent in sents:
                wanted.setdefault((d, sent.start), sent)
        parsed: list[dict[int, Doc]] = [{} for _ in docs]
        for (d, start), sdoc in zip(wanted, self.parser.parse(pipeline.sentence_doc(s) for s in wanted.values())):
            parsed[d][start] = sdoc
        for doc, cands, doc_parsed, prep in zip(docs, per_doc, parsed, prepared):
            yield self._result(doc, mode, cands, doc_parsed, prep)

    def _needs_parse(self, c: _Candidate, has_cue: dict, key) -> bool:
        """Parse a candidate's sentence only if the parse can change the outcome."""
        e = c.entry
        if e.subject or e.rewrite not in (None, "shouting"):
            return True
        if not (e.suppressors - {"quoted", "question"}) and not e.when_negated:
            return False
        if key not in has_cue:  # one scan per sentence, however many candidates it holds
            cue = past = False
            for t in c.sent:
                cue = cue or t.norm_ in self._cue_words or t.lower_ in self._cue_words
                past = past or t.norm_ in self._past_words or context.could_be_past(t)
            has_cue[key] = (cue, past)
        cue, past = has_cue[key]
        return cue or (past and "historical" in e.suppressors)

    def _prepare_sections(self, doc: Doc, mode: str) -> tuple:
        """Each section's reading without the parse, and the sentences it needs parsed."""
        if mode == "draft":
            return self.story.prepare(doc)
        return self._reply_review.prepare(doc)

    def _result(self, doc: Doc, mode: str, cands: list[_Candidate], parsed: dict[int, Doc],
                prepared: tuple | None = None) -> dict:
        flags, suppressed = [], []
        shallow_docs: dict[int, Doc] = {}
        benzo_wise: set[int] = set()   # sentences where a strength was raised: the model stays out
        other_treatment: dict[int, str | None] = {}   # sentence -> the other medicine it is about, if any
        for c in cands:
            entry = c.entry
            if c.confidence is not None and c.sent.start in benzo_wise:
                continue
            sdoc = parsed.get(c.sent.start)
            base = sdoc if sdoc is not None else shallow_docs.setdefault(c.sent.start, pipeline.sentence_doc(c.sent))
            local = base[c.start - c.sent.start:c.end - c.sent.start]
            cues = context.cues(local, mode) if sdoc is not None else context.shallow(local)
            active = cues.active()
            if "negated" in active and entry.when_negated:
                target = self.entries[entry.when_negated]
                if not (active - {"negated"}) & target.suppressors:
                    flags.append(self._flag(doc, c, target, sdoc, local))
                    if target.polarity == "strength":
                        benzo_wise.add(c.sent.start)
                    continue
            blocking = active & entry.suppressors
            if entry.unless_sentence_has:
                words = {t.norm_ for t in c.sent} & entry.unless_sentence_has
                if words:
                    blocking = blocking | {f"sentence has '{sorted(words)[0]}'"}
            if entry.subject and not _subject_ok(entry.subject, cues.subject):
                blocking = blocking | {f"subject is {cues.subject or 'unclear'}"}
            if mode == "reply" and entry.polarity == "concern":
                if c.sent.start not in other_treatment:
                    other_treatment[c.sent.start] = medicines().other_treatment(t.text for t in c.sent)
                other = other_treatment[c.sent.start]
                if other:
                    blocking = blocking | {f"about another medicine or treatment ('{other}')"}
            if blocking:
                start, end = doc[c.start].idx, _end_char(doc, c.end)
                suppressed.append({"rule": entry.id, "polarity": entry.polarity,
                                   "start": start, "end": end, "text": pipeline.text_of(doc)[start:end],
                                   "reasons": [*cues.reasons, *sorted(b for b in blocking if " " in b)]
                                   or sorted(blocking)})
                continue
            flags.append(self._flag(doc, c, entry, sdoc, local))
            if entry.polarity == "strength":
                benzo_wise.add(c.sent.start)
        flags = _dedupe(flags)
        score, markers = self.tone.score(doc, flags)
        result = {
            "mode": mode,
            "flags": flags,
            "summary": {"concerns": 0, "strengths": 0, "collaboration": score,
                        "tone": markers, "words": sum(1 for t in doc if t.is_alpha or t.like_num)},
            "suppressed": suppressed,
        }
        result.update(self._sections(doc, mode, result, parsed, prepared))
        # after the sections, which may add a flag (a too-fast taper plan) or raise one's severity
        flags.sort(key=lambda f: (f["start"], -SEVERITY_RANK[f["severity"]]))
        result["summary"]["concerns"] = sum(f["polarity"] == "concern" for f in flags)
        result["summary"]["strengths"] = len(flags) - result["summary"]["concerns"]
        return result

    def _sections(self, doc: Doc, mode: str, result: dict, parsed: dict[int, Doc], prepared: tuple | None = None) -> dict:
        """The contract's later sections: `story` for drafts; `taper_plan` and `profile` for replies.

        `parsed` maps a sentence's start token to its parsed copy, for the sentences already parsed.
        A section may add flags to `result["flags"]` or change them; they are sorted and counted after.
        """
        sections: dict = {}
        if mode == "draft":
            sections["story"] = self.story.check(doc, parsed, prepared)
        else:
            sections.update(self._reply_review.sections(doc, result, parsed, prepared))  # issue 5
        return sections

    def _flag(self, doc: Doc, c: _Candidate, entry: Entry, sdoc: Doc | None, local: Span) -> dict:
        start, end = doc[c.start].idx, _end_char(doc, c.end)
        suggestions = list(entry.suggestions)
        flag = {
            "rule": entry.id, "category": entry.category, "polarity": entry.polarity,
            "severity": entry.severity, "start": start, "end": end, "text": pipeline.text_of(doc)[start:end],
            "message": entry.message, "explanation": entry.explanation,
            "suggestions": suggestions,
            "sources": [s.as_ref() for s in entry.sources],
        }
        if c.confidence is not None and entry is c.entry:
            flag["detector"] = "model"   # read as this family by the sentence model, not a listed phrase
            flag["confidence"] = round(c.confidence, 3)
        if entry.rewrite and entry.polarity == "concern":
            rw = rewrite.rewrite(entry.rewrite, local, sdoc, c.sent)
            if rw is not None:
                flag["rewrite"] = rw  # {"start", "end", "text"}: replace that range of the text
                if rw["text"] not in suggestions:
                    suggestions.insert(0, rw["text"])
        return flag


def _units(sents: list[Span]) -> list[list[Span]]:
    """Sentences as a reader takes them: pieces split at ";" go back together for the model."""
    units: list[list[Span]] = []
    joined = False
    for sent in sents:
        if joined and units:
            units[-1].append(sent)
        else:
            units.append([sent])
        last = next((t for t in reversed(sent) if not t.is_space), None)
        joined = last is not None and last.text == ";" and not any(t.is_space and "\n" in t.text for t in sent[-2:])
    return units


def _normaliser(vocab):
    """A word's NORM as the tokenizer gives it. Words go straight to the pipeline's norm table:
    asking the vocab would create (and keep) a lexeme for each of the lexicons' ~8,000 forms."""
    table = vocab.lookups.get_table("lexeme_norm") if vocab.lookups.has_table("lexeme_norm") else None

    def normalise(word: str) -> str:
        if table is not None and word.isalpha():
            return table.get(word, word.lower())
        return vocab[word].norm_
    return normalise


def _end_char(doc: Doc, end: int) -> int:
    tok = doc[end - 1]
    return tok.idx + len(tok.text)


def _subject_ok(required: str, found: str | None) -> bool:
    if required == "not-first":
        return found != "first"
    return found == required


def _dedupe(flags: list[dict]) -> list[dict]:
    """Where flags of one polarity and category overlap, keep the most severe (then the longest).

    Overlapping flags of different categories are kept: "YOU NEVER LISTEN" is both shouting and
    an accusation, and each has its own advice.
    """
    kept: list[dict] = []
    for f in sorted(flags, key=lambda f: (-SEVERITY_RANK[f["severity"]], -(f["end"] - f["start"]), f["start"])):
        if any(k["polarity"] == f["polarity"] and k["category"] == f["category"]
               and k["start"] < f["end"] and f["start"] < k["end"] for k in kept):
            continue
        kept.append(f)
    return kept
