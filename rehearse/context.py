"""Context of a matched phrase, read from the dependency parse (after NegEx and medspaCy ConText).

A phrase that is negated, reported in order to be rejected, hypothetical, asked about, in quotes,
or about the patient's own past is not what the speaker is telling the listener to accept.
`cues(span)` returns which of these hold, with a short reason for each.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

NEGATORS = {"not", "never", "no", "nobody", "nothing", "none", "neither", "nor", "nowhere",
            "hardly", "barely", "scarcely"}
PAST_MARKERS = {"before", "ago", "last", "previously", "once", "earlier", "back", "formerly", "then", "yesterday"}
NEGATIVE_SUBJECTS = {"nobody", "nothing", "none", "noone", "neither"}
# Governors whose object/complement is rejected: "avoid stopping", "a myth that ...".
REJECTORS = {"avoid", "prevent", "discourage", "warn", "caution", "refuse", "reject", "disagree",
             "debunk", "dispute", "deny", "disprove", "against", "myth", "misconception", "mistake",
             "misinformation", "misunderstanding", "wrong", "false", "untrue", "dangerous", "unsafe",
             "risky", "harmful", "outdated", "nonsense", "bad", "terrible", "reckless", "inaccurate",
             "incorrect", "misleading", "irresponsible", "unwise", "ill-advised", "mistaken", "lie",
             "stereotype", "oversimplification", "old-fashioned", "rubbish", "baloney", "bogus",
             "fiction", "hazardous", "unhelpful", "problematic", "wrongly", "mistakenly", "unfairly",
             "falsely", "incorrectly", "erroneously", "unjustly", "inappropriately"}
# In a prescriber's words, judging an act unfair rejects it ("calling you drug-seeking is unfair");
# in a patient's draft the same words are blame ("it is unfair that you never listen").
REPLY_REJECTORS = REJECTORS | {"unfair", "unjust", "insulting", "offensive", "stigmatising", "stigmatizing",
                               "unkind", "cruel", "unacceptable"}
# Verbs of saying and believing: what they introduce is someone's claim.
REPORT_VERBS = {"say", "tell", "claim", "think", "believe", "suggest", "insist", "assume", "hear",
                "read", "argue", "state", "mention", "assert", "maintain", "allege", "feel", "reckon",
                "suppose", "imply", "write", "post", "advise", "recommend", "promise", "assure",
                "guarantee", "swear", "teach", "learn", "convince", "persuade", "warn",
                "expect", "hope", "wish", "wonder", "agree", "consider", "insinuate",
                "repeat", "hint", "announce", "explain", "call", "label", "dismiss", "brush", "let", "worry", "fear"}
# "consider", "imagine", "wonder" ask for a view rather than report one.
HEARSAY_VERBS = {"hear", "read", "learn", "see", "find"}
REPORT_NOUNS = {"idea", "notion", "claim", "belief", "myth", "advice", "saying", "assumption",
                "view", "argument", "statement", "suggestion", "misconception", "story", "rumour",
                "rumor", "theory", "line", "thinking", "attitude", "message", "impression", "opinion"}
# "the old advice was to ...": a view the speaker presents as superseded
SUPERSEDED = {"old", "older", "outdated", "previous", "former", "traditional", "obsolete", "discredited",
              "dated", "earlier"}
SPEECH_VERBS = {"say", "tell", "claim", "suggest", "insist", "hear", "read", "write", "post", "warn", "call", "label"}
JUST_NOW = {"today", "now", "tonight", "immediately", "effective", "forthwith", "henceforth", "already", "just"}
HYPOTHETICAL_MARKS = {"if", "unless", "whether", "lest", "suppose", "supposing", "assuming", "provided"}
TAG_QUESTIONS = {"okay", "ok", "right", "alright", "yes", "yeah", "fair", "agreed", "good", "clear",
                 "understood", "deal", "see", "sound"}
QUOTES = {'"', "“", "”", "«", "»", "„", "‘", "’", "'"}  # apostrophes in "don't" are not lone tokens
FIRST = {"i", "me", "we", "us", "my", "our", "myself", "ourselves"}
SECOND = {"you", "your", "yourself", "yourselves", "u", "ya"}
CLAUSE_UP = {"xcomp", "ccomp", "csubj", "csubjpass", "advcl", "relcl", "acl", "conj", "pcomp",
             "pobj", "prep", "dobj", "nsubj", "nsubjpass", "attr", "acomp", "parataxis", "oprd",
             "appos", "advmod", "amod", "compound", "npadvmod", "dep", "aux", "auxpass", "neg",
             "det", "poss", "cc", "mark"}


@dataclass(frozen=True)
class Cues:
    negated: bool = False
    reported: bool = False
    hypothetical: bool = False
    question: bool = False
    historical: bool = False
    quoted: bool = False
    subject: str | None = None  # person of the clause's subject: first/second/third, or None
    reasons: tuple[str, ...] = ()

    def active(self) -> set[str]:
        return {n for n in ("negated", "reported", "hypothetical", "question", "historical", "quoted")
                if getattr(self, n)}


def _lemma(tok: Token) -> str:
    return (tok.lemma_ or tok.norm_).lower()


def _chain(span: Span, start: Token | None = None) -> list[Token]:
    """The match's root (or `start`) and every token that governs it, up to the sentence root."""
    tok = span.root if start is None else start
    chain = [tok]
    seen = {tok.i}
    while tok.head.i != tok.i and tok.head.i not in seen:
        tok = tok.head
        seen.add(tok.i)
        chain.append(tok)
    return chain


