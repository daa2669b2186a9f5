"""The collaboration score: 0-100 from politeness and receptiveness markers plus the flags.

Markers follow the politeness strategies of Danescu-Niculescu-Mizil et al. (2013) and the
receptiveness recipe of Yeomans et al. (2020) (hedge, emphasise agreement, acknowledge, reframe).
Each marker found adds or subtracts its weight; flags add (strength) or subtract (concern) by
severity. The total T maps to 50 + 50 * tanh(T / S), where S grows gently with length so a long
text is not judged by the sum of its parts. Documented in README.md ("The collaboration score").
"""
from __future__ import annotations

import math
from collections import Counter

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

# name: (weight, phrases). Phrases are matched on spaCy's NORM (lowercase, contractions expanded).
POSITIVE = {
    "gratitude": (2.0, ["thank you", "thanks", "thank", "appreciate", "grateful", "thankful", "much appreciated"]),
    "polite request": (1.5, ["could you", "would you", "can you please", "would it be possible",
                             "would you be willing", "would you mind", "is it possible", "do you think"]),
    "please": (1.0, ["please"]),
    "hedge": (1.0, ["maybe", "perhaps", "possibly", "i think", "i wonder", "i was wondering", "it seems",
                    "probably", "i guess", "might", "i suspect", "it may", "it might", "somewhat",
                    "hopefully", "i believe", "as far as i know", "if i understand"]),
    "acknowledgement": (1.5, ["i understand", "i hear you", "that makes sense", "good point", "you are right",
                              "fair point", "i agree", "i see your point", "i see what you mean",
                              "i know you are busy", "i realise", "i realize", "i appreciate that",
                              "i can see why", "that is fair", "i respect"]),
    "first-person framing": (1.0, ["i feel", "i would like", "i would love", "i am hoping", "i hope",
                                   "i am worried", "i am concerned", "i have noticed", "i have found",
                                   "for me", "i would prefer", "i am finding", "i have been"]),
    "inclusive": (0.5, ["we", "us", "together", "our", "let us"]),
    "greeting": (0.5, ["hi", "hello", "dear", "good morning", "good afternoon", "hope you are well"]),
    "apology": (1.0, ["sorry", "apologies", "excuse me", "pardon"]),
    "deference": (1.0, ["great", "nice work", "good work", "interesting", "helpful", "well done",
                        "good question", "thoughtful", "awesome", "wonderful"]),
}
NEGATIVE = {
    "direct question": (1.0, ["why", "what is wrong", "how come", "what the", "why on earth", "who cares"]),
    "pressure": (1.5, ["you need to", "you have to", "you must", "you should", "you had better",
                       "you better", "i demand", "i insist", "immediately", "right now", "or else"]),
    "factuality": (1.0, ["in fact", "actually", "the fact is", "obviously", "clearly", "frankly",
                         "honestly", "seriously", "the truth is"]),
    "hostile words": (2.0, ["stupid", "idiot", "idiotic", "ridiculous", "absurd", "nonsense", "pathetic",
                            "incompetent", "useless", "damn", "hell", "crap", "wtf", "bullshit", "shit",
                            "moron", "clueless", "lazy", "liar", "lies", "joke", "dumb", "fuck", "fucking",
                            "garbage", "rubbish", "worst", "ignorant", "arrogant", "shut up"]),
    "negation": (0.5, ["not", "never", "no", "nothing", "nobody"]),
}
FLAG_WEIGHT = {"high": 4.0, "medium": 3.0, "low": 2.0}


class ToneScorer:
    def __init__(self, nlp):
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        for table, sign in ((POSITIVE, "+"), (NEGATIVE, "-")):
            for name, (_w, phrases) in table.items():
                self.matcher.add(f"{sign}{name}", [nlp.make_doc(p) for p in phrases])
        self.vocab = nlp.vocab

    def score(self, doc: Doc, flags: list[dict]) -> tuple[int, dict]:
        counts: Counter = Counter()
        for match_id, start, end in self.matcher(doc):
            counts[self.vocab.strings[match_id]] += 1
        sents = list(doc.sents)
        for sent in sents:
            first = next((t for t in sent if not (t.is_space or t.is_punct)), None)
            if first is not None and first.norm_ in ("you", "your"):
                counts["-sentence starts with 'you'"] += 1
            if first is not None and first.norm_ == "please":
                counts["+please"] -= 1  # sentence-initial 'please' reads as a command (2013 paper)
        counts["-shouting"] += sum(1 for t in doc if t.is_upper and len(t) >= 3 and t.is_alpha)
        counts["-shouting"] += doc.text.count("!!")
        total = 0.0
        positive, negative = {}, {}
        for key, n in counts.items():
            if n <= 0:
                continue
            sign, name = key[0], key[1:]
            table = POSITIVE if sign == "+" else NEGATIVE
            weight = table[name][0] if name in table else 1.0
            n_eff = min(n, 3)  # repetition adds little
            if name == "negation":
                n_eff = max(0, n - 1)  # one 'not' is ordinary; several read as contradiction
            if n_eff == 0:
                continue
            total += (weight if sign == "+" else -weight) * n_eff
            (positive if sign == "+" else negative)[name] = n
        for f in flags:
            w = FLAG_WEIGHT[f["severity"]]
            total += w if f["polarity"] == "strength" else -w
        scale = 4.0 + 1.5 * math.sqrt(max(0, len(sents) - 1))
        value = round(50 + 50 * math.tanh(total / scale))
        return max(0, min(100, value)), {"positive": positive, "negative": negative,
                                          "flags": {"concern": sum(f["polarity"] == "concern" for f in flags),
                                                    "strength": sum(f["polarity"] == "strength" for f in flags)},
                                          "total": round(total, 2)}
