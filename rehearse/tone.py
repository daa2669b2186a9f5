"""The collaboration score: 0-100 from politeness and receptiveness markers plus the flags.

The markers and their relative weights follow the politeness strategies of
Danescu-Niculescu-Mizil et al. (ACL 2013, table 3: the average politeness of requests using each
strategy), and the receptiveness recipe of Yeomans et al. (2020): hedge, emphasise agreement,
acknowledge, reframe. Two product markers (pressure, hostile words) come from the field notes.
Each marker found adds its weight (at most three times); strength flags add and concern flags
subtract by severity. The total T maps to 50 + 50 * tanh(T / S) with S = 5 + 1.5 * sqrt(n - 1)
for n sentences, so a long text is not judged by the sum of its parts. Documented in README.md.
"""
from __future__ import annotations

import math
from collections import Counter

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .pipeline import text_of
from .rewrite import ACRONYMS

# name: (weight, phrases anywhere). Matched on spaCy's NORM (lowercase, contractions expanded).
ANYWHERE = {
    "gratitude": (2.6, ["thank you", "thanks", "thank", "appreciate", "appreciated", "grateful",
                        "thankful", "cheers"]),
    "acknowledgement": (1.5, ["i understand", "i hear you", "that makes sense", "good point", "you are right",
                              "fair point", "i agree", "i see your point", "i see what you mean",
                              "i know you are busy", "i realise", "i realize", "i can see why",
                              "that is fair", "i respect", "understandable", "i take your point"]),
    "apology": (1.1, ["sorry", "apologies", "apologize", "apologise", "excuse me", "pardon", "forgive me"]),
    "please": (1.5, ["please", "pls", "plz"]),
    "indirect (by the way)": (1.3, ["by the way", "btw", "incidentally"]),
    "would/could you": (1.4, ["could you", "would you", "would it be", "could it be", "could we", "would we",
                              "would you mind", "would it be possible", "would you be willing",
                              "would you be open", "might you", "if you could", "if you would"]),
    "invites input": (1.2, ["what do you think", "what are your thoughts", "what would you suggest",
                            "what would you recommend", "how do you feel about", "your thoughts",
                            "your input", "your advice", "your opinion", "do you think"]),
    "can/will you": (0.3, ["can you", "will you", "can we"]),
    "hedge": (0.6, ["maybe", "perhaps", "possibly", "i think", "i wonder", "i was wondering", "it seems",
                    "seems", "probably", "i guess", "might", "i suspect", "somewhat", "hopefully",
                    "i believe", "as far as i know", "if i understand", "i suggest", "suggest", "i feel",
                    "kind of", "sort of", "a bit", "a little", "not sure", "i am not sure", "unclear to me",
                    "apparently", "presumably", "possible", "in my opinion", "i would like", "i would love",
                    "i am hoping", "i hope", "i would prefer"]),
    "we / together": (0.25, ["we", "us", "our", "together", "let us"]),
    "positive words": (0.4, ["great", "good", "nice", "helpful", "wonderful", "excellent", "glad", "happy",
                             "love", "welcome", "interesting", "useful", "clear", "kind", "best", "fine",
                             "fantastic", "perfect", "brilliant", "awesome", "pleasure", "agree", "support",
                             "improve", "well"]),
    "negative words": (-0.4, ["wrong", "bad", "terrible", "awful", "horrible", "hate", "fail", "failed",
                              "broken", "mess", "problem", "annoying", "worse", "error", "mistake", "fault",
                              "unfortunately", "disappointed", "upset", "angry", "refuse", "refused", "blame",
                              "confusing", "unacceptable", "pointless", "vandalism", "silly", "waste"]),
    "factuality": (-1.1, ["in fact", "actually", "the fact is", "obviously", "clearly", "frankly",
                          "seriously", "the truth is", "the point is", "of course", "really?"]),
    "pressure": (-1.5, ["you need to", "you have to", "you must", "you had better", "you better",
                        "i demand", "i insist", "immediately", "right now", "or else", "at once"]),
    "hostile words": (-2.0, ["stupid", "idiot", "idiotic", "ridiculous", "absurd", "nonsense", "pathetic",
                             "incompetent", "useless", "damn", "hell", "crap", "wtf", "bullshit", "shit",
                             "moron", "clueless", "lazy", "liar", "lies", "dumb", "fuck", "fucking",
                             "garbage", "rubbish", "ignorant", "arrogant", "shut up", "hypocrite", "troll"]),
}
# name: (weight, first words of a sentence).
SENTENCE_START = {
    "greeting": (1.3, ["hi", "hello", "hey", "dear", "good morning", "good afternoon", "good evening",
                       "greetings", "hope you are well"]),
    "deference": (2.3, ["great", "good", "nice", "interesting", "cool", "excellent", "awesome", "wonderful",
                        "good work", "nice work", "good job", "well done", "good question", "good point"]),
    "first-person start": (0.4, ["i", "my"]),
    "direct start": (-1.3, ["so", "then", "and", "but", "or", "well"]),
    "you-start": (-0.9, ["you", "your"]),
    "please-start": (-2.4, ["please"]),  # cancels the 'please' bonus and then some (2013: -0.30 vs +0.49)
}
WH_WORDS = {"what", "why", "who", "whom", "where", "when", "how", "which", "whose"}
DIRECT_QUESTION = -0.8
SHOUTING = -1.0
# A concern weighs more than a strength: one demand is not undone by one "thank you".
FLAG_WEIGHT = {"concern": {"high": 6.0, "medium": 4.5, "low": 3.0},
               "strength": {"high": 2.0, "medium": 1.5, "low": 1.0}}