def _is_negator(child: Token) -> bool:
    n = child.norm_.lower()
    if child.dep_ == "neg":
        return True
    if n in NEGATORS and child.dep_ in ("advmod", "det", "preconj", "cc", "prep", "dep", "npadvmod"):
        return True
    if child.dep_ in ("nsubj", "nsubjpass") and (n in NEGATIVE_SUBJECTS or
                                                  any(c.norm_ == "no" and c.dep_ == "det" for c in child.children)):
        return True
    # "at no point", "under no circumstances", "in no case": a prepositional negation
    if child.dep_ == "prep" and any(o.dep_ == "pobj" and any(d.norm_ == "no" and d.dep_ == "det" for d in o.children)
                                    for o in child.children):
        return True
    return False


TOO_WHAT = {"fast", "quick", "rapid", "aggressive", "rushed", "short", "soon", "abrupt", "steep", "big",
            "much", "hasty", "sudden", "early", "harsh", "drastic", "risky"}


def _too_fast(tok: Token) -> bool:
    """'... would be (far) too fast': an excess judgement rejects what it describes."""
    return _lemma(tok) in TOO_WHAT and any(c.norm_ == "too" for c in tok.children)


def _contrastive(neg: Token, span: Span) -> bool:
    """'..., not mine' after the phrase contrasts rather than negates it."""
    doc = neg.doc
    if neg.i < span.end or neg.i == 0 or doc[neg.i - 1].text not in (",", ";", "-", "—", "–"):
        return False
    nxt = doc[neg.i + 1] if neg.i + 1 < len(doc) else None
    return nxt is None or nxt.pos_ not in ("VERB", "AUX")


GENERIC_DETS = {"some", "many", "other", "certain", "most", "few", "several"}
GENERIC_SUBJECTS = {"some", "others", "people", "many", "they", "folks", "someone", "somebody"}


def _generic_others(verb: Token) -> bool:
    """The clause's subject is other people in general ("some doctors", "people", "others")."""
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            if child.norm_ in GENERIC_SUBJECTS:
                return True
            return any(c.dep_ in ("det", "amod") and c.norm_ in GENERIC_DETS for c in child.children)
    return False


def _contrast_after(verb: Token, span: Span) -> bool:
    doc = verb.doc
    return any(t.norm_ in ("but", "however", "yet", "although", "though") for t in doc[span.end:])


