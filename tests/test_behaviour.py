"""The behaviours the engine promises, on the sentences that define them (issue 2, DEVELOPERS.md)."""
from __future__ import annotations

import pytest


def rules(result, polarity):
    return {f["rule"] for f in result["flags"] if f["polarity"] == polarity}


def has_concern(result):
    return bool(rules(result, "concern"))


# --- reply: the seed's red flags, and the twins that must stay quiet --------------------------
@pytest.mark.parametrize("sentence", [
    "You can just stop.",
    "Two-week tapers work for everyone.",
    "Withdrawal isn't a big issue.",
    "Honestly, withdrawal is not a big deal at your dose.",
    "Let's cut it in half this week and then stop.",
    "It's just your anxiety coming back.",
    "You can't be dependent at this dose.",
    "You sound like you're drug-seeking.",
    "This is your last refill.",
])
def test_reply_red_flags(analyse, sentence):
    assert has_concern(analyse(sentence, "reply")), sentence


@pytest.mark.parametrize("sentence", [
    "You can't just stop.",
    "Some doctors say two-week tapers work for everyone, but that isn't what the guideline says.",
    "Don't let anyone tell you that you can just stop.",
    "My previous doctor told me I could just stop, and that's when the seizures started.",
    "If you stopped suddenly, you could have a seizure.",
    "Have you ever tried to stop before?",
    "Please stop by the front desk on your way out.",
    "It's all in your chart.",
    "We'll reduce by about 5 to 10 percent every two to four weeks and pause if you need to.",
])
def test_reply_clean_twins(analyse, sentence):
    result = analyse(sentence, "reply")
    assert not has_concern(result), (sentence, result["flags"])


def test_polarity_flips_with_negation(analyse):
    minimised = analyse("Withdrawal isn't a big issue.", "reply")
    acknowledged = analyse("Withdrawal can be a big issue.", "reply")
    assert has_concern(minimised) and not rules(minimised, "strength")
    assert rules(acknowledged, "strength") and not has_concern(acknowledged)


# --- draft: accusations are second person; kindness and the patient's own story are not ------
@pytest.mark.parametrize("sentence", [
    "You never listen to me.",
    "You always dismiss my symptoms.",
    "You need to give me a slower taper.",
    "I demand a slower taper.",
    "If you don't slow this down, I'll report you to the medical board.",
    "I AM NOT GOING TO DO THIS ANYMORE.",
])
def test_draft_confrontational(analyse, sentence):
    assert has_concern(analyse(sentence, "draft")), sentence


@pytest.mark.parametrize("sentence", [
    "I never had these symptoms before.",
    "I always take it at night with food.",
    "Thank you, you always make time for me.",
    "You always explain things so clearly.",
    "If we can't agree on a pace, I'd like a referral to someone experienced in tapering.",
    "I need to stop by the pharmacy after work.",
])
def test_draft_not_confrontational(analyse, sentence):
    result = analyse(sentence, "draft")
    assert not has_concern(result), (sentence, result["flags"])


def test_demand_is_rewritten_as_a_question_that_keeps_the_meaning(analyse):
    text = "You need to give me a slower taper."
    (flag,) = [f for f in analyse(text, "draft")["flags"] if f["polarity"] == "concern"]
    assert flag["rewrite"]["text"] == "Would you be open to a slower taper?"
    assert flag["suggestions"][0] == "Would you be open to a slower taper?"
    rewritten = text[:flag["rewrite"]["start"]] + flag["rewrite"]["text"] + text[flag["rewrite"]["end"]:]
    assert rewritten == "Would you be open to a slower taper?"


def test_rewrites_keep_the_rest_of_the_text(analyse):
    text = "Hello. You need to give me a slower taper. Thanks."
    (flag,) = [f for f in analyse(text, "draft")["flags"] if f["polarity"] == "concern"]
    rw = flag["rewrite"]
    assert text[:rw["start"]] + rw["text"] + text[rw["end"]:] == "Hello. Would you be open to a slower taper? Thanks."


def test_collaborative_draft_scores_higher_than_confrontational(analyse):
    calm = analyse("Thank you for seeing me. I've been doing some research and wanted to share it. "
                   "Would you be open to a slower taper?", "draft")
    harsh = analyse("You never listen. You need to give me a slower taper right now or I'll report you!!!", "draft")
    assert calm["summary"]["collaboration"] > 65 > 35 > harsh["summary"]["collaboration"]


def test_readme_states_the_tone_weights_the_code_uses():
    """The README's collaboration-score table must not drift from rehearse/tone.py."""
    import re
    from pathlib import Path

    from rehearse import tone

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| markers that raise it (weight) |"):readme.index("`summary.tone` lists")]
    stated = sorted(abs(float(w.replace("−", "-"))) for w in re.findall(r"\((−?\d+(?:\.\d+)?)(?:,|\))", table))
    weights = [w for w, _ in tone.ANYWHERE.values()] + [w for w, _ in tone.SENTENCE_START.values()]
    weights += [tone.DIRECT_QUESTION, tone.SHOUTING]
    assert stated == sorted(abs(w) for w in weights)
    for polarity, sign in (("strength", "adds"), ("concern", "subtracts")):
        high, medium, low = (tone.FLAG_WEIGHT[polarity][s] for s in ("high", "medium", "low"))
        assert f"{sign} {high:g} / {medium:g} / {low:g}" in table


def test_skipping_the_parse_never_changes_a_result(analyzer, monkeypatch):
    """The analyser parses a candidate's sentence only when the parse could change the outcome
    (a cue word, a possible past tense for the `historical` cue, a subject or rewrite to read).
    Over every lexicon example, forcing the parse everywhere must give the same flags."""
    import json
    from pathlib import Path

    examples = [(e.mode, text) for e in analyzer.lexicon.entries
                for text in (*e.flag_examples, *e.pass_examples)]
    examples += [("reply", "Far from being drug seeking, you're asking sensible questions."),
                 ("reply", "The worst thing you could do is stop it all at once."),
                 ("draft", "Were you to cut me off, I would be in real trouble."),
                 ("reply", "The old advice was to halve the dose every week; that is far too fast.")]
    # inputs only: the assertion compares two ways of analysing, never the labels
    for name in ("dev", "fresh_a", "holdout", "fresh_b"):
        for mode in ("draft", "reply"):
            path = Path(__file__).resolve().parent / "data" / f"{name}_{mode}.jsonl"
            examples += [(mode, json.loads(line)["text"]) for line in path.read_text("utf-8").splitlines() if line]

    def outcome(mode, texts):
        return [sorted((f["rule"], f["start"], f["end"]) for f in r["flags"])
                for r in analyzer.analyse_many(texts, mode=mode)]

    by_mode = {m: [t for mm, t in examples if mm == m] for m in ("draft", "reply")}
    lean = {m: outcome(m, texts) for m, texts in by_mode.items()}
    monkeypatch.setattr(type(analyzer), "_needs_parse", lambda self, c, has_cue, key: True)
    full = {m: outcome(m, texts) for m, texts in by_mode.items()}
    for m, texts in by_mode.items():
        differ = [(t, a, b) for t, a, b in zip(texts, lean[m], full[m]) if a != b]
        assert not differ, differ[:5]