MAX_REPEAT = 3


def shouted_words(doc: Doc) -> int:
    """Capitalised words that read as raised voice: runs of two or more, or a capitalised
    function word ("NOT", "NEVER"); lone acronyms (FDA, ASAM, NRHP) are not shouting."""
    n, run = 0, []
    for tok in list(doc) + [None]:
        if tok is not None and tok.is_alpha and tok.is_upper and len(tok) >= 2 and tok.text not in ACRONYMS:
            run.append(tok)
            continue
        if run and tok is not None and tok.text in (".", "!"):
            continue   # "READ. MY. MESSAGE.": words shouted one at a time are one run
        if len(run) >= 2:
            n += len(run)
        elif len(run) == 1 and run[0].is_stop and len(run[0]) >= 3:
            n += 1
        run = []
    return n


class ToneScorer:
    def __init__(self, nlp):
        self.vocab = nlp.vocab
        self.anywhere = PhraseMatcher(nlp.vocab, attr="NORM")
        for name, (_w, phrases) in ANYWHERE.items():
            self.anywhere.add(name, [nlp.make_doc(p) for p in phrases])
        self.starts = {name: [tuple(t.norm_ for t in nlp.make_doc(p)) for p in phrases]
                       for name, (_w, phrases) in SENTENCE_START.items()}

    def markers(self, doc: Doc, sents=None) -> Counter:
        counts: Counter = Counter()
        for match_id, start, end in self.anywhere(doc):
            counts[self.vocab.strings[match_id]] += 1
        for sent in (doc.sents if sents is None else sents):
            words = [t for t in sent if not (t.is_space or t.is_punct or t.is_quote)]
            if not words:
                continue
            head = tuple(t.norm_ for t in words[:4])
            for name, options in self.starts.items():
                if any(head[:len(o)] == o for o in options):
                    counts[name] += 1
            if words[0].norm_ in WH_WORDS and any(t.text == "?" for t in sent) and not counts["invites input"]:
                counts["direct question"] += 1
        counts["shouting"] += shouted_words(doc) + text_of(doc).count("!!")
        return +counts

    def score(self, doc: Doc, flags: list[dict]) -> tuple[int, dict]:
        sents = list(doc.sents)
        counts = self.markers(doc, sents)
        total = 0.0
        positive, negative = {}, {}
        for name, n in counts.items():
            weight = (ANYWHERE.get(name) or SENTENCE_START.get(name) or (None,))[0]
            if weight is None:
                weight = DIRECT_QUESTION if name == "direct question" else SHOUTING
            total += weight * min(n, MAX_REPEAT)
            (positive if weight > 0 else negative)[name] = n
        for f in flags:
            w = FLAG_WEIGHT[f["polarity"]][f["severity"]]
            total += w if f["polarity"] == "strength" else -w
        scale = 5.0 + 1.5 * math.sqrt(max(0, len(sents) - 1))
        value = round(50 + 50 * math.tanh(total / scale))
        return max(0, min(100, value)), {
            "positive": positive, "negative": negative,
            "flags": {"concern": sum(f["polarity"] == "concern" for f in flags),
                      "strength": sum(f["polarity"] == "strength" for f in flags)},
            "total": round(total, 2)}
