"""The story checklist (the first seed's six elements) and concision, for drafts.

`tests/data/story_drafts.jsonl` holds drafts with the expected state of each element ("yes",
"partial", "no"); every expectation there must hold. `tests/data/story_holdout.jsonl` was written
afterwards and first run untuned; it is held to an accuracy floor, and the accuracy over both sets
is printed (`pytest -s` or `-rP` shows it).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rehearse import cli
from rehearse.lexicon import LexiconError
from rehearse.medicines import medicines
from rehearse.resources import data_dir
from rehearse.story import ELEMENT_IDS, StoryChecker, count_words, expand, load_story, say_time

DATA = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


DRAFTS = _rows("story_drafts.jsonl")
HOLDOUT = _rows("story_holdout.jsonl")


def state(element: dict) -> str:
    return "yes" if element["present"] else ("partial" if element["partial"] else "no")


@pytest.fixture(scope="module")
def story(analyse):
    return lambda text: analyse(text, "draft")["story"]


# ---- the test drafts ---------------------------------------------------------------------------

def test_the_draft_sets_are_large_and_varied():
    assert len(DRAFTS) >= 40
    assert len({r["id"] for r in DRAFTS + HOLDOUT}) == len(DRAFTS) + len(HOLDOUT)
    for r in DRAFTS + HOLDOUT:
        assert list(r["expect"]) == list(ELEMENT_IDS), r["id"]
        assert set(r["expect"].values()) <= {"yes", "partial", "no"}, r["id"]
    # each element is seen present, missing and (where it can be) partial
    for eid in ELEMENT_IDS:
        seen = {r["expect"][eid] for r in DRAFTS}
        assert {"yes", "no"} <= seen, eid
        if eid != "experience":
            assert "partial" in seen, eid


@pytest.mark.parametrize("row", DRAFTS, ids=[r["id"] for r in DRAFTS])
def test_checklist_detects_each_element(story, row):
    result = story(row["text"])
    got = {e["id"]: e for e in result["elements"]}
    wrong = [f"{eid}: expected {want}, got {state(got[eid])} (evidence: {got[eid].get('evidence')!r})"
             for eid, want in row["expect"].items() if state(got[eid]) != want]
    assert not wrong, f"{row['id']} ({row['note']}): " + "; ".join(wrong)


def _accuracy(story, rows) -> tuple[dict, int, int]:
    per = {eid: [0, 0] for eid in ELEMENT_IDS}
    for row in rows:
        for e in story(row["text"])["elements"]:
            per[e["id"]][1] += 1
            per[e["id"]][0] += state(e) == row["expect"][e["id"]]
    ok = sum(g for g, _ in per.values())
    return per, ok, sum(n for _, n in per.values())


def test_checklist_accuracy_on_the_held_out_drafts(story):
    per, ok, total = _accuracy(story, HOLDOUT)
    report = ", ".join(f"{eid} {g}/{n}" for eid, (g, n) in per.items())
    print(f"\nstory checklist, held-out drafts: {ok}/{total} = {ok / total:.1%} ({report})")
    assert ok / total >= 0.95, report
    assert all(g / n >= 0.9 for g, n in per.values()), report


def test_checklist_accuracy_over_all_drafts(story):
    per, ok, total = _accuracy(story, DRAFTS + HOLDOUT)
    lines = [f"  {eid:18} {g}/{n} = {g / n:.1%}" for eid, (g, n) in per.items()]
    print(f"\nstory checklist, all {len(DRAFTS) + len(HOLDOUT)} drafts: {ok}/{total} = {ok / total:.1%}\n"
          + "\n".join(lines))
    assert ok / total >= 0.95


# ---- the shape of the section --------------------------------------------------------------------

def test_elements_come_in_the_seed_order_with_evidence_that_is_the_text(story):
    text = DRAFTS[0]["text"]
    result = story(text)
    assert [e["id"] for e in result["elements"]] == list(ELEMENT_IDS)
    for e in result["elements"]:
        assert e["present"] and e["label"]
        assert text[e["start"]:e["end"]] == e["evidence"]
        assert "prompt" not in e


def test_missing_elements_carry_a_gentle_prompt_and_no_evidence(story):
    for e in story("Hi, can we talk about my medication?")["elements"]:
        assert not e["present"] and not e["partial"]
        assert e["prompt"] and "evidence" not in e
        assert not any(word in e["prompt"].lower() for word in ("must", "failed", "wrong"))


def test_partial_elements_quote_what_is_there_and_say_what_to_add(story):
    text = "Some background first.\nI take Klonopin and I want to get off it."
    dd = story(text)["elements"][0]
    assert dd["partial"] and not dd["present"]
    assert dd["evidence"] == "I take Klonopin and I want to get off it."
    assert text[dd["start"]:dd["end"]] == dd["evidence"]
    assert "Klonopin" in dd["note"] and "dose" in dd["note"] and "how long" in dd["note"]


@pytest.mark.parametrize("text,note", [
    ("I'm on 2 mg of lorazepam a day.", "add how long"),
    ("I've been taking Xanax for twelve years.", "add the dose"),
    ("I have been on benzos for 20 years.", "add the dose"),
])
def test_a_partial_dose_or_duration_says_which_half_is_missing(story, text, note):
    assert note in story(text)["elements"][0]["note"]


@pytest.mark.parametrize("text", ["", "   \n\n  ", "asdf qwer zxcv lorem ipsum", "??!!…", "😀 ñ ١٢٣",
                                  "Je voudrais parler de mon traitement, docteur.", "Ich habe Angst.",
                                  "mg mg mg 0 years 99999999999999999999 mg"])
def test_empty_foreign_or_garbled_text_is_all_missing_without_error(analyzer, text):
    doc = analyzer._tokenise(text)
    result = analyzer.story.check(doc, {})
    assert [e["present"] or e["partial"] for e in result["elements"]] == [False] * 6
    assert result["words"] == count_words(text)


def test_the_story_is_only_in_drafts(analyse):
    assert "story" in analyse("I take Xanax 1 mg.", "draft")
    assert "story" not in analyse("I take Xanax 1 mg.", "reply")


# ---- what the rules read -------------------------------------------------------------------------

@pytest.mark.parametrize("name,generic", sorted(medicines().names.items()))
def test_every_medicine_name_brand_and_alias_is_a_drug(analyzer, name, generic):
    doc = analyzer._tokenise(f"I was given {name} last year.")
    drugs = [e for e in analyzer.story.entities(doc) if e.label == "DRUG"]
    assert drugs, f"{name!r} not recognised"
    assert drugs[0].id == (generic or "class")


@pytest.mark.parametrize("text,label,words", [
    ("I take 0.5 mg at night.", "DOSE", "0.5 mg"),
    ("I take 10mg/day.", "DOSE", "10mg"),
    ("I take half a milligram.", "DOSE", "half a milligram"),
    ("I take two tablets.", "DOSE", "two tablets"),
    ("I've been on it for six years.", "DURATION", "six years"),
    ("I've been on it for 6yrs.", "DURATION", "6yrs"),
    ("I've been on it since 2019.", "DURATION", "since 2019"),
    ("I've been on it for over a decade.", "DURATION", "over a decade"),
    ("I've had tinnitus and brain fog.", "SYMPTOM", "brain fog"),
    ("I want to reduce by 10% a month.", "METHOD", "10%"),
])
def test_the_entity_layer_labels_doses_durations_and_symptoms(analyzer, text, label, words):
    doc = analyzer._tokenise(text)
    found = [doc[e.start:e.end].text for e in analyzer.story.entities(doc) if e.label == label]
    assert words in found, found


@pytest.mark.parametrize("text,present", [
    ("I want to taper slowly.", True),
    ("My doctor wants me to taper slowly.", False),
    ("My psychiatrist would like a slow taper, and I agree.", True),
    ("You want me to cut 25% every week.", False),
    ("Could you help me taper gradually?", True),
    ("Dr. Patel suggested small steps.", False),
])
def test_a_taper_wish_must_be_the_patients_own(story, text, present):
    assert story(text)["elements"][5]["present"] is present


@pytest.mark.parametrize("text,covered", [
    ("I tried to stop in 2020 and had seizures.", True),
    ("If I tried to stop, I would have seizures.", False),
    ("I'm afraid that I'll get seizures if I stop.", False),
    ("People who stopped cold turkey had seizures.", False),
    ("I have never tried to come off it.", True),
    ("I cut my dose in half last year and felt awful.", True),
])
def test_an_earlier_attempt_is_the_persons_own_past(story, text, covered):
    assert story(text)["elements"][2]["present"] is covered


@pytest.mark.parametrize("text,covered", [
    ("I have headaches and I feel hopeless.", True),
    ("I don't have headaches.", False),
    ("I'm worried about seizures.", False),
    ("It was prescribed for anxiety.", False),
    ("I could get seizures.", False),
    ("I can't sleep.", True),
])
def test_experience_is_what_is_felt_not_feared_or_the_original_condition(story, text, covered):
    assert story(text)["elements"][4]["present"] is covered


def test_experience_names_the_areas_covered_and_suggests_the_rest(story):
    el = story("I have headaches and dizziness.")["elements"][4]
    assert el["areas"] == ["physical"]
    assert "mental" in el["note"] and "emotional" in el["note"]


# ---- concision ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,n", [
    ("one two three", 3), ("I take 0.5mg, don't I?", 5), ("Cut 5-10% every 2-4 weeks.", 5),
    ("", 0), ("  —  ", 0), ("Valium\n\nten mg", 3),
])
def test_words_are_counted_as_a_word_processor_does(text, n):
    assert count_words(text) == n


def test_speaking_and_reading_time_follow_the_documented_paces(story):
    text = " ".join(["word"] * 130)
    result = story(text)
    assert result["words"] == 130
    assert result["speaking_seconds"] == 60
    assert result["reading_seconds"] == round(130 * 60 / 238)
    assert result["speaking_time"] == "about 1 minute"


def test_a_draft_over_the_target_gets_advice(story):
    text = DRAFTS[[r["id"] for r in DRAFTS].index("rambling-over")]["text"]
    result = story(text)
    assert result["words"] > 250 and result["over_target"] is True
    assert result["target_words"] == 250
    assert "Aim for under 250 words" in result["advice"]
    assert "about 2 minutes" in result["advice"]


def test_a_short_draft_is_within_the_target(story):
    result = story(DRAFTS[0]["text"])
    assert result["over_target"] is False and "within the target" in result["advice"]


def test_the_longest_sentences_are_listed_longest_first_with_offsets(story):
    short = "I take Xanax."
    long = ("I have been taking this medicine every single night for many years now and I have slowly come to "
            "feel that it no longer helps me sleep the way it did at the start.")
    text = f"{short} {long} Thank you for reading this."
    result = story(text)
    top = result["longest_sentences"]
    assert [x["words"] for x in top] == sorted((x["words"] for x in top), reverse=True)
    assert top[0]["text"] == long and top[0]["long"] is True and top[0]["words"] == 34
    assert text[top[0]["start"]:top[0]["end"]] == long
    assert all(not x["long"] for x in top[1:])
    assert "splitting" in result["advice"]


@pytest.mark.parametrize("seconds,words", [(0, "about 0 seconds"), (3, "about 5 seconds"), (44, "about 45 seconds"),
                                           (60, "about 1 minute"), (112, "about 1 minute 50 seconds"),
                                           (118, "about 2 minutes")])
def test_times_are_said_to_the_nearest_five_seconds(seconds, words):
    assert say_time(seconds) == words


# ---- the data file ------------------------------------------------------------------------------

def test_alternatives_expand_in_phrases():
    assert expand("{tried|attempted} {to |}stop") == ["tried to stop", "tried stop", "attempted to stop", "attempted stop"]
    assert expand("cold turkey") == ["cold turkey"]


def _broken(tmp_path, old: str, new: str) -> Path:
    src = (data_dir("lexicons") / "story.yaml").read_text(encoding="utf-8")
    assert old in src
    path = tmp_path / "story.yaml"
    path.write_text(src.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old,new,message", [
    ("  speaking_wpm: 130", "  speaking_wpm: fast", "pace.speaking_wpm"),
    ("  taper_wish:\n    label:", "  taper_wishes:\n    label:", "elements: expected exactly"),
    ("  clinicians: [", "  clinicans: [", "vocabulary: unknown keys ['clinicans']"),
    ('    - "cold turkey"', '    - "{cold turkey"', "vocabulary.attempts: unbalanced braces"),
    ("    physical:", "    bodily:", "vocabulary.symptoms: expected exactly the areas"),
    ("units:", "unit:", "unknown keys ['unit']"),
])
def test_a_broken_story_file_fails_loudly_naming_the_file_and_key(tmp_path, old, new, message):
    with pytest.raises(LexiconError) as err:
        load_story(_broken(tmp_path, old, new))
    assert "story.yaml" in str(err.value) and message in str(err.value)


def test_the_shipped_story_file_loads(analyzer):
    data = load_story()
    assert [e.id for e in data.elements] == list(ELEMENT_IDS)
    assert data.pace.target_words == 250
    assert StoryChecker(analyzer.nlp, analyzer.parser, data).check(analyzer._tokenise("I take Valium."), {})


# ---- the command line ---------------------------------------------------------------------------

def test_the_text_format_prints_the_checklist_for_drafts(tmp_path, capsys, analyzer):
    path = tmp_path / "draft.txt"
    path.write_text("I've taken clonazepam 1 mg for six years. I want to taper.", encoding="utf-8")
    assert cli.main(["check", "--mode", "draft", str(path)]) == 0
    out = capsys.readouterr().out
    assert "[x] How long, and at what dose: covered" in out
    assert '"I\'ve taken clonazepam 1 mg for six years."' in out
    assert "[ ] Why it was prescribed: missing" in out
    assert "[~] How you would like to taper: partly covered" in out
    assert "12 words" in out


def test_the_text_format_has_no_checklist_for_replies(tmp_path, capsys, analyzer):
    path = tmp_path / "reply.txt"
    path.write_text("You can taper slowly.", encoding="utf-8")
    assert cli.main(["check", "--mode", "reply", str(path)]) == 0
    assert "Your story" not in capsys.readouterr().out
