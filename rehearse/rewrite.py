"""Rewrites built from the parse that keep the user's meaning and drop the pressure.

"You need to give me a slower taper."  -> "Would you be open to a slower taper?"
"Listen to me!"                         -> "Would you be willing to listen to me?"
"I demand a referral."                  -> "I'd like to ask for a referral."
"You never listen to me."               -> "I'd really appreciate it if you could listen to me."
"I am NOT doing this!!!"                -> "I am not doing this."
Each returns {"start", "end", "text"} (character offsets into the whole text) or None when the
structure is not one it can rewrite safely; the entry's own suggestions are used then.
Never an apology, never self-effacement.
"""
from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

GIVING = {"give", "provide", "prescribe", "offer", "get", "write", "hand", "supply", "allow", "grant"}
ACTIONS_TO_ASK = {"listen", "explain", "read", "look", "consider", "check", "refer", "reduce", "slow",
                  "adjust", "lower", "change", "let", "help", "call", "answer", "review", "take",
                  "believe", "hear", "respect", "support", "work", "follow", "discuss", "talk", "pause",
                  "hold", "increase", "keep", "continue", "fill", "renew", "send", "sign", "tell", "see",
                  "stop", "try", "update", "approve", "agree", "switch", "arrange", "schedule", "put",
                  "make", "give", "provide", "prescribe", "offer", "write", "acknowledge", "document",
                  "note", "record", "print", "use", "do"}
ACRONYMS = {"FDA", "ASAM", "WHO", "BIND", "CBT", "CBT-I", "NHS", "GP", "MD", "DO", "NP", "PA", "ER", "ED",
            "ADHD", "PTSD", "OCD", "GAD", "USA", "UK", "US", "OK", "MG", "ML", "PRN", "ICU", "EEG", "MRI",
            "BIC", "ABBP", "PMID", "DOI", "I", "A", "II", "III", "IV", "XR", "SR", "CR", "HMO", "PCP"}


def rewrite(kind: str, span: Span, sdoc: Doc | None, sent: Span) -> dict | None:
    base = sent.start_char  # sentence docs count characters from the sentence start
    try:
        if kind == "shouting":
            return _shouting(span, base)
        if sdoc is None:
            return None
        fn = {"ask": _ask, "i-demand": _i_demand, "accusation": _accusation}[kind]
        return fn(span, base)
    except (IndexError, KeyError, ValueError):
        return None


def _text(tokens) -> str:
    out = "".join(t.text_with_ws for t in tokens).strip()
    return re.sub(r"\s+", " ", out)


def _subtree_after(verb: Token) -> list[Token]:
    """The verb's own phrase after it, without clauses that hang off it (because ..., and ...)."""
    out = []
    for child in verb.rights:
        if child.dep_ in ("punct", "cc", "conj", "advcl", "parataxis", "mark") or child.is_space:
            break
        out.extend(child.subtree)
    return out


def _finish(sent_doc: Doc, first: Token, last_i: int, text: str, base: int, question: bool) -> dict:
    """Replace first..last_i (and a trailing ./!) with `text`."""
    start = first.idx
    end_tok = sent_doc[last_i]
    end = end_tok.idx + len(end_tok.text)
    rest = [t for t in sent_doc[last_i + 1:] if not t.is_space]
    if all(t.is_punct for t in rest):
        # the rewrite ends the sentence: give it its own end mark
        if rest:
            end = rest[-1].idx + len(rest[-1].text)
        text += "?" if question else "."
    elif question and rest[-1].text in (".", "!") and not any(
            t.norm_ in ("or", "otherwise", "else", "and") for t in rest):
        # "You need to V X, because Y." -> "Would you be willing to V X, because Y?"
        middle = sent_doc.text[end:rest[-1].idx]
        end = rest[-1].idx + len(rest[-1].text)
        text += middle + "?"
    if first.i == 0 or sent_doc[first.i - 1].is_space:
        text = text[0].upper() + text[1:]
    return {"start": base + start, "end": base + end, "text": text}


