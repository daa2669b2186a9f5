"""Taper-plan check: read the doses, steps and timing a prescriber proposes, and compare the pace
with the 2025 joint guideline (initial steps of 5-10% every 2-4 weeks; typically no more than 25%
every 2 weeks).

Works on the tokenised Doc (no parse) to find plan sentences; the parse is read only for the
sentences whose context could cancel the plan ("we won't cut you off in a week", "if we went down
50% a week ..."). Numbers are read from small word pieces so that "0.25mg", "2–4" and "x7" count.
When the numbers do not allow a rate, the answer says so ("not enough detail") instead of guessing.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Callable

from spacy.tokens import Doc, Span

from .medicines import Medicine, Medicines, medicines
from .pipeline import text_of

# ---- the guideline's numbers (Joint Clinical Practice Guideline on Benzodiazepine Tapering, 2025) ----
MAX_PER_2_WEEKS = 0.25          # "typically should not exceed 25% every 2 weeks"
START_STEP = (0.05, 0.10)       # "initial reductions of 5-10% ..."
START_INTERVAL_WEEKS = (2, 4)   # "... every 2-4 weeks"
START_PER_2_WEEKS = START_STEP[1] * 2 / START_INTERVAL_WEEKS[0]   # 10% per 2 weeks at the fastest end
FINAL_STEP_SHARE = 0.125        # a last step to zero from 1/8 of the starting dose or less is not judged
GUIDELINE = {
    "max_per_2_weeks": MAX_PER_2_WEEKS, "initial_step": list(START_STEP),
    "initial_interval_weeks": list(START_INTERVAL_WEEKS), "source": "asam-2025",
    "text": "Start with reductions of 5-10% every 2-4 weeks; typically no more than 25% every 2 weeks; "
            "slow down or pause if withdrawal appears.",
}
WEEKS_PER_MONTH = 52 / 12

# ---- vocabulary ----
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "eighteen": 18, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}
FRACTION_WORDS = {"half": 0.5, "quarter": 0.25, "third": 1 / 3, "quarters": 0.25, "thirds": 1 / 3, "halves": 0.5}
MG_UNITS = {"mg": 1.0, "mgs": 1.0, "milligram": 1.0, "milligrams": 1.0, "milligramme": 1.0, "milligrammes": 1.0,
            "mcg": 0.001, "mcgs": 0.001, "microgram": 0.001, "micrograms": 0.001, "µg": 0.001, "ug": 0.001}
TABLETS = {"tablet", "tablets", "tab", "tabs", "pill", "pills", "capsule", "capsules", "tablet's"}
PERCENT = {"%", "percent", "pct"}
TIME_UNITS = {"day": 1 / 7, "days": 1 / 7, "night": 1 / 7, "nights": 1 / 7, "week": 1.0, "weeks": 1.0,
              "wk": 1.0, "wks": 1.0, "fortnight": 2.0, "fortnights": 2.0, "month": WEEKS_PER_MONTH,
              "months": WEEKS_PER_MONTH, "year": 52.0, "years": 52.0}
INTERVAL_ADVERBS = {"weekly": 1.0, "fortnightly": 2.0, "biweekly": 2.0, "monthly": WEEKS_PER_MONTH}
REDUCE = {"cut", "cuts", "cutting", "reduce", "reduces", "reduced", "reducing", "drop", "drops", "dropping",
          "lower", "lowers", "lowering", "decrease", "decreases", "decreasing", "taper", "tapers", "tapering",
          "wean", "weans", "weaning", "halve", "halving", "shave", "trim", "step", "bring", "come", "go",
          "move", "switch", "cross", "change", "reduction", "reductions", "decrease", "cutback", "knock",
          "tapered", "weaned", "halved", "dropped", "lowered", "decreased", "went", "goes", "going", "gone",
          "came", "comes", "coming", "stepped", "stepping", "brought", "bringing", "switched", "switching",
          "crossed", "crossing", "changed", "changing", "moving", "moved"}
HOLD = {"keep", "stay", "continue", "remain", "maintain", "hold", "holding", "staying", "keeping", "continuing"}
DOWN = {"down", "off"}
STOP = {"stop", "stopping", "quit", "quitting", "discontinue", "discontinuing", "cease", "finish"}
END_WORDS = {"done", "finished", "zero", "nothing", "none"}
BE = {"be", "are", "is", "am", "'re", "'s", "being", "get", "come", "coming", "getting", "go", "all"}
PAUSE_OBJECTS = {"taper", "tapering", "reducing", "reduction", "reductions", "cuts", "cutting", "worrying",
                 "there", "here", "by", "in", "at"}
SKIP = {"the", "next", "just", "only", "about", "around", "roughly", "approximately", "maybe", "another",
        "a", "an", "under", "within", "less", "than", "no", "more", "at", "least", "most", "over", "further"}
TIGHT = {"just", "simply", "now", "today", "tonight", "immediately", "straight", "right", "cold"}
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekend"}
TAPER_NOUNS = {"taper", "tapers", "wean", "plan", "schedule", "reduction", "detox", "course", "step-down"}
DOSE_WORDS = {"dose", "dosage"}

_PIECE = re.compile(r"\d*\.\d+|\d+/\d+|\d+|[^\W\d_]+(?:'[a-z]+)?|[^\s\w]", re.UNICODE)
_NUMBER = re.compile(r"^(\d*\.\d+|\d+)$")
_FRACTION = re.compile(r"^(\d+)/(\d+)$")


@dataclass(frozen=True)
class Word:
    """A piece of a token: "0.25mg" gives "0.25" and "mg"; offsets are characters in the text."""
    text: str
    start: int
    end: int
    tok: int


def words_of(tokens) -> list[Word]:
    out: list[Word] = []
    for tok in tokens:
        if tok.is_space:
            continue
        low = tok.text.lower().replace("–", "-").replace("—", "-").replace("’", "'")
        if not any(ch.isdigit() for ch in low) and low not in ("->",):
            norm = tok.norm_ if tok.norm_ not in ("'", "") else low
            out.append(Word(norm.lower() if tok.text.isalpha() else low, tok.idx, tok.idx + len(tok.text), tok.i))
            continue
        for m in _PIECE.finditer(low):
            out.append(Word(m.group(), tok.idx + m.start(), tok.idx + m.end(), tok.i))
    return out


def number_at(words: list[Word], i: int) -> tuple[float, float, int] | None:
    """(low, high, next index) for a number phrase at i: "2", "0.5", "1/2", "two", "half a",
    "a quarter", "one and a half", "2-4", "two to four", "a couple of", "a few"."""
    n = len(words)
    if i >= n:
        return None
    w = words[i].text
    nxt = words[i + 1].text if i + 1 < n else ""
    value: float | None = None
    j = i + 1
    if _NUMBER.match(w):
        value = float(w)
    elif _FRACTION.match(w):
        a, b = _FRACTION.match(w).groups()
        value = int(a) / int(b) if int(b) else None
    elif w in NUMBER_WORDS:
        value = float(NUMBER_WORDS[w])
        if nxt in ("quarter", "quarters") and value == 3:
            value, j = 0.75, i + 2
        elif nxt in ("half", "halves") and value == 1:  # "one half"
            value, j = 0.5, i + 2
    elif w in ("a", "an"):
        if nxt in ("whole", "full", "single") and i + 2 < n and (words[i + 2].text in MG_UNITS or words[i + 2].text in TABLETS):
            return 1.0, 1.0, i + 2
        if nxt in FRACTION_WORDS:
            value, j = FRACTION_WORDS[nxt], i + 2
        elif nxt == "couple":
            return 2.0, 2.0, i + 3 if i + 2 < n and words[i + 2].text == "of" else i + 2
        elif nxt == "few":
            return 2.0, 4.0, i + 2
        elif nxt in TIME_UNITS or nxt in TABLETS or nxt in MG_UNITS or nxt in DOSE_WORDS:
            return 1.0, 1.0, i + 1
        else:
            return None
    elif w in ("half", "quarter", "third"):
        value = FRACTION_WORDS[w]
        if nxt in ("a", "an", "of"):  # "half a tablet", "quarter of a tablet"
            j = i + 2 if not (nxt == "of" and i + 2 < n and words[i + 2].text in ("a", "an")) else i + 3
    elif w == "couple":
        return 2.0, 2.0, i + 2 if nxt == "of" else i + 1
    elif w in ("few", "several"):
        return (2.0, 4.0, i + 1) if w == "few" else (3.0, 4.0, i + 1)
    if value is None:
        return None
    # "one and a half", "2 and a half"
    if j + 2 < n and words[j].text == "and" and words[j + 1].text in ("a", "an") and words[j + 2].text == "half":
        return value + 0.5, value + 0.5, j + 3
    # ranges: "2-4", "two to four", "2 or 3"
    if j + 1 < n and words[j].text in ("-", "to", "or"):
        hi = number_at(words, j + 1)
        if hi is not None and hi[0] > value and words[j + 1].text not in ("a", "an"):
            return value, hi[1], hi[2]
    return value, value, j


# ---- items found in a clause ----
@dataclass
class Item:
    kind: str            # dose | tablets | percent | fraction | time | interval | anchor | stop | reduce | medicine | skip-days
    value: tuple = ()
    i: int = 0           # index of the first word
    j: int = 0           # index after the last word
    role: str = ""       # for doses: start | target | step | mention; for times: dwell | total | anchor | relative
    medicine: Medicine | None = None


@dataclass
class Clause:
    words: list[Word]
    items: list[Item]
    leads_with_then: bool = False
    arrow_next: bool = False      # the next clause starts with an arrow ("1 mg -> 0.5 mg")

    @property
    def start(self) -> int:
        return self.words[0].start

    @property
    def end(self) -> int:
        k = len(self.words) - 1
        while k > 0 and self.words[k].text in (".", ",", ";", "!", "?", "and", "then"):
            k -= 1
        return self.words[k].end

    def has(self, kind: str, role: str | None = None) -> bool:
        return any(it.kind == kind and (role is None or it.role == role) for it in self.items)

    def first(self, kind: str, role: str | None = None) -> Item | None:
        return next((it for it in self.items if it.kind == kind and (role is None or it.role == role)), None)


def _lookup_medicine(meds: Medicines, word: str) -> Medicine | None:
    return meds.lookup(word) if word.isalpha() else None


def scan(words: list[Word], meds: Medicines) -> list[Item]:
    """Every quantity, time, stop and reduction word in a sentence's words, in order."""
    items: list[Item] = []
    n = len(words)
    i = 0
    while i < n:
        w = words[i].text
        prev = words[i - 1].text if i else ""
        prev2 = words[i - 2].text if i > 1 else ""
        med = _lookup_medicine(meds, w)
        if med is not None:
            items.append(Item("medicine", (med.name,), i, i + 1, medicine=med))
            i += 1
            continue
        if w in INTERVAL_ADVERBS:
            v = INTERVAL_ADVERBS[w]
            items.append(Item("interval", (v, v), i, i + 1))
            i += 1
            continue
        if w in ("every", "each", "per", "q", "/") or (w in ("a", "an") and i + 1 < n and words[i + 1].text in TIME_UNITS
                                                          and prev not in ("for", "in", "within", "over", "after", "by", "x", "×", "about", "around", "than", "just", "only", "of")):
            k = i + 1
            other = k < n and words[k].text in ("other", "second")
            if other:
                k += 1
            num = number_at(words, k) if k < n and words[k].text not in TIME_UNITS else None
            lo, hi, k2 = (num if num else (1.0, 1.0, k))
            if k2 < n and words[k2].text in TIME_UNITS:
                u = TIME_UNITS[words[k2].text]
                if other and u < 1:
                    items.append(Item("skip-days", (), i, k2 + 1))
                elif lo <= 0:
                    pass   # "every 0 weeks" is not an interval
                else:
                    mult = 2 if other else 1
                    items.append(Item("interval", (lo * u * mult, hi * u * mult), i, k2 + 1))
                i = k2 + 1
                continue
        # "% off", "percent"
        num = number_at(words, i)
        if num is not None:
            lo, hi, k = num
            if k < n and words[k].text == "-" and k + 1 < n and words[k + 1].text in TIME_UNITS:
                k += 1  # "two-week"
            nxt = words[k].text if k < n else ""
            if nxt in MG_UNITS:
                f = MG_UNITS[nxt]
                items.append(Item("dose", (lo * f, hi * f), i, k + 1))
                i = k + 1
                continue
            if nxt in ("of",) and k + 1 < n and words[k + 1].text in ("a", "an") and k + 2 < n and words[k + 2].text in TABLETS:
                k += 2
                nxt = words[k].text
            if nxt in TABLETS:
                items.append(Item("tablets", (lo, hi), i, k + 1))
                i = k + 1
                continue
            if nxt in PERCENT or (nxt == "per" and k + 1 < n and words[k + 1].text == "cent"):
                items.append(Item("percent", (min(lo, 100.0) / 100, min(hi, 100.0) / 100), i, k + (2 if nxt == "per" else 1)))
                i = k + (2 if nxt == "per" else 1)
                continue
            if nxt in TIME_UNITS:
                u = TIME_UNITS[nxt]
                end = k + 1
                role = {"for": "dwell", "x": "dwell", "×": "dwell", "over": "total", "across": "total",
                        "in": "within", "within": "within", "inside": "within", "after": "relative",
                        "by": "within"}.get(_preposition(words, i), "")
                if end < n and words[end].text in ("later", "on", "from"):
                    role = "relative" if words[end].text == "later" else role
                if end < n and (words[end].text in TAPER_NOUNS or (words[end].text in ("-",) and end + 1 < n)):
                    role = "total"
                if not role and end < n and words[end].text in ("max", "tops", "maximum"):
                    role = "within"
                if not role and prev in ("of",) and prev2 in ("course",):
                    role = "total"
                # "over several weeks or longer", "at least a month": a floor, not an end point
                if end + 1 < n and words[end].text == "or" and words[end + 1].text in ("longer", "more", "so"):
                    role = "plain"
                if prev2 == "at" and prev == "least" or (i >= 3 and words[i - 3].text == "at" and words[i - 2].text == "least"):
                    role = "plain"
                items.append(Item("time", (lo * u, hi * u), i, end, role=role or "plain"))
                i = end
                continue
            if w in ("half", "quarter", "third") and (nxt in DOSE_WORDS or (nxt in ("your", "the", "it", "them") and any(
                    x.text in DOSE_WORDS | TABLETS | {"it", "them"} or meds.lookup(x.text) for x in words[k:k + 3]))):
                items.append(Item("fraction", (lo, hi), i, k, role="of"))  # "half the dose"
                i = k
                continue
            if _NUMBER.match(w) and lo == hi and lo <= 100 and not (1900 <= lo <= 2100):
                items.append(Item("number", (lo, hi), i, k))
                i = k
                continue
        # fractions said as verbs or phrases
        if w in ("halve", "halving", "halved", "halves"):
            items.append(Item("fraction", (0.5, 0.5), i, i + 1, role="by"))
            items.append(Item("reduce", (w,), i, i + 1))
            i += 1
            continue
        if w in ("half", "halves", "quarters", "quarter", "third", "thirds") and prev in ("in", "into", "by", "a"):
            v = FRACTION_WORDS[w]
            if prev in ("in", "into") and (any(x.text in TABLETS for x in words[max(0, i - 5):i]) or any(
                    x.text in ("splitter", "splitters", "cutter", "cutters", "scored", "score") for x in words)):
                i += 1  # "cut the tablets in half": splitting a tablet, not a cut in the dose
                continue
            items.append(Item("fraction", (v, v), i - 1, i + 1, role="by"))
            i += 1
            continue
        # times said as words
        anchor = _anchor(words, i)
        if anchor is not None:
            value, k, role = anchor
            items.append(Item("anchor", (value,), i, k, role=role))
            i = k
            continue
        # stopping
        if w in STOP:
            nxt = words[i + 1].text if i + 1 < n else ""
            nxt2 = words[i + 2].text if i + 2 < n else ""
            if nxt in PAUSE_OBJECTS or (nxt.endswith("ing") and nxt not in ("taking", "using", "everything")):
                i += 1
                continue
            if nxt in ("the", "your") and nxt2 in PAUSE_OBJECTS:
                i += 1
                continue
            if not _about_medicine(words, i + 1, meds, STOP_OBJECTS):
                i += 1  # "stop the vitamin D", "finish up by checking ...": something else stops
                continue
            items.append(Item("stop", (w,), i, i + 1, role="tight" if prev in TIGHT or nxt in TIGHT else _until(words, i)))
            i += 1
            continue
        if w in END_WORDS and prev not in ("have", "has", "is", "was", "get", "nothing", "'ve", "'d", "had", "been",
                                           "well", "'s", "were", "are", "'re") or (w in END_WORDS and prev in ("'re", "are") and
                                                                                     any(x.text in ("will", "'ll", "should") for x in words[max(0, i - 3):i])):
            items.append(Item("stop", (w,), i, i + 1, role=_until(words, i)))
            i += 1
            continue
        if w == "off" and (prev in BE or prev in ("completely", "entirely", "fully", "way", "totally", "right")
                           or any(x.text in ("taper", "tapering", "tapered", "wean", "weaning", "weaned") for x in words[max(0, i - 3):i])
                           or (i + 1 < n and words[i + 1].text in ("it", "them", "completely", "entirely", "altogether", "benzos", "the", "this", "that", "xanax", "everything"))) \
                and not (prev in ("cut", "drop", "take", "knock", "shave", "taken") or (i > 1 and words[i - 2].text in ("take", "knock", "shave"))):
            items.append(Item("stop", ("off",), i, i + 1, role=_until(words, i)))
            i += 1
            continue
        if w == "cold" and i + 1 < n and words[i + 1].text == "turkey":
            items.append(Item("stop", ("cold turkey",), i, i + 2, role="tight"))
            i += 2
            continue
        if w in REDUCE:
            nxt = words[i + 1].text if i + 1 < n else ""
            # "go", "come", "step", "bring", "move", "knock" reduce only with "down" / "off" / "to"
            if w in ("step", "bring", "come", "go", "move", "knock", "switch", "cross", "change", "went", "goes",
                     "going", "gone", "came", "comes", "coming", "stepped", "stepping", "brought", "bringing",
                     "switched", "switching", "crossed", "crossing", "changed", "changing", "moving", "moved"):
                near = [x.text for x in words[i + 1:i + 7]]
                to_amount = any(x in ("to", "from") and k + 1 < len(near) and (
                    number_at(words, i + 2 + k) is not None or near[k + 1] in ("half", "zero", "nothing"))
                    for k, x in enumerate(near))
                crossing = w.startswith(("switch", "cross", "chang")) and ("over" in near or "to" in near)
                if not (set(near[:3]) & DOWN or to_amount or crossing):
                    i += 1
                    continue
            if not _about_medicine(words, i + 1, meds, REDUCE_OBJECTS):
                i += 1  # "drop off the form", "the next cut": not a step in the dose
                continue
            if w in ("cut", "cuts", "cutting") and any(x.text in ("splitter", "cutter", "scored") for x in words):
                i += 1  # "cut it in half with a pill splitter": splitting a tablet
                continue
            if w in ("cut", "cuts", "cutting") and any(x.text in TABLETS for x in words[i + 1:i + 4]) and not any(
                    x.text in ("dose", "dosage", "by", "to", "down", "back") for x in words[i + 1:i + 4]):
                i += 1  # "cut the tablets (in half)": splitting a tablet
                continue
            items.append(Item("reduce", (w,), i, i + 1))
            i += 1
            continue
        i += 1
    return items


