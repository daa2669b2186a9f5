"""Prescriber profile: each reply placed on the second seed's five aspects, with its own words as
evidence, and an overall reading that is never a verdict on the person."""
from __future__ import annotations

from pathlib import Path

import pytest

from rehearse.lexicon import LexiconError
from rehearse.profile import ASPECTS, load_profile

ROOT = Path(__file__).resolve().parent.parent


def readings(result: dict) -> dict:
    return {a["id"]: a["reading"] for a in result["profile"]["aspects"]}


def aspect(result: dict, aid: str) -> dict:
    return next(a for a in result["profile"]["aspects"] if a["id"] == aid)


def test_aspects_follow_the_seed_table_order(analyse):
    profile = analyse("See you next month.", "reply")["profile"]
    assert [a["id"] for a in profile["aspects"]] == list(ASPECTS)
    assert all(a["reading"] in ("prescribing", "deprescribing", "unknown") for a in profile["aspects"])


def test_a_plain_reply_is_unknown_everywhere_and_says_so(analyse):
    result = analyse("Thanks for the update. See you at the appointment next month.", "reply")
    assert set(readings(result).values()) == {"unknown"}
    assert all(a["evidence"] == [] for a in result["profile"]["aspects"])
    assert "too little" in result["profile"]["overall"]


def test_a_rushed_dismissive_reply_reads_prescribing_focused(analyse):
    text = ("Let's cut you from 2 mg to 1 mg this week and you can stop next week. "
            "Withdrawal isn't a big deal at this dose.")
    result = analyse(text, "reply")
    r = readings(result)
    assert r["time_horizon"] == "prescribing" and r["taper_knowledge"] == "prescribing"
    assert r["view_of_dependence"] == "prescribing"
    ev = aspect(result, "time_horizon")["evidence"]
    assert ev and all(e in text for e in ev)
    assert "prescribing-focused on time horizon" in result["profile"]["overall"]


def test_a_benzo_wise_reply_reads_deprescribing_focused(analyse):
    text = ("We'll reduce your dose by about 10% every 2 to 4 weeks, and we can take as long as it takes. "
            "Physical dependence is expected after years of use. "
            "I'd also like you to try CBT for sleep alongside the taper.")
    result = analyse(text, "reply")
    r = readings(result)
    assert r["time_horizon"] == "deprescribing"
    assert r["taper_knowledge"] == "deprescribing"
    assert r["view_of_dependence"] == "deprescribing"
    assert r["non_drug_tools"] == "deprescribing"
    assert any("CBT" in e for e in aspect(result, "non_drug_tools")["evidence"])
    assert "deprescribing-focused" in result["profile"]["overall"]


def test_a_negated_cue_does_not_count(analyse):
    result = analyse("I don't think therapy will help you here.", "reply")
    assert readings(result)["non_drug_tools"] != "deprescribing"


def test_a_drug_first_cue_reads_prescribing(analyse):
    result = analyse("If you can't sleep, just take an extra one; something stronger might suit you better.", "reply")
    r = readings(result)
    assert r["main_goal"] == "prescribing"
    assert r["non_drug_tools"] == "prescribing"


def test_both_sides_on_one_aspect_is_mixed_not_a_guess(analyse):
    result = analyse("We can go as slowly as you need. Two-week tapers work for everyone, though.", "reply")
    a = aspect(result, "time_horizon")
    assert a["mixed"] is True and len(a["evidence"]) >= 2


@pytest.mark.parametrize("text", [
    "You can just stop taking it.",
    "We'll taper over many months, at your pace, with a therapist's support.",
    "Thanks for your message.",
])
def test_the_overall_reading_is_about_the_reply_not_the_person(analyse, text):
    overall = analyse(text, "reply")["profile"]["overall"]
    assert "not a judgement of your prescriber" in overall
    for word in ("bad doctor", "good doctor", "incompetent", "dangerous doctor"):
        assert word not in overall.lower()


def test_evidence_spans_point_into_the_text(analyse):
    text = "You can just stop. I'd recommend CBT as well."
    for a in analyse(text, "reply")["profile"]["aspects"]:
        for s in a["spans"]:
            assert text[s["start"]:s["end"]] == s["text"]


def test_the_shipped_profile_vocabulary_loads():
    data = load_profile(ROOT / "lexicons" / "profile.yaml")
    assert [a.id for a in data.aspects] == list(ASPECTS)
    assert {c.aspect for c in data.cues} == set(ASPECTS)


@pytest.mark.parametrize("edit,needle", [
    (lambda s: s.replace("aspect: non_drug_tools\n    reading: prescribing", "aspect: bedside_manner\n    reading: prescribing"), "cue 'drug-first': aspect"),
    (lambda s: s.replace("reading: deprescribing\n    phrases: [\"cbt\"", "reading: kind\n    phrases: [\"cbt\""), "cue 'non-drug-core': reading"),
    (lambda s: s.replace("    rigid-plan: [taper_knowledge]", "    rigid-plan: [tone]"), "from_flags.categories 'rigid-plan'"),
])
def test_the_profile_vocabulary_is_validated_naming_file_and_entry(tmp_path, edit, needle):
    original = (ROOT / "lexicons" / "profile.yaml").read_text(encoding="utf-8")
    changed = edit(original)
    assert changed != original
    path = tmp_path / "profile.yaml"
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_profile(path)
    assert "profile.yaml" in str(err.value) and needle in str(err.value)


def test_cues_that_are_not_a_list_are_reported(tmp_path):
    from rehearse.lexicon import LexiconError
    from rehearse.profile import load_profile
    from rehearse.resources import data_dir

    text = (data_dir("lexicons") / "profile.yaml").read_text(encoding="utf-8")
    start = text.index("\ncues:")
    bad = tmp_path / "profile.yaml"
    bad.write_text(text[:start] + "\ncues: {}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="profile.yaml: cues must be a list"):
        load_profile(bad)
