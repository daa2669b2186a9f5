"""Preparing for an appointment: the library, the questions, and the brief (core, no Flask)."""
from __future__ import annotations

import re
import textwrap

import pytest

from rehearse.lexicon import LexiconError, load_lexicon, load_sources
from rehearse.prepare import (DEFAULT_RESOURCES, NOTES_MAX, PART_MAX, STORY, STORY_IDS, Fields, add_practice,
                              catalogue, load_questions, prefill, render_markdown, render_text)
from rehearse.resources import data_dir

LEXICONS = data_dir("lexicons")

# The seeds' resources, by the ids the lexicons already cite (see lexicons/sources.yaml).
SEED_RESOURCES = {
    "asam-2025": "asam.org", "fda-2020": "fda.gov", "maudsley-2024": "wiley.com", "ashton-manual": "benzo.org.uk",
    "who-mhgap-2023": "who.int", "ritvo-2023": "PMC10309976", "huff-2023": "PMC9905027",
    "reid-finlayson-2022": "PMC9047812", "shade-2025": "journal.pone.0330277", "brandt-2025": "rs-6951221",
    "bic-providers": "benzoinfo.com/doctors", "bic-tapering-help": "benzoinfo.com/tapering-help",
    "abbp-patient-tools": "benzoreform.org", "colorado-consortium": "corxconsortium.org",
}
SEED_QUESTIONS = ("How long do you typically keep patients on benzodiazepines?",
                  "Do you support very slow, symptom-based tapers?")

GOOD_QUESTION = """
questions:
  - id: test-question
    question: "Do you support slow tapers?"
    why: "w"
    benzo_wise: ["Yes, at your pace."]
    red_flag: ["You can just stop."]
    sources: [fda-2020]
"""


@pytest.fixture(scope="module")
def cat():
    return catalogue()


def write_questions(tmp_path, text: str):
    path = tmp_path / "questions.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# ---- the library --------------------------------------------------------------------------------

@pytest.mark.parametrize("sid,address", SEED_RESOURCES.items())
def test_every_seed_resource_is_in_the_library_with_its_address(cat, sid, address):
    source = cat.sources[sid]
    assert address in source.url and source.url.startswith("https://")
    assert source.citation and source.why


def test_every_guideline_and_paper_says_what_to_print(cat):
    missing = [s.id for s in cat.sources.values() if s.kind in ("guideline", "regulator", "manual", "research")
               and not s.print]
    assert missing == []


def test_the_seed_print_advice_is_kept():
    sources = load_sources(LEXICONS / "sources.yaml")
    assert "1-2" in sources["asam-2025"].print and "6-12" in sources["asam-2025"].print
    assert "What safety concern is FDA announcing" in sources["fda-2020"].print


def test_every_source_sits_in_exactly_one_group(cat):
    placed = [s.id for g in cat.groups() for s in g.sources]
    assert sorted(placed) == sorted(cat.sources)


def test_flags_and_the_library_share_one_source_of_truth(cat):
    lexicon = load_lexicon(LEXICONS)
    cited = {s.id for e in lexicon.entries for s in e.sources}
    assert cited <= set(cat.sources)
    assert all(lexicon.sources[sid] == cat.sources[sid] for sid in cited)


# ---- the questions --------------------------------------------------------------------------------

def test_questions_include_the_seed_first_visit_questions(cat):
    texts = [q.question for q in cat.questions]
    for question in SEED_QUESTIONS:
        assert question in texts
    assert any(q.startswith("How do you handle tapering off") for q in texts)


def test_every_question_has_both_kinds_of_answer_and_real_sources(cat):
    assert len(cat.questions) >= 8
    for q in cat.questions:
        assert q.benzo_wise and q.red_flag, q.id
        assert all(s.url.startswith("https://") for s in q.sources), q.id


def test_a_new_brief_ticks_four_questions_and_three_resources(cat):
    fields = Fields.new(cat)
    assert len(fields.questions) == 4
    assert fields.resources == [sid for sid in cat.sources if sid in DEFAULT_RESOURCES]


def test_unknown_ids_are_dropped_from_a_selection(cat):
    fields = Fields.new(cat, questions=["no-such-question", "withdrawal-plan"], resources=["nope"])
    assert fields.questions == ["withdrawal-plan"] and fields.resources == []


def answers(kind):
    return [pytest.param(q.id, text, id=f"{q.id}:{text[:30]}")
            for q in catalogue().questions for text in getattr(q, kind)]


@pytest.mark.parametrize("qid,answer", answers("red_flag"))
def test_each_red_flag_answer_is_caught_by_reply_review(analyse, qid, answer):
    # The questions page says "paste their answer here": the review must then raise it.
    concerns = [f["rule"] for f in analyse(answer, "reply")["flags"] if f["polarity"] == "concern"]
    assert concerns, f"reply review misses the red-flag answer to {qid}: {answer!r}"