MEDICATION_WORDS = {"it", "them", "medication", "medications", "medicine", "medicines", "meds", "pills", "pill",
                    "tablets", "tablet", "tabs", "benzo", "benzos", "benzodiazepine", "benzodiazepines", "dose",
                    "dosage", "doses", "sedative", "sedatives", "sleeping", "this", "that", "these"}
STOP_OBJECTS = MEDICATION_WORDS | {"taking", "using", "completely", "altogether", "entirely", "now", "today",
                                   "tonight", "tomorrow", "next", "this", "in", "on", "by", "after", "at", "within",
                                   "when", "once", "cold", "and", "then", "immediately", "right", "straight", "off",
                                   ".", ",", ";", "!", ":", "-", "there", "after"}
REDUCE_OBJECTS = MEDICATION_WORDS | {"you", "your", "by", "to", "from", "down", "slowly", "gradually", "further",
                                     "again", "back", "off", "each", "every", "weekly", "over", "in", "half",
                                     "quarter", "the", "a", "an"}


def _about_medicine(words: list[Word], k: int, meds: Medicines, allowed: set[str]) -> bool:
    """The words after a stop or reduction verb are about the medicine, a dose or a time."""
    seen = 0
    while k < len(words) and seen < 4:
        w = words[k].text
        if meds.lookup(w) or w in MG_UNITS or w in TABLETS or w in PERCENT or number_at(words, k) is not None:
            return True
        if w in ("the", "a", "an", "your", "all", "of", "my", "their", "his", "her", "our") or (w == "off" and seen == 0):
            if w == "off" and (k + 1 >= len(words) or words[k + 1].text in (".", ",", ";", "!", "over", "in", "within", "by", "and", "then", "slowly", "gradually", "completely")):
                return True   # "taper off.", "wean off over a month"
            k += 1
            seen += 1
            continue
        return w in allowed and (w not in ("the", "a", "an") )
    return k >= len(words)