def _subject_person(verb: Token) -> str | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass", "expl"):
            n = child.norm_.lower()
            if n in FIRST:
                return "first"
            if n in SECOND:
                return "second"
            return "third"
    return None


def _first_verb(chain: list[Token]) -> Token | None:
    for tok in chain:
        if tok.pos_ in ("VERB", "AUX"):
            return tok
    return None


def cues(span: Span, mode: str) -> Cues:
    """Read the context of `span` (a span of a parsed sentence doc)."""
    sent = span.doc
    span_ids = set(range(span.start, span.end))
    chain = _chain(span)
    chain_ids = {t.i for t in chain}
    reasons: list[str] = []

    # --- negation and rejection: count operators that scope over the phrase (parity) ---
    rejectors = REPLY_REJECTORS if mode == "reply" else REJECTORS
    flips = 0
    for level, tok in enumerate(chain):
        # Above the phrase's own clause, negation reaches down only through control/report verbs
        # and copulas ("I don't think you can just stop"; "it is not true that ...").
        if level > 0 and (_spliced(chain[level - 1], tok) or not _passes_negation(chain[level - 1], tok)):
            break
        for child in tok.children:
            if child.i in span_ids or child.i in chain_ids:
                continue
            if _is_negator(child) and not _contrastive(child, span) and not _in_tag_question(child):
                flips += 1
                reasons.append(f"negated by '{child.text}'")
            elif child.dep_ in ("nsubj", "attr") and tok.i not in span_ids and any(
                    c.dep_ == "amod" and (_lemma(c) in rejectors or c.norm_ in ("worst", "bad", "dangerous"))
                    for c in child.children):
                flips += 1
                reasons.append(f"rejected as '{child.text}'")  # "the worst thing you can do is ..."
            elif child.dep_ in ("acomp", "attr") and _too_fast(child) and tok.i not in span_ids:
                flips += 1
                reasons.append(f"rejected as 'too {child.text}'")
            elif child.dep_ in ("acomp", "attr", "advmod", "dobj") and tok.i not in span_ids and (
                    _lemma(child) in rejectors or child.norm_ in rejectors):
                flips += 1
                reasons.append(f"rejected as '{child.text}'")
        if level > 0 and tok.i not in span_ids and tok.norm_ in ("nothing", "none") and tok.dep_ in (
                "attr", "nsubj", "dobj") and chain[level - 1].dep_ in ("prep", "pobj"):
            flips += 1  # "there is nothing in your record about drug-seeking"
            reasons.append(f"negated by '{tok.text}'")
        if tok.norm_ == "far" and any(c.norm_ == "from" and c.i in chain_ids for c in tok.children):
            flips += 1
            reasons.append("rejected by 'far from'")
        if tok.i not in span_ids and (_lemma(tok) in rejectors or tok.norm_ in rejectors):
            flips += 1
            reasons.append(f"rejected by '{tok.text}'")
    # modifiers hanging off the phrase's inner words: "[no way] withdrawal is severe"
    for tok in span:
        if tok.i == span.root.i:
            continue
        for child in tok.children:
            if child.i in span_ids or child.i > span.start:
                continue
            if _is_negator(child) or (child.pos_ in ("NOUN", "PRON") and any(
                    c.dep_ == "det" and c.norm_ == "no" for c in child.children)):
                flips += 1
                reasons.append(f"negated by '{child.text}'")
    # "we'd adjust the plan rather than push through", "instead of stopping cold turkey": set aside
    before = [t.norm_.lower() for t in sent[max(0, span.start - 2):span.start]]
    if before in (["rather", "than"], ["instead", "of"]):
        flips += 1
        reasons.append(f"rejected by '{' '.join(before)}'")
    negated = flips % 2 == 1

    # --- reported speech or belief of someone other than the speaker ---
    reported = False
    # The parser sometimes splits a phrase between two heads ("People used to claim [withdrawal
    # only lasts] a week": "withdrawal" under "claim", "lasts" under "used"): follow every exit.
    # A verb whose subject is inside the phrase is the phrase's own ("what [the Ashton Manual] says").
    chains = [chain] + [_chain(span, t) for t in span if t.i != span.root.i and t.head.i not in span_ids]
    # From a second exit, only a complement clause or object leads to the report ("claim [withdrawal ...]").
    links = [(prev, tok) for n, ch in enumerate(chains) for k, (prev, tok) in enumerate(zip(ch, ch[1:]))
             if n == 0 or (tok.i not in span_ids and (k > 0 or prev.dep_ in ("ccomp", "xcomp", "dobj"))
                           and not any(c.dep_ in ("nsubj", "nsubjpass") and c.i in span_ids for c in tok.children))]
    for prev, tok in links:
        lem = _lemma(tok)
        if lem in ("mean", "prove", "show") and any(c.dep_ == "nsubj" and c.norm_ in ("which", "that", "this", "it")
                                                     for c in tok.children):
            break  # "..., which means you misled me": the speaker's own conclusion, not the report

        # the claim is the verb's complement ("say that ...", "told me to ..."), or a parenthetical
        # after it ("..., some doctors say"); never a clause merely joined to it by "and" or a comma
        complement = prev.dep_ in ("ccomp", "xcomp", "dobj", "oprd", "pcomp", "prep") or (
            prev.dep_ == "parataxis" and tok.i > span.end)
        if tok.pos_ in ("VERB", "AUX") and lem in REPORT_VERBS and complement and tok.dep_ == "xcomp" \
                and tok.head.norm_ == "used":
            reported = True   # "I used to think two-week tapers were fine": a belief given up
            reasons.append(f"reported as a view given up ('used to {tok.text}')")
            break
        if tok.pos_ in ("VERB", "AUX") and lem in REPORT_VERBS and complement:
            person = _subject_person(tok)
            passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)
            asked = person == "second" and is_question(sent, span)  # "Would you consider ...?"
            hearsay = person == "first" and lem in HEARSAY_VERBS and prev.dep_ == "ccomp"  # "I read that ..."
            if not asked and (passive or person in ("second", "third") or hearsay):
                reported = True
                reasons.append(f"reported ('{tok.text}')")
                break
            if person is None and lem in ("say", "tell", "claim"):
                # "Some say ...", imperative "Don't let anyone tell you ..."
                reported = True
                reasons.append(f"reported ('{tok.text}')")
                break
        if tok.pos_ in ("NOUN", "PROPN") and lem in REPORT_NOUNS and prev.dep_ in ("acl", "ccomp", "relcl", "appos", "prep", "pobj"):
            reported = True
            reasons.append(f"reported as a '{tok.text}'")
            break
        if lem == "be" and prev.dep_ in ("xcomp", "attr", "ccomp", "acomp") and any(
                c.dep_ in ("nsubj", "nsubjpass") and _lemma(c) in REPORT_NOUNS
                and any(m.dep_ == "amod" and m.norm_ in SUPERSEDED for m in c.children) for c in tok.children):
            reported = True  # "The old advice was to halve the dose every week; ..."
            reasons.append("reported as superseded advice")
            break
        if lem == "accord" or (tok.norm_ == "to" and tok.head.norm_ == "according"):
            reported = True
            reasons.append("reported ('according to')")
            break

    # "Some patients want X, but ..." / "Some people online claim X, but ...": a view attributed to
    # others and answered with a contrast is being set aside
    if not reported:
        others = next((t for t in chain if t.pos_ in ("VERB", "AUX") and _generic_others(t)), None)
        if others is not None and _contrast_after(others, span):
            reported = True
            reasons.append("others' view, then contrasted ('but')")

    # --- hypothetical ---
    hypothetical = False
    for prev, tok in zip([None, *chain], chain):
        # "Were you to stop ...", "Had you stopped ...", "Should you stop ...": subject-aux inversion
        # (the phrase's own clause may be the inverted one: "Had you [come off it all at once], ...")
        if tok.dep_ == "advcl" and not is_question(sent, span):
            subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            inverted = [a for a in [tok, *tok.children] if (a is tok or a.dep_ in ("aux", "auxpass"))
                        and a.norm_.lower() in ("were", "had", "should") and subj is not None and a.i < subj.i]
            if inverted:
                hypothetical = True
                reasons.append(f"hypothetical (inverted '{inverted[0].text}')")
                break
        # "Suppose we reduced by half: ...": an imperative supposition
        if prev is not None and prev.dep_ == "ccomp" and _lemma(tok) in ("suppose", "assume") and tok.tag_ == "VB" \
                and tok.dep_ == "ROOT" and _subject_person(tok) is None:
            hypothetical = True
            reasons.append(f"hypothetical ('{tok.text}')")
            break
    for tok in ([] if hypothetical else chain):
        for child in tok.children:
            if child.dep_ in ("mark", "advmod") and child.norm_.lower() in HYPOTHETICAL_MARKS:
                hypothetical = True
                reasons.append(f"hypothetical ('{child.text}')")
                break
            # "If anyone tells you [it's all in your head], ...": the parser often hangs the if-clause
            # of the report on the reported clause itself; the phrase is then what someone might say
            if child.dep_ == "advcl" and child.i < span.start and _lemma(child) in SPEECH_VERBS and any(
                    m.dep_ == "mark" and m.norm_.lower() in HYPOTHETICAL_MARKS for m in child.children):
                hypothetical = True
                reasons.append(f"what someone might say ('if ... {child.text}')")
                break
        if hypothetical:
            break

    # --- asked, not told ---
    question = is_question(sent, span)
    if question:
        reasons.append("asked as a question")

    # --- the listener's or speaker's own past, not advice now ---
    historical = False
    verb = _first_verb(chain)
    if verb is not None and verb.pos_ == "VERB":
        auxes = {c.norm_.lower() for c in verb.children if c.dep_ in ("aux", "auxpass")}
        modal = auxes & {"would", "should", "could", "might", "must", "will", "may", "can"}
        # simple past and past perfect; a present perfect only with a time in the past
        # ("you have stopped abruptly before"), since "the decision has been made" is about now
        perfect = verb.tag_ == "VBN" and auxes & {"have", "has", "'ve"} and any(
            t.norm_ in PAST_MARKERS or (t.like_num and len(t.text) == 4) for t in verb.subtree)
        # a simple past passive too: "the clonazepam was cut in half last spring", "you were given a two-week taper"
        # ... but not an announcement of what was just done ("your Xanax was discontinued as of today")
        # nor a reason given now ("this is exactly why you were put on it")
        passive_past = verb.tag_ == "VBN" and bool(auxes & {"was", "were"}) and not any(
            t.norm_ in JUST_NOW for t in verb.subtree) and not any(
            c.dep_ == "advmod" and c.norm_ in ("why", "how") for c in verb.children)
        if not modal and (verb.tag_ == "VBD" or perfect or passive_past or (verb.tag_ == "VBN" and auxes & {"had", "'d"})):
            # the listener's or someone else's past ("you stopped", "your last doctor cut it");
            # the speaker's own past claims ("I've never seen anyone struggle") still count
            if _subject_person(verb) in ("second", "third"):
                historical = True
                reasons.append(f"about the past ('{verb.text}')")
        elif (verb.head.norm_ == "used" and verb.dep_ == "xcomp" and verb.head.tag_ == "VBD"
              and not any(c.dep_ in ("aux", "auxpass") for c in verb.head.children)) or "used" in auxes:
            # habitual "used to" ("you used to take it at night"), not "you'll get used to it"
            historical = True
            reasons.append("about the past ('used to')")

    quoted = in_quotes(sent, span)
    if quoted:
        reasons.append("in quotation marks")

    subject = _subject_person(verb) if verb is not None else None
    if subject is None and verb is not None and verb.dep_ == "xcomp":
        subject = _subject_person(verb.head)
    if subject is None and verb is not None and verb.dep_ == "ROOT" and verb.tag_ == "VB":
        subject = "second"  # an imperative addresses the listener

    return Cues(negated=negated, reported=reported, hypothetical=hypothetical, question=question,
                historical=historical, quoted=quoted, subject=subject, reasons=tuple(reasons))