def _action_verb(span: Span) -> tuple[Token, Token] | None:
    """For 'You need to V ...' / 'You must V ...' / 'V ...!' find (first token to replace, V)."""
    doc = span.doc
    root = span.root
    verb = root
    # need/have/got to V: V is the xcomp
    if verb.lemma_ in ("need", "have", "get", "got", "better", "ought") or verb.norm_ in ("got", "gotta"):
        x = [c for c in verb.children if c.dep_ == "xcomp" and c.pos_ == "VERB"]
        if x:
            verb = x[0]
    if verb.pos_ != "VERB":
        cand = [t for t in span if t.pos_ == "VERB" and t.lemma_ not in ("need", "have")]
        if not cand:
            return None
        verb = cand[-1]
    subj = [c for c in root.children if c.dep_ == "nsubj"]
    if subj and subj[0].norm_ != "you":
        return None
    first = subj[0] if subj else min((t for t in span), key=lambda t: t.i)
    # imperative: the sentence's first word (skip leading 'just', 'now', 'please')
    return (doc[first.i] if subj else doc[span.start]), verb


def _ask(span: Span, base: int) -> dict | None:
    found = _action_verb(span)
    if found is None:
        return None
    first, verb = found
    if first.i > verb.i or verb.lemma_ not in ACTIONS_TO_ASK:
        return None
    after = _subtree_after(verb)
    last = max([verb.i] + [t.i for t in after])
    dobj = [c for c in verb.children if c.dep_ == "dobj"]
    if verb.lemma_ in GIVING and dobj:
        phrase = _text(list(dobj[0].subtree) + [t for t in after if t.i > max(x.i for x in dobj[0].subtree)])
        text = f"would you be open to {phrase}"
    else:
        text = f"would you be willing to {verb.lemma_} {_text(after)}".rstrip()
    return _finish(span.doc, first, last, text, base, question=True)


def _i_demand(span: Span, base: int) -> dict | None:
    doc = span.doc
    verb = next((t for t in span if t.lemma_ in ("demand", "insist", "require", "expect")), None)
    if verb is None:
        return None
    subj = [c for c in verb.children if c.dep_ == "nsubj"]
    if not subj or subj[0].norm_ != "i":
        return None
    # "I expect you to V ..." / "I demand that you V ..."
    inner = [c for c in verb.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ == "VERB"]
    if inner:
        v = inner[0]
        after = _subtree_after(v)
        last = max([v.i] + [t.i for t in after])
        return _finish(doc, subj[0], last, f"would you be willing to {v.lemma_} {_text(after)}".rstrip(), base, True)
    obj = [c for c in verb.children if c.dep_ == "dobj"]
    if not obj:
        preps = [c for c in verb.children if c.dep_ == "prep" and c.norm_ == "on"]
        obj = [p for prep in preps for p in prep.children if p.dep_ == "pobj"]
    if not obj:
        return None
    sub = list(obj[0].subtree)
    return _finish(doc, subj[0], sub[-1].i, f"I'd like to ask for {_text(sub)}", base, False)


def _accusation(span: Span, base: int) -> dict | None:
    doc = span.doc
    verb = next((t for t in span if t.pos_ == "VERB"), None)
    if verb is None or verb.lemma_ not in ACTIONS_TO_ASK:
        return None
    subj = [c for c in verb.children if c.dep_ == "nsubj" and c.norm_ == "you"]
    negs = [c for c in verb.children if c.dep_ == "neg" or c.norm_ in ("never", "not")]
    if not subj or not negs:
        return None
    after = _subtree_after(verb)
    last = max([verb.i] + [t.i for t in after])
    text = f"I'd really appreciate it if you could {verb.lemma_} {_text(after)}".rstrip()
    return _finish(doc, subj[0], last, text, base, question=False)


def _shouting(span: Span, base: int) -> dict | None:
    words = []
    for t in span:
        if re.fullmatch(r"[!?]+", t.text) or (t.is_punct and set(t.text) <= set("!?")):
            continue
        if t.is_upper and t.text not in ACRONYMS and len(t.text) > 1:
            w = t.text.lower()
        else:
            w = t.text
        words.append(w + t.whitespace_)
    text = "".join(words).rstrip()
    ends_loud = span[-1].text and set(span[-1].text) <= set("!?") and "!" in span[-1].text
    if ends_loud:
        text += "." if "?" not in "".join(t.text for t in span) else "?"
    if not text:
        return None
    if span.start == 0 and text[0].islower():
        text = text[0].upper() + text[1:]
    start = span[0].idx
    end = span[-1].idx + len(span[-1].text)
    return {"start": base + start, "end": base + end, "text": text}