def _until(words: list[Word], i: int) -> str:
    """'... until you're off': the end of a repeating step, not a dated stop."""
    return "until" if any(w.text in ("until", "till", "til", "unti") for w in words[max(0, i - 4):i]) else ""


def _preposition(words: list[Word], i: int) -> str:
    """The preposition governing a number at i, skipping "the next", "about", "just under"."""
    k = i - 1
    while k >= 0 and words[k].text in SKIP and words[k].text not in ("over", "within"):
        k -= 1
    if k >= 0 and words[k].text in ("over", "within", "for", "in", "after", "by", "x", "×", "across", "inside"):
        return words[k].text
    if i - 1 >= 0 and words[i - 1].text in ("over", "within"):
        return words[i - 1].text
    return ""


def _anchor(words: list[Word], i: int) -> tuple[float, int, str] | None:
    """A point in time said in words: (weeks from now, next index, role)."""
    n = len(words)
    w = words[i].text
    nxt = words[i + 1].text if i + 1 < n else ""
    nxt2 = words[i + 2].text if i + 2 < n else ""
    prev = words[i - 1].text if i else ""
    if w in ("today", "tonight", "now", "immediately"):
        return 0.0, i + 1, "absolute"
    if w in ("right", "straight") and nxt == "away":
        return 0.0, i + 2, "absolute"
    if w == "tomorrow":
        return 1 / 7, i + 1, "absolute"
    if w == "this" and nxt in ("week", "weekend", "month"):
        return 0.0, i + 2, "absolute"
    if w == "next" and nxt in ("week", "fortnight", "month") and prev != "the":
        return TIME_UNITS[nxt], i + 2, "absolute"
    if w == "next" and nxt in WEEKDAYS:
        return 1.0, i + 2, "absolute"
    if w in ("on", "this") and nxt in WEEKDAYS:   # "on Friday": within the week
        return 1.0, i + 2, "absolute"
    if w in ("the", "a") and nxt in ("week", "fortnight", "month") and nxt2 in ("after", "later"):
        k = i + 3 + (1 if i + 3 < n and words[i + 3].text in ("that", "next") else 0)
        return TIME_UNITS[nxt], k, "relative"
    if w == "the" and nxt in ("following", "next") and nxt2 in ("week", "fortnight", "month"):
        return TIME_UNITS[nxt2], i + 3, "relative"
    if w == "by" and nxt in WEEKDAYS | {"the"} and (nxt in WEEKDAYS or nxt2 in ("weekend", "end")):
        if nxt2 == "end" and any(x.text == "month" for x in words[i + 3:i + 6]):
            k = next(k for k in range(i + 3, min(n, i + 6)) if words[k].text == "month")
            return WEEKS_PER_MONTH, k + 1, "deadline"
        return 1.0, i + 2 if nxt in WEEKDAYS else i + 3, "deadline"
    if w == "by" and nxt == "next" and nxt2 in ("week", "month"):
        return TIME_UNITS[nxt2], i + 3, "deadline"
    if w == "by" and nxt in ("christmas", "summer", "spring"):
        return 8.0 if nxt == "christmas" else 12.0, i + 2, "vague"
    return None