_NEG_THROUGH_VERBS = {"think", "believe", "say", "tell", "let", "recommend", "suggest", "advise", "want",
                      "need", "mean", "expect", "imagine", "try", "be", "feel", "agree", "allow", "support",
                      "encourage", "ask", "make", "get", "go", "plan", "intend", "consider", "like", "dare",
                      "seem", "appear", "sound", "claim", "pretend", "know", "imply", "insinuate", "accuse",
                      "suppose", "guess", "reckon", "promise", "assume"}


def _spliced(lower: Token, upper: Token) -> bool:
    """'You can just stop, it's not dangerous': a clause before a comma is not governed by the
    clause after it (the parser often says so after a comma splice); its negation stays there."""
    if lower.dep_ not in ("ccomp", "parataxis", "advcl", "conj") or lower.i > upper.i:
        return False
    end = max(t.i for t in lower.subtree)
    return any(t.text in (",", ";", "—", "–", "-", ":") for t in lower.doc[end:upper.i + 1])


def _passes_negation(lower: Token, upper: Token) -> bool:
    """Does a negation on `upper` reach the clause of `lower`?"""
    if upper.pos_ in ("NOUN", "PRON") and any(c.dep_ == "det" and c.norm_ == "no" for c in upper.children):
        return True  # "there's no way / no reason / no evidence (that) ..."
    if lower.dep_ in ("xcomp", "csubj", "csubjpass", "aux", "auxpass", "acomp", "attr", "dobj",
                      "pcomp", "pobj", "prep", "advmod", "amod", "compound", "det", "nsubj",
                      "nsubjpass", "npadvmod", "oprd", "neg", "poss", "appos", "acl"):
        return True
    if lower.dep_ in ("ccomp",) and _lemma(upper) in _NEG_THROUGH_VERBS:
        return True
    marks = {c.norm_.lower() for c in lower.children if c.dep_ in ("mark", "aux")}
    if lower.dep_ == "relcl" and "to" in marks:
        return True  # "won't set [a deadline to be off by Christmas]": an infinitival relative
    if lower.dep_ == "advcl" and marks & {"like", "if", "though"} and _lemma(upper) in _SEEM_VERBS:
        return True  # "don't want to sound [like I'm saying ...]"
    return False


