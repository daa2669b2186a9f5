"""Taper-plan check: plan sentences with expected results (tests/data/taper_plans*.jsonl), the
issue's two "done when" cases, the flag it adds, and the number reading underneath."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rehearse.lexicon import LexiconError, load_sources
from rehearse.replies import load_replies
from rehearse.taper import MAX_PER_2_WEEKS, chart_points, number_at, words_of

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parent.parent
SETS = ("taper_plans.jsonl", "taper_plans_holdout.jsonl")
CASES = [(name, json.loads(line)) for name in SETS
         for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
FAST = "Let's cut you from 2 mg to 1 mg this week and you can stop next week."
PACED = "We'll reduce your dose by about 10% every 2 to 4 weeks, and pause if withdrawal symptoms appear."


def _matches(case: dict, plan: dict) -> bool:
    red, want = plan["reduction_per_2_weeks"], case["reduction"]
    same_red = (red is None and want is None) or (
        red is not None and want is not None and abs(red - want) <= 0.01)
    return plan["found"] == case["found"] and plan["too_fast"] is case["too_fast"] and same_red


def test_the_data_set_is_big_and_varied():
    kinds = {c["kind"] for _, c in CASES}
    assert len(CASES) >= 30
    assert {"fast", "slow", "ambiguous", "no-plan", "negated", "hypothetical"} <= kinds


@pytest.mark.parametrize("name,case", CASES, ids=[f"{n.split('.')[0]}:{c['text'][:50]}" for n, c in CASES])
def test_plan_sentence(analyse, name, case):
    plan = analyse(case["text"], "reply")["taper_plan"]
    assert _matches(case, plan), (
        f"{case['text']!r}: expected found={case['found']} too_fast={case['too_fast']} "
        f"reduction={case['reduction']}, got found={plan['found']} too_fast={plan['too_fast']} "
        f"reduction={plan['reduction_per_2_weeks']} ({plan['explanation']})")


def test_extraction_accuracy_report(analyse, record_property, capsys):
    """Reports accuracy per data set (pytest -s shows it); the bar is 90% on each."""
    for name in SETS:
        rows = [c for n, c in CASES if n == name]
        right = sum(_matches(c, analyse(c["text"], "reply")["taper_plan"]) for c in rows)
        record_property(f"accuracy_{name}", f"{right}/{len(rows)}")
        with capsys.disabled():
            print(f"\ntaper-plan extraction accuracy on {name}: {right}/{len(rows)} = {right / len(rows):.0%}")
        assert right / len(rows) >= 0.9


# ---- the "done when" ----
def test_done_when_a_rushed_plan_is_a_concern_with_the_numbers(analyse):
    result = analyse(FAST, "reply")
    plan = result["taper_plan"]
    assert plan["found"] and plan["too_fast"] is True
    assert plan["reduction_per_2_weeks"] == pytest.approx(1.0)
    assert "2 mg to 1 mg" in plan["explanation"] and "50%" in plan["explanation"]
    assert "25% every 2 weeks" in plan["explanation"] and "5-10% every 2-4 weeks" in plan["explanation"]
    flag = next(f for f in result["flags"] if f["category"] == "rushed-schedule" and f.get("taper"))
    assert flag["severity"] == "high" and flag["polarity"] == "concern"
    assert flag["text"] == FAST[flag["start"]:flag["end"]]
    assert flag["taper"]["reduction_per_2_weeks"] == pytest.approx(1.0)
    assert "25%" in flag["message"] and "whole dose within 2 weeks" in flag["message"]
    assert "2 mg to 1 mg" in flag["explanation"] and "FDA" in flag["explanation"]
    assert {s["id"] for s in flag["sources"]} >= {"asam-2025", "fda-2020"}
    assert any("2 mg to about 1.8 mg" in s for s in flag["suggestions"])


def test_done_when_a_guideline_paced_reply_raises_nothing(analyse):
    result = analyse(PACED, "reply")
    plan = result["taper_plan"]
    assert plan["found"] and plan["too_fast"] is False
    assert plan["reduction_per_2_weeks"] == pytest.approx(0.10)
    assert any("faster end" in a for a in plan["assumptions"])  # "every 2-4 weeks" is checked at 2
    assert not [f for f in result["flags"] if f["category"] == "rushed-schedule"]


def test_the_numbers_merge_into_an_overlapping_lexicon_flag_of_its_category(analyse):
    result = analyse(FAST, "reply")
    rushed = [f for f in result["flags"] if f["category"] == "rushed-schedule"]
    assert len(rushed) == 1 and rushed[0]["rule"] != "reply.taper-too-fast"   # the lexicon's rule stays
    assert rushed[0]["taper"]["plan_start"] == 0 and "100%" in rushed[0]["explanation"]
    assert result["summary"]["concerns"] == sum(f["polarity"] == "concern" for f in result["flags"])


def test_a_plan_no_lexicon_entry_covers_gets_its_own_flag_over_the_plan_words(rules_only):
    text = "You're on 2 mg. Drop 0.5 mg a week until you're off."
    result = rules_only.analyse(text, "reply")
    flag = next(f for f in result["flags"] if f["rule"] == "reply.taper-too-fast")
    assert flag["text"] == text[flag["start"]:flag["end"]] == "Drop 0.5 mg a week until you're off"
    assert flag["category"] == "rushed-schedule" and flag["severity"] == "high"
    assert "50%" in flag["message"] and flag["replies"]
    starts = [f["start"] for f in result["flags"]]
    assert starts == sorted(starts)
    assert result["summary"]["concerns"] == sum(f["polarity"] == "concern" for f in result["flags"])


def test_a_plan_the_sentence_model_flags_gets_the_numbers_on_that_flag(analyse):
    text = "You're on 2 mg. Drop 0.5 mg a week until you're off."
    rushed = [f for f in analyse(text, "reply")["flags"] if f["category"] == "rushed-schedule"]
    assert len(rushed) == 1   # one flag for one plan, whoever found it
    assert rushed[0]["text"] == "Drop 0.5 mg a week until you're off"
    assert rushed[0]["taper"]["reduction_per_2_weeks"] == pytest.approx(0.5) and "50%" in rushed[0]["explanation"]


def test_a_plan_across_sentences_keeps_its_start_dose(analyse):
    text = "You're on 2 mg of clonazepam. Drop 0.5 mg a week until you're off."
    plan = analyse(text, "reply")["taper_plan"]
    assert plan["start_mg"] == 2.0 and plan["medicine"] == "clonazepam"
    assert plan["diazepam_equivalent_mg"] == pytest.approx(40.0)
    assert "25% in the first step, 50% per 2 weeks" in plan["explanation"]


def test_a_negated_plan_is_set_aside_with_its_reason(analyse):
    plan = analyse("We won't cut you off in a week.", "reply")["taper_plan"]
    assert plan["found"] is False and plan["too_fast"] is None
    assert plan["set_aside"] and "negated" in plan["set_aside"][0]["reasons"]


def test_not_enough_detail_says_so_instead_of_guessing(analyse):
    plan = analyse("Reduce by 0.5 mg every 3 days.", "reply")["taper_plan"]
    assert plan["found"] and plan["too_fast"] is None and plan["reduction_per_2_weeks"] is None
    assert "not enough detail" in plan["explanation"] and "starting dose" in plan["explanation"]


def test_no_plan_in_a_plain_reply(analyse):
    result = analyse("Thanks for your message. See you at the appointment.", "reply")
    assert result["taper_plan"]["found"] is False
    assert result["taper_plan"]["too_fast"] is None


def test_every_other_day_is_noted(analyse):
    plan = analyse("Skip a dose every other day, and then stop after two weeks.", "reply")["taper_plan"]
    assert any("every other day" in a for a in plan["assumptions"])


def test_draft_mode_has_no_plan_section(analyse):
    assert "taper_plan" not in analyse(FAST, "draft")


def test_chart_points_hold_the_plan_and_guideline_curves(analyse):
    points = analyse(FAST, "reply")["taper_plan"]["points"]
    assert points["plan"][0] == {"week": 0.0, "percent": 100.0, "dose": 2.0}
    assert points["plan"][-1]["percent"] == 0.0
    assert [p["percent"] for p in points["guideline"][:3]] == [100.0, 90.0, 81.0]   # 10% every 2 weeks
    assert [p["percent"] for p in points["limit"][:2]] == [100.0, 75.0]             # 25% every 2 weeks
    assert chart_points([], None, None) is None


@pytest.mark.parametrize("name", ["dev_reply.jsonl", "holdout_reply.jsonl", "dev_draft.jsonl"])
def test_no_reply_in_the_data_sets_breaks_the_check_or_gets_a_plan_flag_when_clean(analyse, name):
    rows = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    wrong = []
    for row in rows:
        result = analyse(row["text"], "reply")
        assert "error" not in result["taper_plan"], f"unreadable plan: {row['text']!r}"
        flagged = any(f.get("taper") for f in result["flags"])
        if flagged and row["label"] == "clean" and name != "dev_draft.jsonl":
            wrong.append(row["text"])
    assert wrong == [], f"False positive against: {wrong}"


# ---- reading numbers ----
@pytest.mark.parametrize("phrase,low,high", [
    ("2", 2, 2), ("0.5", 0.5, 0.5), (".25", 0.25, 0.25), ("1/2", 0.5, 0.5), ("two", 2, 2),
    ("half a", 0.5, 0.5), ("a quarter", 0.25, 0.25), ("one and a half", 1.5, 1.5), ("2-4", 2, 4),
    ("two to four", 2, 4), ("a couple of", 2, 2), ("three quarters", 0.75, 0.75), ("a whole mg", 1, 1),
])
def test_number_phrases(analyzer, phrase, low, high):
    words = words_of(analyzer.nlp.make_doc(phrase))
    got = number_at(words, 0)
    assert got is not None and got[0] == pytest.approx(low) and got[1] == pytest.approx(high)


def test_glued_units_are_split(analyzer):
    assert [w.text for w in words_of(analyzer.nlp.make_doc("0.25mg 2–4 x7 500mcg 25%"))] == [
        "0.25", "mg", "2", "-", "4", "x", "7", "500", "mcg", "25", "%"]


# ---- reply ideas ----
def test_every_reply_red_flag_category_has_sourced_reply_ideas(analyzer):
    categories = {e.category for e in analyzer.lexicon.for_mode("reply") if e.polarity == "concern"}
    ideas = analyzer._reply_review.replies
    assert categories <= set(ideas.by_category), categories - set(ideas.by_category)
    for cat in categories:
        for idea in ideas.for_category(cat):
            assert idea["source"]["url"].startswith("https://") and idea["text"]


def test_reply_quotes_are_the_sources_own_words():
    seed = (ROOT.parent / "shared" / "seeds" / "prescriber-partner-guide.txt")
    if not seed.exists():
        pytest.skip("the seeds are not beside this checkout")
    text = seed.read_text(encoding="utf-8")
    ideas = load_replies(ROOT / "lexicons" / "replies.yaml", load_sources(ROOT / "lexicons" / "sources.yaml"))
    quotes = [i.quote for group in ideas.by_category.values() for i in group if i.quote]
    assert quotes and all(q in text for q in quotes)


def test_reply_concern_flags_carry_reply_ideas(analyse):
    result = analyse("You can just stop taking it. Withdrawal isn't a big deal.", "reply")
    concerns = [f for f in result["flags"] if f["polarity"] == "concern"]
    assert concerns and all(f["replies"] for f in concerns)
    assert all("title" in r["source"] and "url" in r["source"] for f in concerns for r in f["replies"])


@pytest.mark.parametrize("body,needle", [
    ("categories:\n  rushed-schedule:\n    - text: Hi\n      source: nowhere\n", "reply #1: 'source'"),
    ("categories:\n  rushed-schedule:\n    - text: Sorry to bother you\n      source: fda-2020\n", "apologise"),
    ("categories:\n  rushed-schedule:\n    - text: Hi\n      source: fda-2020\n      colour: red\n", "unknown keys"),
    ("replies: []\n", "top-level `categories:`"),
])
def test_reply_ideas_are_validated_naming_file_and_entry(tmp_path, body, needle):
    path = tmp_path / "replies.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_replies(path, load_sources(ROOT / "lexicons" / "sources.yaml"))
    assert "replies.yaml" in str(err.value) and needle in str(err.value)


def test_guideline_limit_is_the_joint_guidelines():
    assert MAX_PER_2_WEEKS == 0.25


def test_a_step_in_another_medicines_mg_is_not_mistaken_for_a_range(analyse):
    """Both ends of a step go through the diazepam conversion: 5 mg diazepam is 0.25 mg clonazepam,
    one step, not a range from 5 mg to 0.25 mg."""
    plan = analyse("You are on 2 mg clonazepam. We will reduce by 5 mg diazepam every two weeks.",
                   "reply")["taper_plan"]
    assert plan["reduction_per_2_weeks"] == 0.125 and plan["too_fast"] is False
    assert not any("range" in a for a in plan["assumptions"]), plan["assumptions"]



def test_a_plan_naming_a_benzodiazepine_beside_another_medicine_is_still_judged(analyse):
    result = analyse("Let's cut the Xanax and the ibuprofen in half this week.", "reply")
    assert result["taper_plan"]["too_fast"] is True


def test_other_medicines_may_not_name_a_benzodiazepine(tmp_path):
    from rehearse.lexicon import LexiconError
    from rehearse.medicines import load_medicines, medicines
    assert "prednisolone" in medicines().others and "diazepam" not in medicines().others
    bad = tmp_path / "medicines.yaml"
    bad.write_text("medicines:\n  diazepam:\n    class: benzodiazepine\n    strengths_mg: [2, 5]\n"
                   "    diazepam_10mg_equivalent_mg: 10\n    half_life: long\nothers: [ibuprofen, diazepam]\n")
    with pytest.raises(LexiconError, match="others also names"):
        load_medicines(bad)


@pytest.mark.parametrize("text", [
    "We'll taper the prednisolone over two weeks, which is standard for a short course.",
    "The dressing can come off in a few days.",
    "Your records show the clonazepam was cut in half abruptly last spring, and that's when the symptoms began.",
    "We'll keep each reduction to no more than 10 percent of your current dose.",
    "We'll aim for cuts of no more than 10% of the current dose, with a hold whenever you need one.",
    "Ten percent of the current dose, not the original.",
    "Let's review your taper again in four weeks, or sooner if you need to.",
    "Tapering off zolpidem is usually done in small steps over several weeks or longer.",
])
def test_plans_not_judged_or_not_too_fast(analyse, text):
    """Another treatment's plan and a past plan are not judged; a cap on each step is a step size,
    'or longer' is a floor, and a review date is not an end."""
    result = analyse(text, "reply")
    assert result["taper_plan"]["too_fast"] is not True, result["taper_plan"].get("explanation")
    assert not [f for f in result["flags"] if f["category"] == "rushed-schedule"]


def test_a_target_share_of_the_dose_is_still_a_target(analyse):
    plan = analyse("Cut to 50% of your dose this week.", "reply")["taper_plan"]
    assert plan["too_fast"] is True and plan["reduction_per_2_weeks"] == pytest.approx(0.5)