def _clauses(words: list[Word], items: list[Item]) -> list[Clause]:
    """Split a sentence at "then", ";", arrows, "and"/"," before a new step or time."""
    cut_points = [0]
    n = len(words)
    item_at = {it.i: it for it in items}
    for k, w in enumerate(words):
        if k == 0:
            continue
        t = w.text
        if t in ("then", ";", "→", ">", "afterwards", "afterward") and (t != ">" or words[k - 1].text == "-"):
            cut_points.append(k if words[k - 1].text not in (",", "and", "-") else k - 1)
        elif t in ("and", ",") and k + 1 < n:
            # split only when what follows starts a new step, stop, hold or time
            look = [item_at.get(x) for x in range(k + 1, min(n, k + 5))]
            if any(it is not None and it.kind in ("stop", "reduce", "dose", "anchor", "tablets") for it in look) \
                    or words[k + 1].text in HOLD:
                cut_points.append(k)
        elif t == "after" and k + 1 < n and words[k + 1].text in ("that", "which"):
            cut_points.append(k)
    cut_points = sorted(set(cut_points))
    out = []
    for a, b in zip(cut_points, cut_points[1:] + [n]):
        if a >= b:
            continue
        sub = [it for it in items if a <= it.i < b]
        ws = words[a:b]
        shifted = [Item(it.kind, it.value, it.i - a, it.j - a, it.role, it.medicine) for it in sub]
        lead = any(x.text in ("then", "afterwards", "after", "->", ">", "→") for x in ws[:3])
        out.append(Clause(ws, shifted, leads_with_then=lead))
        if b < n and (words[b].text in ("→", ">") or (words[b].text == "-" and b + 1 < n and words[b + 1].text == ">")):
            out[-1].arrow_next = True
    return out


# ---- reading a plan from clauses ----
@dataclass
class Event:
    week: float | None
    dose: float | None          # in the plan's unit; 0 = stopped
    clause: Clause
    note: str = ""

    @property
    def said(self) -> str:
        """The clause's own words for when ("this week", "next week", "tomorrow"), if any."""
        a = self.clause.first("anchor")
        if a is None or a.role == "relative":
            return ""
        return " ".join(w.text for w in self.clause.words[a.i:a.j])


@dataclass
class Plan:
    unit: str = "mg"                           # mg | tablet | percent
    medicine: Medicine | None = None
    start: float | None = None
    events: list[Event] = field(default_factory=list)
    step: tuple[str, float, float] | None = None      # ("abs"|"frac", low, high)
    interval: tuple[float, float] | None = None        # weeks (fastest, slowest)
    total_weeks: float | None = None
    ends: bool = False
    clauses: list[Clause] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    switch: tuple[Medicine, float] | None = None       # a cross-over to another medicine at a dose
    tablet_mg: float | None = None


def _dose_role(c: Clause, it: Item) -> str:
    ws = [w.text for w in c.words]
    before = ws[max(0, it.i - 3):it.i]
    prev = before[-1] if before else ""
    after = ws[it.j:it.j + 2]
    if c.arrow_next and not any(x.kind in ("dose", "tablets", "number") for x in c.items if x.i > it.i):
        return "from"
    if prev == "from" or (prev in ("of",) and len(before) > 1 and before[-2] in ("dose", "dosage")) and not c.has("reduce"):
        return "start"
    if prev == "by" or prev == "down" or (after and after[0] in ("less", "fewer", "off")) or (prev in REDUCE and prev not in ("taper", "wean", "go", "come", "step", "switch", "change", "cross")):
        return "step"
    if prev in ("at",) and any(b in ("on", "taking", "currently", "'re", "are") for b in before[:-1]):
        return "start"
    if prev in ("to", "at", "of", "take", "taking", "just", "only", "with", "on", "then", ",", "->", ">", "→"):
        if prev in ("on", "taking", "take") and not (c.has("reduce") or c.has("anchor") or c.has("time", "dwell")
                                                     or c.has("stop") or c.leads_with_then):
            return "start"
        return "target"
    if any(b in ("currently", "current") for b in before) and not c.has("reduce"):
        return "start"
    if c.has("reduce") or c.has("anchor") or c.has("time", "dwell") or c.has("time", "within") \
            or c.leads_with_then or c.has("stop"):
        return "target"
    return "mention"


def _medicine_of(c: Clause, it: Item) -> Medicine | None:
    """The medicine a dose belongs to: "2 mg of clonazepam", "clonazepam 2 mg", "10 mg diazepam"."""
    for m in c.items:
        if m.kind != "medicine":
            continue
        between = [w.text for w in c.words[it.j:m.i]]
        if m.i >= it.j and all(x in ("of", "the", "your") for x in between) and len(between) <= 2:
            return m.medicine
        if m.j == it.i:
            return m.medicine
    return None


def _holds(c: Clause) -> bool:
    """A clause that keeps the dose where it is ("hold for four weeks", "keep taking 2 mg")."""
    return any(w.text in HOLD for w in c.words) and not any(it.kind in ("reduce", "stop", "percent", "fraction")
                                                            for it in c.items)


def _clause_is_plan(c: Clause) -> bool:
    percent = c.has("percent") and (c.has("reduce") or c.has("interval") or any(
        w.text in DOSE_WORDS or w.text in ("it", "them") for w in c.words))
    return percent or any(it.kind in ("reduce", "stop", "fraction", "skip-days") for it in c.items) or (
        (c.has("dose") or c.has("tablets") or c.has("number")) and (
            c.has("anchor") or c.has("time", "dwell") or c.has("time", "within") or c.leads_with_then
            or c.has("interval"))) or c.has("time", "total")