@pytest.mark.parametrize("qid,answer", answers("benzo_wise"))
def test_no_benzo_wise_answer_is_flagged_as_a_red_flag(analyse, qid, answer):
    concerns = [f["rule"] for f in analyse(answer, "reply")["flags"] if f["polarity"] == "concern"]
    assert concerns == [], f"False positive against the good answer to {qid}: {answer!r} -> {concerns}"


def test_a_good_questions_file_loads(tmp_path):
    (q,) = load_questions(write_questions(tmp_path, GOOD_QUESTION))
    assert q.id == "test-question" and q.sources[0].id == "fda-2020" and q.default is False


@pytest.mark.parametrize("change,message", [
    (('why: "w"', 'why: "w"\n    colour: red'), "unknown keys ['colour']"),
    (('    red_flag: ["You can just stop."]\n', ""), "missing 'red_flag'"),
    (("id: test-question", "id: Test Question"), "kebab-case"),
    (("sources: [fda-2020]", "sources: [no-such-source]"), "unknown source 'no-such-source'"),
    (('benzo_wise: ["Yes, at your pace."]', "benzo_wise: []"), "'benzo_wise' must be a list of 1 to 3"),
    (('why: "w"', 'why: ""'), "'why' must be a non-empty string"),
    (('sources: [fda-2020]', "sources: [fda-2020]\n    default: yes"), "'default' must be true or false"),
])
def test_a_bad_question_fails_naming_file_and_entry(tmp_path, change, message):
    old, new = change
    assert old in GOOD_QUESTION
    path = write_questions(tmp_path, GOOD_QUESTION.replace(old, new))
    with pytest.raises(LexiconError) as err:
        load_questions(path)
    text = str(err.value)
    assert "questions.yaml: question " in text and message in text


def test_every_problem_is_reported_at_once(tmp_path):
    second = GOOD_QUESTION.split("questions:\n", 1)[1].replace("sources: [fda-2020]", "sources: [nope]")
    text = GOOD_QUESTION.replace('why: "w"', 'why: 3') + second
    with pytest.raises(LexiconError) as err:
        load_questions(write_questions(tmp_path, text))
    assert "2 problem(s)" in str(err.value)
    assert "'why' must be a non-empty string" in str(err.value) and "unknown source 'nope'" in str(err.value)


def test_a_duplicate_id_is_refused(tmp_path):
    text = GOOD_QUESTION + GOOD_QUESTION.split("questions:\n", 1)[1]
    with pytest.raises(LexiconError, match="question 'test-question': duplicate id"):
        load_questions(write_questions(tmp_path, text))


def test_a_file_without_a_questions_list_is_refused(tmp_path):
    with pytest.raises(LexiconError, match="questions.yaml: expected a top-level `questions:` list"):
        load_questions(write_questions(tmp_path, "- id: x\n"))


# ---- filling the builder ----------------------------------------------------------------------------

DRAFT = ("I've taken clonazepam 1 mg for six years. It was for panic attacks. "
         "I am so tired of feeling foggy. I'd like to taper slowly.")


def story_result(**present):
    """An analysis in the contract's shape, with the given elements present and the rest missing."""
    return {"mode": "draft", "flags": [], "story": {"elements": [
        {"id": pid, "present": True, "evidence": present[pid]} if pid in present
        else {"id": pid, "present": False, "prompt": "..."} for pid in STORY_IDS]}}


def test_prefill_puts_each_found_part_in_its_box(cat):
    fields = Fields.new(cat)
    result = story_result(duration_dose="I've taken clonazepam 1 mg for six years.",
                          taper_wish=["I'd like to taper", "slowly."])
    assert prefill(fields, DRAFT, result).filled == ("duration_dose", "taper_wish")
    assert fields.story["duration_dose"] == "I've taken clonazepam 1 mg for six years."
    assert fields.story["taper_wish"] == "I'd like to taper slowly."
    assert fields.story["past_attempts"] == "" and fields.notes == ""
    assert fields.source_draft == DRAFT


def test_dose_and_duration_in_two_sentences_fill_one_box(cat, analyse):
    draft = "I take Klonopin 1 mg every night. I have been on it since 2015. It was for panic."
    fields = Fields.new(cat)
    prefill(fields, draft, analyse(draft, "draft"))
    assert fields.story["duration_dose"] == "I take Klonopin 1 mg every night. I have been on it since 2015."


def test_a_sentence_covering_two_parts_goes_in_the_first_box_only(cat):
    fields = Fields.new(cat)
    sentence = "I've taken clonazepam 1 mg for six years, for panic attacks."
    got = prefill(fields, DRAFT, story_result(duration_dose=sentence, reason_prescribed=sentence))
    assert got.filled == ("duration_dose",) and got.shared == {"reason_prescribed": "duration_dose"}
    assert fields.story["duration_dose"] == sentence and fields.story["reason_prescribed"] == ""


def test_a_partly_covered_part_keeps_its_sentence_and_says_what_to_add(cat):
    fields = Fields.new(cat)
    result = story_result()
    result["story"]["elements"][2] = {"id": "past_attempts", "present": False, "partial": True,
                                      "evidence": "I tried to stop twice.", "note": "Add how it went."}
    got = prefill(fields, DRAFT, result)
    assert fields.story["past_attempts"] == "I tried to stop twice."
    assert got.notes == {"past_attempts": "Add how it went."} and fields.notes == ""


