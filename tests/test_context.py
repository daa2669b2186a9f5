"""Context from the parse: negated, reported, hypothetical, asked, past and quoted phrases.

These run against the real lexicons, on the issue's own sentences and on twins of them.
"""
from __future__ import annotations

import pytest


def concerns(result):
    return [f for f in result["flags"] if f["polarity"] == "concern"]


@pytest.mark.parametrize("sentence", [
    "You can just stop taking it.",
    "Honestly, you can just stop taking the Klonopin this weekend.",
    "Just stop it, you'll be fine.",
    "You can just stop, okay?",  # a tag question still tells
])
def test_abrupt_stop_is_flagged(analyse, sentence):
    assert any(f["category"] == "abrupt-stop" for f in concerns(analyse(sentence, "reply")))


@pytest.mark.parametrize("sentence,why", [
    ("You can't just stop taking it.", "negated"),
    ("You cannot simply stop the Xanax.", "negated"),
    ("Never just stop it.", "negated"),
    ("I don't think you can just stop.", "negated"),
    ("Don't let anyone tell you that you can just stop.", "reported"),
    ("Some doctors say you can just stop, but that is dangerous.", "reported"),
    ("My previous doctor told me I could just stop, and that's when the seizures started.", "reported"),
    ("It's a myth that you can just stop.", "reported"),
    ("If you just stop it, you could have a seizure.", "hypothetical"),
    ("Can I just stop?", "question"),
    ('They told me "just stop" and nothing else.', "reported"),
])
def test_context_cancels_abrupt_stop(analyse, sentence, why):
    result = analyse(sentence, "reply")
    assert not [f for f in concerns(result) if f["rule"] == "reply.just-stop"], sentence
    noticed = [s for s in result["suppressed"] if s["rule"] == "reply.just-stop"]
    assert noticed, f"the phrase should be noticed and set aside: {sentence}"


def test_suppressed_phrase_keeps_its_reason(analyse):
    result = analyse("You can't just stop taking it.", "reply")
    (item,) = [s for s in result["suppressed"] if s["rule"] == "reply.just-stop"]
    assert any("negated" in r for r in item["reasons"])
    assert result["summary"]["concerns"] == 0


def test_word_sense_stop_by_is_not_abrupt_stop(analyse):
    result = analyse("Please stop by the front desk on your way out.", "reply")
    assert not concerns(result)
    assert not result["suppressed"]


@pytest.mark.parametrize("sentence,mode,reason", [
    ("Were you to stop suddenly, you could have a seizure.", "reply", "hypothetical"),
    ("Suppose we reduced by half: that would be far too steep.", "reply", "hypothetical"),
    ("A two-week taper would be far too fast for you.", "reply", "too fast"),
    ("The worst thing you can do is stop suddenly.", "reply", "rejected"),
    ("Far from being drug seeking, you're asking sensible questions.", "reply", "far from"),
    ("I didn't mean to imply that you never listen.", "draft", "negated"),
    ("He wrote 'I AM DONE WITH THIS' in his message.", "draft", "quot"),
    ("There is nothing in your record about medication-seeking.", "reply", "negated"),
    ("You were given a two-week taper last time and ended up in hospital, so we'll go much slower.", "reply", "past"),
    ("According to your history, you were cut off without a refill when your doctor retired.", "reply", "past"),
    ("If anyone tells you it's all in your head, please come straight back to me.", "reply", "might say"),
    ("I used to think two-week tapers were fine, and I was wrong.", "reply", "given up"),
    ("Under no circumstances should you just stop taking it.", "reply", "negated"),
    ("Calling patients drug seekers for asking about tapering is unfair, and I won't do it.", "reply", "unfair"),
])
def test_context_cue_sets_the_phrase_aside(analyse, sentence, mode, reason):
    result = analyse(sentence, mode)
    noticed = [r for s in result["suppressed"] for r in s["reasons"]]
    assert any(reason in r for r in noticed), (sentence, result["suppressed"])
    assert not concerns(result), (sentence, concerns(result))