def read_plan(clauses: list[Clause], meds: Medicines) -> Plan:
    """Turn the kept clauses (in order) into a plan: a start, dated dose events, a repeating step."""
    plan = Plan()
    # the medicine: the first named
    for c in clauses:
        m = c.first("medicine")
        if m is not None:
            plan.medicine = m.medicine
            break
    # tablets as the unit only when no mg dose is given
    mg_doses = [it for c in clauses for it in c.items if it.kind == "dose"]
    tablet_items = [it for c in clauses for it in c.items if it.kind == "tablets"]
    if tablet_items and not mg_doses:
        plan.unit = "tablet"
    mark_strengths(clauses, plan)
    time: float | None = 0.0
    last_dose: float | None = None
    last_dwell: float | None = None
    last_anchor_weekly = False
    first_event = True
    switched_to: Medicine | None = None
    for c in clauses:
        ws = [w.text for w in c.words]
        cur_med = c.first("medicine").medicine if c.has("medicine") else switched_to
        # roles
        for it in c.items:
            if it.kind in ("dose", "tablets", "number") and it.role not in ("strength",):
                it.role = _dose_role(c, it)
                it.medicine = _medicine_of(c, it) or cur_med
                if it.role == "from":
                    it.role = "start" if plan.start is None and last_dose is None else "target"
        # numbers without units continue the current unit ("1 mg this week, 0.5 next week")
        for it in c.items:
            if it.kind == "number":
                ok = last_dose is not None or plan.start is not None or mg_doses
                if not ok or it.role == "mention" or it.value[0] > 100:
                    it.role = "ignore"
        quantities = [it for it in c.items if it.kind in ("dose", "tablets", "number") and it.role not in ("ignore", "strength")]
        conv = _converter(plan, meds)

        def amount(it: Item) -> float:
            v = it.value[1] if it.role == "step" else it.value[0]  # fastest end of a ranged step
            if it.kind == "tablets":
                if plan.unit == "mg":
                    if plan.tablet_mg is None:
                        return math.nan
                    v = v * plan.tablet_mg
            return conv(v, it.medicine)

        # a switch to another medicine at a stated dose ("cross over from 1 mg lorazepam to 10 mg diazepam")
        if plan.medicine is not None and any(x in ws for x in ("switch", "switching", "cross", "crossing", "change",
                                                                "convert", "swap", "over")):
            other = next((it for it in quantities if it.kind == "dose" and it.medicine is not None
                          and it.medicine.name != plan.medicine.name), None)
            if other is not None:
                for it in quantities:
                    if it is not other and it.kind == "dose" and plan.start is None and (
                            it.medicine is None or it.medicine.name == plan.medicine.name):
                        it.role = "start"
                plan.switch = (other.medicine, other.value[0])
                other.role = "target"
                switched_to = other.medicine
        for it in quantities:
            if it.role == "start" and plan.start is None:
                plan.start = amount(it)
        if _holds(c):
            # "hold for four weeks", "keep taking 2 mg until next month": no step, maybe a dwell
            held = c.first("time", "dwell") or c.first("time", "within") or c.first("time", "total")
            if held is not None and plan.clauses:
                last_dwell = held.value[0]
            if plan.start is None and last_dose is None:
                keep = next((it for it in quantities if it.role in ("target", "mention", "start")), None)
                if keep is not None:
                    plan.start = amount(keep)
            continue
        if not _clause_is_plan(c):
            if plan.start is None:
                mention = next((it for it in quantities if it.role == "mention"), None)
                if mention is not None:
                    plan.start = amount(mention)
            continue
        plan.clauses.append(c)
        # timing of this clause
        anchor = c.first("anchor")
        dwell = c.first("time", "dwell")
        within = c.first("time", "within") or c.first("time", "total")
        relative = c.first("time", "relative")
        when: float | None
        if anchor is not None and anchor.role == "relative":
            when = (time + anchor.value[0]) if time is not None else None
        elif anchor is not None and anchor.role != "vague":
            when = anchor.value[0]
        elif relative is not None:
            base = time if time is not None else 0.0
            when = base + relative.value[0]
        elif within is not None and within.role == "within" and c.first("stop") is None and not c.first("interval"):
            when = within.value[0]   # "2 mg in two weeks": a step at that time
        elif not plan.events and not plan.step:
            when = 0.0   # the first step of a plan starts now
        elif c.leads_with_then or not first_event:
            if last_dwell is not None and time is not None:
                when = time + last_dwell
            elif last_anchor_weekly and time is not None:
                when = time + 1.0
                plan.notes.append("“then” after a step dated by the week is read as the week after")
            else:
                when = None
        else:
            when = 0.0
        stop = c.first("stop")
        reduce = c.has("reduce")
        interval = c.first("interval")
        step_pct = c.first("percent")
        frac = c.first("fraction")
        targets = [it for it in quantities if it.role == "target"]
        steps = [it for it in quantities if it.role == "step"]
        if c.has("skip-days"):
            plan.notes.append("“every other day” spaces doses out, which can bring swings of withdrawal between doses")
        if interval is not None:
            lo, hi = interval.value
            if plan.interval is None or lo < plan.interval[0]:
                plan.interval = (lo, hi)
        # a repeating or single step
        if steps or (step_pct is not None and _pct_is_step(ws, step_pct)) or (frac is not None and frac.role == "by"):
            if steps:
                s = steps[0]
                # both ends through the same conversion (a step in another medicine's mg is converted)
                v_lo, v_hi = amount(replace(s, value=(s.value[0], s.value[0]), role="x")), amount(s)
                kind = "abs"
            elif step_pct is not None and _pct_is_step(ws, step_pct):
                v_lo, v_hi, kind = step_pct.value[0], step_pct.value[1], "frac"
            else:
                v_lo = v_hi = frac.value[0]
                kind = "frac"
            if interval is not None or plan.interval is not None and not targets:
                plan.step = (kind, v_lo, v_hi)
            else:
                # one step now (or at the clause's time)
                base = last_dose if last_dose is not None else plan.start
                if base is not None and not math.isnan(v_hi):
                    new = base * (1 - v_hi) if kind == "frac" else max(0.0, base - v_hi)
                    plan.events.append(Event(when, new, c))
                    last_dose = new
                elif kind == "frac" and base is None:
                    plan.notes.append("a single step with no starting dose")
                    plan.step = ("frac-once", v_lo, v_hi)
        # percentage targets ("down to 50% of your dose") and "half the dose"
        if step_pct is not None and not _pct_is_step(ws, step_pct):
            base = plan.start if plan.start is not None else last_dose
            if base is not None:
                new = base * step_pct.value[0]
                plan.events.append(Event(when, new, c))
                last_dose = new
            else:
                plan.unit = "percent" if not mg_doses else plan.unit
                if plan.unit == "percent":
                    plan.start = 100.0
                    new = 100 * step_pct.value[0]
                    plan.events.append(Event(when, new, c))
                    last_dose = new
        if frac is not None and frac.role == "of":
            base = last_dose if last_dose is not None else plan.start
            if base is not None:
                new = base * frac.value[0]
                plan.events.append(Event(when, new, c))
                last_dose = new
            else:
                plan.step = ("frac-once", frac.value[0], frac.value[0])
        for t in targets:
            v = amount(t)
            if math.isnan(v):
                continue
            if plan.start is None and last_dose is None and not reduce and len(targets) == 1 and stop is None \
                    and anchor is None and dwell is None and not c.leads_with_then:
                plan.start = v
                continue
            if last_dose is not None and v > last_dose * 1.5 and t.kind == "number":
                continue  # "2, 1, 0.5, done": never up-dosing by reading noise
            plan.events.append(Event(when, v, c))
            last_dose = v
        if stop is not None and stop.role == "until":
            plan.ends = True
            stop = None
        if stop is not None:
            stop_when = when
            if targets and dwell is not None and stop_when is not None:
                stop_when = when + dwell.value[0]  # "0.5 mg for a week and stop" in one clause
            elif targets and stop_when is not None and anchor is not None and c.leads_with_then is False and len(plan.events) and plan.events[-1].clause is c:
                stop_when = when + 1.0 if anchor.role != "deadline" else anchor.value[0]
            if within is not None:
                stop_when = (time or 0.0) + within.value[0] if within.role == "within" and stop_when is None else (
                    within.value[0] if within.role in ("within", "total") and (time in (None, 0.0)) else stop_when)
            if stop.role == "tight" and anchor is None and within is None:
                stop_when = 0.0 if not plan.events else stop_when
            plan.events.append(Event(stop_when, 0.0, c, note="stop"))
            plan.ends = True
            last_dose = 0.0
        # a total span: "taper over ten days", "off in a month", "a two-week taper"
        if within is not None and (stop is not None or any(x in ws for x in ("taper", "tapering", "wean", "weaning", "off", "tapered", "weaned"))
                                   or within.role == "total"):
            span = within.value[0]
            if within.role == "total" or stop is None:
                plan.total_weeks = span if plan.total_weeks is None else min(plan.total_weeks, span)
                if any(x in ws for x in ("off", "stop", "stopped", "taper", "tapered", "tapering", "wean", "weaning", "done", "finished", "completely")):
                    plan.ends = True
        if dwell is not None:
            last_dwell = dwell.value[0]
        elif targets or stop is not None or steps:
            last_dwell = None
        last_anchor_weekly = anchor is not None and anchor.role in ("absolute", "relative") and anchor.value[0] <= 2.0
        if when is not None:
            time = when
        elif plan.events and plan.events[-1].week is None:
            time = None
        first_event = False
    return plan