_SEEM_VERBS = {"sound", "seem", "look", "appear", "feel", "come", "act", "behave", "talk", "write"}


def is_question(sent, span: Span) -> bool:
    """The phrase's sentence is a question (and not a tag question like '..., okay?')."""
    toks = [t for t in sent if not t.is_space]
    # find the end of the sentence part that holds the span
    end = None
    last_word = max((t.i for t in span if not t.is_punct), default=span.start)
    for t in toks:
        if t.i > last_word and (t.text in (".", "!", "?", "…") or (t.is_punct and set(t.text) <= set(".!?…"))):
            end = t
            break
    if end is None or "?" not in end.text:
        return False
    # tag question: a short tail after the last comma before the '?'
    tail = [t for t in toks if last_word < t.i < end.i]
    commas = [i for i, t in enumerate(tail) if t.text == ","]
    if commas:
        after = [t for t in tail[commas[-1] + 1:]]
        if len(after) <= 3 and (any(t.norm_.lower() in TAG_QUESTIONS for t in after) or _is_tag(after)):
            return False
    return True


TAG_AUX = {"be", "am", "is", "are", "was", "were", "have", "has", "had", "do", "does", "did", "will", "would",
           "can", "could", "should", "shall", "must", "might"}


def _is_tag(words) -> bool:
    """"..., haven't you?" / "..., isn't it?" / "..., do you?": an auxiliary, maybe 'not', a pronoun."""
    norms = [t.norm_.lower() for t in words]
    return 2 <= len(norms) <= 3 and norms[0] in TAG_AUX and words[-1].pos_ in ("PRON", "") and (
        len(norms) == 2 or norms[1] == "not") and words[-1].norm_.lower() in (
        "you", "i", "we", "it", "they", "he", "she", "that", "there")