@pytest.mark.parametrize("result", [None, {"mode": "draft", "flags": []}, story_result()],
                         ids=["no-analysis", "no-story-section", "nothing-found"])
def test_without_story_parts_the_whole_draft_goes_to_the_notes(cat, result):
    fields = Fields.new(cat)
    assert prefill(fields, DRAFT, result).filled == ()
    assert fields.notes == DRAFT and all(v == "" for v in fields.story.values())


def test_practised_phrases_are_appended_to_the_notes(cat):
    fields = Fields.new(cat)
    fields.notes = "Bring my diary."
    assert add_practice(fields, "- I value your input\r\n\r\nCould we go slowly?\n") == 2
    assert fields.notes == "Bring my diary.\n\nPhrases I practised:\n- I value your input\n- Could we go slowly?"


# ---- checking and assembling ---------------------------------------------------------------------------

def test_too_long_and_binary_fields_are_named_and_kept(cat):
    fields = Fields.new(cat)
    fields.story["experience"] = "x" * (PART_MAX + 1)
    fields.notes = "fine\x00"
    problems = dict(fields.problems())
    assert set(problems) == {"experience", "notes"}
    assert problems["experience"].startswith("What I experience:") and f"{PART_MAX:,}" in problems["experience"]
    assert "U+0000" in problems["notes"]
    assert fields.story["experience"] == "x" * (PART_MAX + 1)


def test_within_limits_there_is_no_problem(cat):
    fields = Fields.new(cat)
    fields.notes = "n" * NOTES_MAX
    fields.story["reason_now"] = "Line one\nLine two\twith a tab"
    assert fields.problems() == []


def filled(cat) -> Fields:
    fields = Fields.new(cat, questions=["withdrawal-plan", "between-visits"], resources=["fda-2020", "asam-2025"])
    fields.name = "Sam"
    fields.story.update(duration_dose="Clonazepam 1 mg for six years.",
                        taper_wish="Slowly: 5-10% every few weeks.\nPausing if needed.")
    fields.own_questions = "- Can my partner come along?\n\n* Who do I call at weekends?"
    fields.notes = "Bring my symptom diary <b>please</b>."
    return fields


def test_the_brief_keeps_order_and_leaves_out_empty_parts(cat):
    brief = filled(cat).brief(cat)
    assert [p.id for p, _ in brief.story] == ["duration_dose", "taper_wish"]
    questions = {q.id: q.question for q in cat.questions}
    assert brief.questions == (questions["withdrawal-plan"], questions["between-visits"],
                               "Can my partner come along?", "Who do I call at weekends?")
    assert [s.id for s in brief.resources] == ["fda-2020", "asam-2025"]
    assert brief.words() > 60 and brief.minutes() == 1


def test_markdown_has_title_disclaimer_story_questions_sources_and_notes(cat):
    md = render_markdown(filled(cat).brief(cat))
    headings = re.findall(r"^#+ .*$", md, re.M)
    assert headings == ["# Preparing for my appointment: Sam", "## My story", "## Questions I would like to ask",
                        "## What I have brought", "## Notes"]
    assert "*Not medical advice:" in md
    assert "**Medicine, dose and how long:** Clonazepam 1 mg for six years." in md
    assert "**How I would like to taper:** Slowly: 5-10% every few weeks.  \nPausing if needed." in md
    assert "\n1. If I get withdrawal symptoms" in md and "\n4. Who do I call at weekends?" in md
    fda = catalogue().sources["fda-2020"]
    assert f"- **{fda.title}**  \n  {fda.citation}  \n  <{fda.url}>  \n  *Printed:* {fda.print}" in md
    assert "Bring my symptom diary \\<b>please\\</b>." in md


def test_plain_text_is_wrapped_and_holds_the_same_content(cat):
    brief = filled(cat).brief(cat)
    text = render_text(brief)
    assert text.startswith("Preparing for my appointment: Sam\n=================================\n")
    long_lines = [line for line in text.splitlines() if len(line) > 78 and "https://" not in line]
    assert long_lines == []
    for source in brief.resources:
        assert source.url in text
    assert "  Slowly: 5-10% every few weeks.\n  Pausing if needed." in text
    assert "4. Who do I call at weekends?" in text and "<b>please</b>" in text


def test_an_empty_brief_still_renders_its_title_and_disclaimer(cat):
    brief = Fields.new(cat, questions=[], resources=[]).brief(cat)
    lines = render_markdown(brief).splitlines()
    assert lines[0] == "# Preparing for my appointment" and lines[2].startswith("*Not medical advice:")
    assert "## " not in render_markdown(brief) and "Not medical advice" in render_text(brief)


def test_the_story_follows_the_first_seed_and_the_contract():
    assert STORY_IDS == ("duration_dose", "reason_prescribed", "past_attempts", "reason_now", "experience",
                         "taper_wish")
    assert all(part.label and part.prompt.endswith(".") for part in STORY)