def mark_strengths(clauses: list[Clause], plan: Plan) -> None:
    """"1 mg tablets": a strength said outright is not a dose step."""
    for c in clauses:
        ws = [w.text for w in c.words]
        for it in c.items:
            if it.kind == "dose" and it.j < len(ws) and ws[it.j] in TABLETS:
                plan.tablet_mg = it.value[0]
                it.role = "strength"


REVIEW_WORDS = {"review", "reviewing", "reassess", "reassessing", "revisit", "discuss", "check-in", "follow-up",
                "appointment", "catch"}
_CAPS = {"than", "most", "max", "maximum", "up", "under", "below", "exceeding"}


def _pct_is_step(ws: list[str], it: Item) -> bool:
    """'by 10%', '10% cut', 'reduce 10%' are steps; 'to 50%', '50% of your dose' are targets.

    A cap is a step size ('no more than 10%', 'at most 10%'), and so is a share of the dose as it
    stands ('10% of the current dose')."""
    before = ws[max(0, it.i - 2):it.i]
    after = ws[it.j:it.j + 2]
    if any(w in _CAPS for w in before) or ws[it.j:it.j + 2] in (["or", "less"], ["or", "under"]):
        return True
    if after and after[0] == "of" and any(w in ("current", "remaining", "present", "each") for w in ws[it.j:it.j + 4]):
        return True
    if before and before[-1] in ("to", "at"):
        return False
    if after and after[0] == "of" and not (before and before[-1] == "by"):
        return False
    return True


def _converter(plan: Plan, meds: Medicines) -> Callable[[float, Medicine | None], float]:
    """Doses of another named medicine are converted through diazepam equivalents."""
    def conv(v: float, med: Medicine | None) -> float:
        if med is None or plan.medicine is None or med.name == plan.medicine.name or plan.unit != "mg":
            return v
        return v * plan.medicine.diazepam_equivalent_mg / med.diazepam_equivalent_mg
    return conv


# ---- the pace ----
@dataclass
class Pace:
    per_2_weeks: float | None
    reasons: list[str]
    points: list[tuple[float, float]]   # (week, dose) of the proposed plan, as a step function
    total_weeks: float | None
    missing: list[str]
    assumptions: list[str]
    unit: str = "mg"


def pace(plan: Plan) -> Pace:
    reasons: list[str] = []
    missing: list[str] = []
    assumptions: list[str] = list(dict.fromkeys(plan.notes))
    rates: list[float] = []
    unit = _unit(plan)
    start = plan.start
    points: list[tuple[float, float]] = []
    total = plan.total_weeks

    def fmt(v):
        return _fmt_dose(v, unit)

    # the switch to another medicine counts as a step if its equivalent dose is lower
    if plan.switch is not None and plan.medicine is not None and start is not None:
        med, dose = plan.switch
        equiv = plan.medicine.to_diazepam_mg(start) * med.diazepam_equivalent_mg / 10.0
        if dose < equiv * 0.97:
            cut = 1 - dose / equiv
            reasons.append(f"switching to {_num(dose)} mg {med.name} is about a {_pct(cut)} cut, since "
                           f"{fmt(start)} {plan.medicine.name} is roughly {_num(equiv)} mg {med.name}")
            rates.append(cut)

    events = plan.events
    if plan.step is not None and plan.step[0] in ("abs", "frac"):
        # "... every week until you're off": the stop is the repeating step's end, not a dated step
        events = [e for e in events if e.note != "stop"]
    dated = [e for e in events if e.week is not None and e.dose is not None and not math.isnan(e.dose)]
    undated = [e for e in events if e.week is None]
    # repeating steps
    if plan.step is not None and plan.step[0] in ("abs", "frac"):
        kind, lo, hi = plan.step
        if plan.interval is None:
            missing.append("how often the steps come")
        else:
            w_fast, w_slow = plan.interval
            if w_fast != w_slow:
                assumptions.append(f"the interval is a range ({_weeks(w_fast)} to {_weeks(w_slow)}); "
                                   f"the check uses the faster end, {_weeks(w_fast)}")
            if hi != lo:
                assumptions.append(f"the step is a range; the check uses the larger step, "
                                   f"{_pct(hi) if kind == 'frac' else fmt(hi)}")
            cuts_in_2 = max(1, math.ceil(2 / w_fast - 1e-9))
            base = dated[-1].dose if dated else start
            if base is not None and base <= 0:
                base = None
            if kind == "frac":
                r = 1 - (1 - hi) ** cuts_in_2
                rates.append(r)
                if cuts_in_2 > 1:
                    reasons.append(f"{_pct(hi)} every {_every(w_fast)} compounds to {_pct(r)} per 2 weeks")
                else:
                    reasons.append(f"{_pct(hi)} of the dose every {_every(w_fast)}"
                                   + ("" if abs(w_fast - 2) < 1e-9 else f", at most {_pct(r)} in any 2 weeks"))
                b = base if base is not None else 100.0
                t0 = dated[-1].week if dated else 0.0
                points = [(e.week, e.dose) for e in dated] if dated else []
                d, t = b, t0
                horizon = max(16.0, t0 + 16)
                while t <= horizon and len(points) < 120:
                    d = d * (1 - hi)
                    points.append((t, d))
                    t += w_fast
                if base is None:
                    unit, start = "%", 100.0
            elif base is None or math.isnan(hi):
                missing.append("the starting dose" if base is None else "the tablet strength")
            else:
                r = min(1.0, cuts_in_2 * hi / base)
                rates.append(r)
                first = min(1.0, hi / base)
                if cuts_in_2 > 1:
                    reasons.append(f"{fmt(hi)} every {_every(w_fast)} from {fmt(base)} is {_pct(first)} in the first "
                                   f"step, {_pct(r)} per 2 weeks")
                else:
                    reasons.append(f"{fmt(hi)} every {_every(w_fast)} from {fmt(base)} is {_pct(first)} per step")
                t0 = dated[-1].week if dated else 0.0
                points = [(e.week, e.dose) for e in dated]
                d, t = base, t0
                while d > 1e-9 and len(points) < 200:
                    d = max(0.0, d - hi)
                    points.append((t, d))
                    if d > 1e-9:
                        t += w_fast
                total = t
                # later steps grow as a share of what is left
                later = [hi / (base - k * hi) for k in range(1, int(base / hi)) if base - k * hi > base * FINAL_STEP_SHARE]
                if later and later[-1] > MAX_PER_2_WEEKS and r <= MAX_PER_2_WEEKS:
                    assumptions.append(f"the same {fmt(hi)} step becomes {_pct(later[-1])} of what is left near the end")
    elif plan.step is not None and plan.step[0] == "frac-once":
        r = plan.step[2]
        rates.append(r)
        reasons.append(f"a single cut of {_pct(r)}")
    # dated dose events (explicit schedule)
    if dated:
        if not points:
            points = [(e.week, e.dose) for e in dated]
        ordered = sorted(dated, key=lambda e: e.week)
        parts: list[str] = []
        worst: tuple[float, int, int] | None = None   # (rate, first event, last event in the window)
        for k, e in enumerate(ordered):
            prev = ordered[k - 1].dose if k else start
            when = e.said or (_when(e.week) if k == 0 else _later(e.week - ordered[k - 1].week))
            if prev is None:
                parts.append(f"{fmt(e.dose)} {when}" if e.dose else f"stop {when}")
                continue
            if e.dose == 0:
                parts.append(f"stop {when} (the last {fmt(prev)})")
            elif e.dose < prev:
                parts.append(f"{fmt(prev)} to {fmt(e.dose)} {when} (a {_pct((prev - e.dose) / prev)} cut)")
            else:
                parts.append(f"{fmt(e.dose)} {when}")
            if prev <= 0:
                continue
            window = [x for x in ordered[k:] if x.week < e.week + 2 - 1e-9]
            after = window[-1].dose
            r = (prev - after) / prev
            if r <= 0:
                continue
            if after == 0 and start is not None and prev <= start * FINAL_STEP_SHARE and k > 0:
                assumptions.append(f"the last step to zero, from {fmt(prev)}, is not judged (a small final dose)")
                continue
            rates.append(r)
            if worst is None or r > worst[0] + 1e-9:
                worst = (r, k, k + len(window) - 1)
        if parts:
            text = ", then ".join(parts)
            if worst is not None:
                r, a, b = worst
                text += (f": {_pct(r)} of the dose in one step" if a == b else
                         f": {_pct(r)} of the dose within 2 weeks")
            reasons.append(text)
        end = ordered[-1]
        if end.dose == 0 and total is None:
            total = end.week
    if undated and not dated and plan.step is None:
        if any(e.note == "stop" for e in undated) and not plan.total_weeks:
            missing.append("when the stop would come")
        elif not plan.total_weeks:
            missing.append("when each step would come")
    elif undated and dated:
        assumptions.append("some steps have no timing and are not counted")
    # an overall span that ends: "taper over ten days", "be off in a month" (or a dated stop with
    # nothing known before it)
    span = plan.total_weeks if plan.ends else None
    if span is None and not rates and dated and dated[-1].dose == 0 and dated[-1].week > 0:
        span = dated[-1].week
    if span is not None:
        r = min(1.0, 2 / span) if span > 0 else 1.0
        rates.append(r)
        reasons.append(f"coming off within {_weeks(span)} averages at least {_pct(r)} of the dose every 2 weeks")
        total = span if total is None else min(total, span)
        if not points:
            b = start if start is not None else 100.0
            if start is None:
                unit = "%"
            points = [(0.0, b), (span, 0.0)]
    if not rates and not missing:
        if plan.events or plan.step or plan.clauses:
            if start is None and any(e.dose for e in plan.events):
                missing.append("the starting dose")
            else:
                missing.append("doses or timing")
    per = max(rates) if rates else None
    if per is not None:
        missing = []
    if start is not None and points and (points[0][0] > 0 or points[0][1] != start):
        points = [(0.0, start)] + points
    elif start is None and points and unit != "%":
        points = [(0.0, points[0][1])] + points if points[0][0] > 0 else points
    return Pace(per, reasons, _as_steps(points), total, missing, assumptions, unit)