def _in_tag_question(tok: Token) -> bool:
    """The token is part of a tag question's tail ('..., aren't you?')."""
    doc = tok.doc
    end = next((t.i for t in doc[tok.i:] if t.text == "?"), None)
    if end is None or end - tok.i > 3:
        return False
    start = next((t.i for t in reversed(doc[:tok.i]) if t.text == ","), None)
    return start is not None and _is_tag([t for t in doc[start + 1:end]])


def in_quotes(sent, span: Span) -> bool:
    before = sum(1 for t in sent[: span.start] if t.text in QUOTES)
    if before % 2 == 0:
        return False
    return any(t.text in QUOTES for t in sent[span.end:])


def shallow(span: Span) -> Cues:
    """The cues that need no parse (question, quotes): for sentences with no other cue word."""
    question, quoted = is_question(span.doc, span), in_quotes(span.doc, span)
    reasons = (("asked as a question",) if question else ()) + (("in quotation marks",) if quoted else ())
    return Cues(question=question, quoted=quoted, reasons=reasons)


# Verbs whose past is the bare form ("your last doctor cut it"): not in the exception table.
_SAME_FORM_PASTS = {"cut", "put", "quit", "let", "set", "hit", "shut", "spread", "cast", "cost", "hurt",
                    "read", "split", "burst", "bet", "rid", "upset", "thrust", "beat", "broadcast", "forecast",
                    "shed", "slit", "wed", "fit", "bid", "knit", "sweat", "wet"}