@pytest.mark.parametrize("sentence,reason", [
    ("Some people online claim withdrawal is severe, but that's rare.", "contrasted"),
    ("There's no way withdrawal is severe at 0.25 mg.", "negated"),
])
def test_a_denied_strength_is_set_aside(analyse, sentence, reason):
    """The benzo-wise phrase is negated or contrasted away, so no strength; the sentence itself
    minimises withdrawal, so a concern there (from the sentence model) is right, not a leak."""
    result = analyse(sentence, "reply")
    noticed = [r for s in result["suppressed"] if s["polarity"] == "strength" for r in s["reasons"]]
    assert any(reason in r for r in noticed), (sentence, result["suppressed"])
    assert not [f for f in result["flags"] if f["polarity"] == "strength"]
    assert all(f["category"] == "withdrawal-minimised" for f in concerns(result))


@pytest.mark.parametrize("sentence,mode", [
    ("You can just stop, it's not dangerous.", "reply"),       # a negation after a comma splice
    ("You've been misusing the Ativan, haven't you?", "reply"),  # a tag question still tells
    ("You've got to slow down my taper, it's too fast.", "draft"),
    ("They said the script was never sent, which means you flat out misled me.", "draft"),  # own conclusion
])
def test_context_does_not_leak_across_clauses(analyse, sentence, mode):
    assert concerns(analyse(sentence, mode)), sentence


@pytest.mark.parametrize("sentence,rule,reason", [
    ("Had you come off it all at once, it could have been dangerous.", "reply.just-stop", "hypothetical"),
    ("The old advice was to halve the dose every week; we know now that's far too fast.", "reply.halve-dose",
     "reported"),
    ("People used to claim withdrawal only lasts a week; we know now it can go on much longer.",
     "reply.withdrawal-short-lived", "reported"),
])
def test_parse_edge_cases_cancel_the_concern(analyse, sentence, rule, reason):
    result = analyse(sentence, "reply")
    assert not concerns(result), sentence
    noticed = [s for s in result["suppressed"] if s["rule"] == rule]
    assert noticed and any(reason in r for r in noticed[0]["reasons"]), result["suppressed"]


@pytest.mark.parametrize("sentence,rule", [
    ("The advice is to halve the dose every week.", None),   # endorsed advice, not superseded
    ("I'm not going to slow it down, you'll only get used to the lower dose if we keep going.",
     "reply.refuse-adjust"),                                  # "get used to" is not the past
    ("I don't care what the Ashton Manual says.", "reply.research-refused"),
])
def test_twins_that_stay_concerns(analyse, sentence, rule):
    flagged = concerns(analyse(sentence, "reply"))
    assert flagged, sentence
    if rule:
        assert rule in {f["rule"] for f in flagged}


@pytest.mark.parametrize("sentence,rule", [
    ("If withdrawal gets hard we'd adjust the plan rather than push through.", "reply.push-through"),
])
def test_rather_than_sets_the_phrase_aside(analyse, sentence, rule):
    result = analyse(sentence, "reply")
    assert not concerns(result), sentence
    assert any(s["rule"] == rule and any("rather than" in r for r in s["reasons"]) for s in result["suppressed"])


@pytest.mark.parametrize("sentence", [
    "Your Xanax was discontinued as of today.",          # announced now, not the past
    "This is exactly why you were put on it in the first place.",   # a reason given now
    "If you feel worse, it's all in your head.",          # a condition, not someone's words
])
def test_passive_past_and_if_clauses_do_not_hide_what_is_said_now(analyse, sentence):
    assert concerns(analyse(sentence, "reply")), sentence


@pytest.mark.parametrize("sentence", [
    "Just stop the laxative once things are moving again.",
    "We'll stop the amoxicillin after seven days, as the infection should have cleared by then.",
])
def test_advice_about_another_medicine_is_not_a_benzodiazepine_red_flag(analyse, sentence):
    result = analyse(sentence, "reply")
    assert not concerns(result)
    assert any("another medicine" in r for s in result["suppressed"] for r in s["reasons"])


def test_a_sentence_naming_a_benzodiazepine_too_is_still_read(analyse):
    assert concerns(analyse("Stop the ibuprofen, and you can just stop the Klonopin too.", "reply"))


def test_calling_an_act_unfair_is_blame_in_a_draft_not_a_rejection(analyse):
    assert concerns(analyse("It is unfair that you never listen to me.", "draft"))
