"""Per-text latency of rehearse's analyse() against a plain full spaCy call, in the same run.

    .venv/bin/python benchmarks/latency.py [--repeat 50]

Texts of about 50, 300 and 2,000 words are built from a fixed pool of draft and reply sentences
(written for this benchmark; mixed flagged and clean). For each, both calls run `repeat` times,
interleaved; the report gives p50 and p99 in milliseconds and analyse / spaCy ratios.
"""
from __future__ import annotations

import argparse
import statistics
import time

import spacy

from rehearse import get_analyzer
from rehearse.pipeline import model_name

DRAFT = [
    "Thank you for seeing me today.",
    "I have been taking clonazepam 1 mg every night for about six years.",
    "It was first prescribed for panic attacks after my father died.",
    "Over the last year I have noticed that I feel anxious in the afternoons and my hands shake.",
    "I tried to stop once in 2021 and ended up in the emergency room.",
    "You need to give me a slower taper this time.",
    "I would like to taper off slowly because I want to feel like myself again.",
    "I have been doing some research and wanted to share a few resources with you.",
    "You never listen to me when I talk about the side effects.",
    "Would you be open to reductions of about 5 to 10 percent every few weeks?",
    "I can keep a symptom diary and check in every two weeks.",
    "My sister is coming with me to help me remember what we discuss.",
    "I really value your input and would appreciate your support on this.",
    "The weather has been cold, so I have been walking less than usual.",
]
REPLY = [
    "Thanks for your message about the clonazepam.",
    "You can just stop taking it, you have only been on a low dose.",
    "We will reduce slowly, about 5 to 10 percent every two to four weeks.",
    "Withdrawal isn't a big issue at this dose.",
    "Please stop by the front desk to book your next appointment.",
    "If symptoms get worse, we can pause the taper for a while.",
    "It's just your anxiety coming back.",
    "Have you tried to come off it before, and what happened?",
    "I'd like you to see our counsellor for some CBT for insomnia.",
    "Let's cut the dose in half this week and then stop next week.",
    "Your blood tests were normal.",
    "I will send the prescription to your pharmacy this afternoon.",
]


def build(pool: list[str], words: int) -> str:
    out, n, i = [], 0, 0
    while n < words:
        s = pool[i % len(pool)]
        out.append(s)
        n += len(s.split())
        i += 1
    return " ".join(out)


def timed(fn, text):
    t = time.perf_counter()
    fn(text)
    return (time.perf_counter() - t) * 1000


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    analyzer = get_analyzer()
    full = spacy.load(model_name())  # every component, NER included: "a plain full call"
    print(f"pipeline {model_name()}, components {full.pipe_names}, repeat {args.repeat}")
    print(f"{'text':<14}{'words':>6}{'analyse p50':>13}{'p99':>8}{'spaCy p50':>11}{'p99':>8}"
          f"{'ratio p50':>11}{'ratio p99':>11}")
    for mode, pool in (("draft", DRAFT), ("reply", REPLY)):
        for words in (50, 300, 2000):
            text = build(pool, words)
            analyzer.analyse(text, mode), full(text)  # warm
            a, s = [], []
            for _ in range(args.repeat):
                a.append(timed(lambda t: analyzer.analyse(t, mode), text))
                s.append(timed(full, text))
            a50, a99, s50, s99 = pct(a, .5), pct(a, .99), pct(s, .5), pct(s, .99)
            print(f"{mode + ' ' + str(words):<14}{len(text.split()):>6}{a50:>13.2f}{a99:>8.2f}{s50:>11.2f}"
                  f"{s99:>8.2f}{a50 / s50:>11.2f}{a99 / s99:>11.2f}")


if __name__ == "__main__":
    main()