def past_words(nlp) -> frozenset[str]:
    """Words that can be a past tense or participle, which the `historical` cue needs.

    A sentence with none of them cannot be about the past in the cue's sense (simple past, past or
    present perfect, "used to"), so an entry that only needs that cue need not be parsed for it.
    Irregular forms come from the pipeline's lemmatizer exceptions; regular ones end in -ed.
    """
    words = set(_SAME_FORM_PASTS) | {"used", "had", "'d", "was", "were", "been", "did"}
    try:
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_exc")["verb"]
        words |= {form for form, lemmas in table.items()
                  if form not in lemmas and not form.endswith(("s", "ing")) and form not in ("am", "are")}
    except (KeyError, ValueError):
        pass
    return frozenset(words)


def could_be_past(tok) -> bool:
    return tok.norm_.endswith("ed") and tok.is_alpha


def cue_words(forms) -> frozenset[str]:
    """Every word whose presence can make the parse-based cues (all but `historical`) fire.

    A sentence with none of them gets the same answer from `shallow` as from `cues`, so the
    analyser skips its parse. `forms(lemma)` gives a lemma's inflected forms.
    """
    words = set(NEGATORS) | NEGATIVE_SUBJECTS | REPORT_NOUNS | HYPOTHETICAL_MARKS | QUOTES | TOO_WHAT
    words |= {"not", "no", "too", "according", "but", "however", "yet", "although", "though", "?"}
    words |= {"far", "worst", "bad", "dangerous", "nothing", "none"}      # "far from", "the worst thing ..."
    words |= {"rather", "instead"}                                         # "rather than X", "instead of X"
    words |= {"were", "had", "should", "suppose", "assume"} | SUPERSEDED   # inverted conditionals; old advice
    for lemma in REPORT_VERBS | REPLY_REJECTORS:
        words |= set(forms(lemma))
    return frozenset(words)