def _as_steps(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sorted (week, dose) points with one value per week (the last said wins)."""
    out: dict[float, float] = {}
    for w, d in sorted(points, key=lambda p: p[0]):
        out[round(w, 3)] = round(d, 4)
    return sorted(out.items())


def _unit(plan: Plan) -> str:
    return {"mg": "mg", "tablet": "tablet", "percent": "%"}[plan.unit]


def _num(v: float) -> str:
    if v is None:
        return "?"
    if abs(v - round(v)) < 1e-9:
        return str(int(round(v)))
    return f"{v:.3f}".rstrip("0").rstrip(".")


def _fmt_dose(v: float, unit: str) -> str:
    if unit == "%":
        return f"{_num(v)}% of the dose"
    if unit == "tablet":
        return f"{_num(v)} tablet" + ("" if abs(v) <= 1 else "s")
    return f"{_num(v)} mg"


def _pct(r: float) -> str:
    v = r * 100
    return f"{_num(round(v, 1) if v < 10 else round(v))}%"


def _weeks(w: float) -> str:
    if w < 1 - 1e-9:
        days = round(w * 7)
        return f"{days} day" + ("" if days == 1 else "s")
    if abs(w - WEEKS_PER_MONTH) < 0.01:
        return "a month"
    if w > WEEKS_PER_MONTH * 2 - 0.01 and abs(w / WEEKS_PER_MONTH - round(w / WEEKS_PER_MONTH)) < 0.01:
        return f"{round(w / WEEKS_PER_MONTH)} months"
    if abs(w - round(w)) < 0.05:
        return "1 week" if round(w) == 1 else f"{round(w)} weeks"
    days = round(w * 7)
    return f"{days} days"


def _every(w: float) -> str:
    text = _weeks(w)
    return text[2:] if text.startswith("1 ") else text.replace("a month", "month")


def _later(gap: float) -> str:
    if gap <= 1e-9:
        return "at the same time"
    return f"{_weeks(gap)} later"


def _when(week: float) -> str:
    if week <= 1e-9:
        return "straight away"
    if abs(week - 1 / 7) < 1e-6:
        return "tomorrow"
    if abs(week - 1) < 1e-9:
        return "a week later"
    return f"after {_weeks(week)}"


_CANDIDATE_WORDS = frozenset(REDUCE | STOP | END_WORDS | set(MG_UNITS) | TABLETS | PERCENT | set(FRACTION_WORDS)
                             | set(INTERVAL_ADVERBS) | set(TIME_UNITS) | DOSE_WORDS | HOLD
                             | {"off", "halve", "every", "each", "tomorrow", "today", "now", "fortnight"})


# ---- the check ----
@dataclass
class Result:
    section: dict
    flag_span: tuple[int, int] | None   # characters of the plan's words, when too fast
    pure_stop: bool


class TaperChecker:
    """Finds the plan in a reply and judges its pace; one per Analyzer (immutable data only)."""

    def __init__(self, meds: Medicines | None = None):
        self.meds = meds or medicines()

    def candidates(self, doc: Doc) -> list[Span]:
        """Sentences that may hold a plan (cheap: token text only)."""
        out = []
        for sent in doc.sents:
            low = {t.lower_ for t in sent}
            if low & _CANDIDATE_WORDS \
                    or any(t.like_num or any(ch.isdigit() for ch in t.text) for t in sent):
                out.append(sent)
        return out

    def read(self, sents: list[Span]) -> list[tuple[Span, list[Clause]]]:
        """Each sentence's clauses that could be part of a plan (no parse needed)."""
        out = []
        for sent in sents:
            ws = words_of(sent)
            if not ws:
                continue
            clauses = [c for c in _clauses(ws, scan(ws, self.meds))
                       if _clause_is_plan(c) or _holds(c) or any(it.kind in ("dose", "tablets") for it in c.items)]
            if clauses:
                out.append((sent, clauses))
        return out

    @staticmethod
    def needs_context(read: list[tuple[Span, list[Clause]]]) -> list[Span]:
        """The sentences whose plan clauses must be judged in context (parse these)."""
        return [sent for sent, clauses in read if any(_clause_is_plan(c) for c in clauses)]

    def check(self, doc: Doc, sents: list[Span], cues_for: Callable[..., set[str]],
              read: list[tuple[Span, list[Clause]]] | None = None) -> Result:
        """`cues_for(sent, start, end)` returns the context cues of those doc tokens."""
        kept: list[Clause] = []
        set_aside: list[dict] = []
        for sent, clauses in (read if read is not None else self.read(sents)):
            aside_before = False
            for c in clauses:
                if not _clause_is_plan(c):
                    kept.append(c)   # a dose said in passing ("you're on 2 mg"), or a hold
                    continue
                if any(w.text in REVIEW_WORDS for w in c.words) and not any(
                        it.kind in ("dose", "tablets", "percent", "fraction", "stop") for it in c.items):
                    set_aside.append({"start": c.start, "end": c.end, "text": text_of(doc)[c.start:c.end],
                                      "reasons": ["a date to review the plan, not a step"]})
                    continue
                verb = next((it for it in c.items if it.kind in ("reduce", "stop")), None)
                if verb is not None:   # the plan's own verb carries its context
                    a, b = c.words[verb.i].tok, c.words[verb.i].tok + 1
                else:                  # "Taking 0.5 mg for a week ...", "a two-week taper": the quantity's head word
                    q = next((it for it in c.items if it.kind in ("dose", "tablets", "number", "time", "anchor",
                                                                  "interval", "percent", "fraction")), None)
                    a = c.words[q.j - 1].tok if q is not None else c.words[0].tok
                    b = a + 1 if q is not None else c.words[-1].tok + 1
                blocking = cues_for(sent, a, b) & {"negated", "hypothetical", "question", "reported", "quoted", "historical",
                                                  "generic"}
                other = self.meds.other_treatment(w.text for w in c.words)
                if other is not None:
                    blocking = blocking | {f"about another medicine or treatment ('{other}')"}
                if not blocking and aside_before and c.leads_with_then:
                    blocking = {"continues a set-aside plan"}
                if blocking:
                    aside_before = True
                    set_aside.append({"start": c.start, "end": c.end, "text": text_of(doc)[c.start:c.end],
                                      "reasons": sorted(blocking)})
                    continue
                aside_before = False
                kept.append(c)
        plan = read_plan(kept, self.meds)
        return self._result(doc, plan, set_aside)

    def _result(self, doc: Doc, plan: Plan, set_aside: list[dict]) -> Result:
        found = bool(plan.clauses)
        section: dict = {"found": found, "too_fast": None, "reduction_per_2_weeks": None}
        if not found:
            section["explanation"] = ("No taper plan was found in this reply: no reduction, schedule or stop "
                                      "with a dose or a time." + (" Some plan-like words were set aside because "
                                                                  "they were negated, hypothetical, asked or reported."
                                                                  if set_aside else ""))
            section.update(guideline=GUIDELINE, evidence=[], set_aside=set_aside, pace=None, points=None)
            return Result(section, None, False)
        p = pace(plan)
        unit = p.unit
        evidence = [{"start": c.start, "end": c.end, "text": text_of(doc)[c.start:c.end]} for c in plan.clauses]
        per = p.per_2_weeks
        section["reduction_per_2_weeks"] = round(per, 4) if per is not None else None
        if per is None:
            section["too_fast"] = None
            what = " and ".join(p.missing) if p.missing else "doses or timing"
            section["explanation"] = (f"A plan is mentioned, but there is not enough detail to check its pace: "
                                      f"it does not say {what}. You could ask for the doses and the timing of each step.")
            section["pace"] = None
        else:
            too_fast = per > MAX_PER_2_WEEKS + 1e-9
            section["too_fast"] = too_fast
            section["pace"] = "too-fast" if too_fast else ("faster-than-start" if per > START_PER_2_WEEKS + 1e-9 else "within")
            said = "; ".join(p.reasons)
            said = said[:1].upper() + said[1:] if said else ""
            if too_fast:
                verdict = (f"That is faster than the 2025 joint guideline, which suggests starting with 5-10% every "
                           f"2-4 weeks and typically no more than 25% every 2 weeks ({_pct(per)} here).")
            elif section["pace"] == "faster-than-start":
                verdict = ("That stays within the 2025 joint guideline's usual limit of 25% every 2 weeks, but is "
                           "faster than its suggested start of 5-10% every 2-4 weeks.")
            else:
                verdict = ("That is within the 2025 joint guideline's suggested pace (5-10% every 2-4 weeks, "
                           "typically no more than 25% every 2 weeks).")
            section["explanation"] = f"{said}. {verdict} Slowing or pausing if withdrawal appears is part of the guideline too."
        med = plan.medicine
        section.update({
            "medicine": med.name if med else None,
            "unit": unit,
            "start_mg": round(plan.start, 4) if plan.start is not None and unit == "mg" else None,
            "start": round(plan.start, 4) if plan.start is not None else (100.0 if unit == "%" else None),
            "steps": [{"week": round(w, 3), "dose": d, "mg": d if unit == "mg" else None} for w, d in p.points],
            "total_weeks": round(p.total_weeks, 2) if p.total_weeks is not None else None,
            "guideline": GUIDELINE,
            "evidence": evidence,
            "assumptions": p.assumptions,
            "missing": p.missing,
            "set_aside": set_aside,
            "diazepam_equivalent_mg": (round(med.to_diazepam_mg(plan.start), 2)
                                       if med is not None and plan.start is not None and unit == "mg" else None),
            "tablet_strengths_mg": list(med.strengths_mg) if med is not None else None,
        })
        section["points"] = chart_points(p.points, plan.start if plan.start is not None else (p.points[0][1] if p.points else None),
                                         p.total_weeks) if p.points else None
        span = (min(c.start for c in plan.clauses), max(c.end for c in plan.clauses))
        pure_stop = not plan.step and all(e.note == "stop" for e in plan.events) and plan.total_weeks is None
        return Result(section, span, pure_stop)


def chart_points(points: list[tuple[float, float]], start: float | None, total: float | None) -> dict | None:
    """The proposed plan and two guideline-paced curves, as percentages of the starting dose, for a chart."""
    if not points or not start:
        return None
    last = max(w for w, _ in points)
    horizon = max(8.0, min(52.0, math.ceil(max(last, total or 0) * 1.5 + 2)))
    plan = [{"week": w, "percent": round(100 * d / start, 1), "dose": d} for w, d in points if w <= horizon]
    if not plan or plan[0]["week"] > 0 or plan[0]["percent"] != 100.0:
        plan.insert(0, {"week": 0.0, "percent": 100.0, "dose": start})
    if plan and plan[-1]["week"] < horizon:
        plan.append({"week": horizon, "percent": plan[-1]["percent"], "dose": plan[-1]["dose"]})

    def curve(rate: float, every: float) -> list[dict]:
        out, d, w = [], 100.0, 0.0
        out.append({"week": 0.0, "percent": 100.0})
        while w + every < horizon - 1e-9:
            w += every
            d *= (1 - rate)
            out.append({"week": w, "percent": round(d, 1)})
        if out[-1]["week"] < horizon:
            out.append({"week": horizon, "percent": round(d, 1)})
        return out

    return {"horizon_weeks": horizon, "plan": plan,
            "guideline": curve(START_STEP[1], START_INTERVAL_WEEKS[0]),   # 10% every 2 weeks
            "limit": curve(MAX_PER_2_WEEKS, 2.0)}                         # 25% every 2 weeks
