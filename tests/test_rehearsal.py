"""Rehearsal scenarios and feedback: every scenario's strong and weak example answers get the verdict
they require; the loader refuses bad files, naming file, scenario and turn; the summary says what
went well, what to practise and what to keep."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rehearse import rehearsal
from rehearse.lexicon import load_sources
from rehearse.resources import data_dir

SCENARIOS = rehearsal.load_scenarios()
EXAMPLES = [
    pytest.param(s.id, i, kind, text, id=f"{s.id}#{i + 1}-{kind}{n + 1}")
    for s in SCENARIOS.values() for i, turn in enumerate(s.turns)
    for kind, texts in (("model", [turn.model]), ("strong", turn.strong), ("weak", turn.weak))
    for n, text in enumerate(texts)
]


@pytest.fixture(scope="module")
def coach(analyzer):
    return rehearsal.get_coach(analyzer)


@pytest.fixture(scope="module")
def check(analyzer, coach):
    def run(scenario_id: str, turn: int, answer: str) -> dict:
        return rehearsal.feedback(SCENARIOS[scenario_id], turn, answer, analyzer.analyse, coach)
    return run


def describe(fb: dict) -> str:
    return (f"verdict {fb['verdict']}; covered {[c['id'] for c in fb['covered']]}; "
            f"missed {[m['id'] for m in fb['missed']]}; concerns {[c['text'] for c in fb['concerns']]}; "
            f"gives up {fb['gives_up']}")


# ---- the data ------------------------------------------------------------------------------------

def test_there_are_at_least_ten_scenarios_with_two_to_four_lines_each():
    assert len(SCENARIOS) >= 10
    for s in SCENARIOS.values():
        assert 2 <= len(s.turns) <= 4, s.id


def test_every_line_has_two_strong_and_two_weak_examples_and_checks_from_the_fixed_set():
    for s in SCENARIOS.values():
        for turn in s.turns:
            assert len(turn.strong) >= 2 and len(turn.weak) >= 2, s.id
            assert set(turn.checklist) <= set(rehearsal.CHECK_IDS), s.id


def test_weak_examples_include_confrontational_and_passive_answers(check):
    """Each scenario's weak answers cover both ways to miss: a fight, and giving up the ask."""
    for s in SCENARIOS.values():
        kinds = set()
        for i, turn in enumerate(s.turns):
            for text in turn.weak:
                fb = check(s.id, i, text)
                kinds.add("confrontational" if fb["concerns"] or fb["tense"] else "passive")
        assert kinds == {"confrontational", "passive"}, s.id


@pytest.mark.parametrize(("scenario_id", "turn", "kind", "answer"), EXAMPLES)
def test_example_answers_get_the_verdict_they_require(check, scenario_id, turn, kind, answer):
    fb = check(scenario_id, turn, answer)
    if kind == "weak":
        assert fb["verdict"] != "strong", f"weak answer judged strong: {answer!r} ({describe(fb)})"
    else:
        assert fb["verdict"] == "strong", f"{kind} answer not judged strong: {answer!r} ({describe(fb)})"
        assert fb["concerns"] == [] and fb["missed"] != fb["covered"]


def test_scenarios_cite_only_sources_from_the_library():
    sources = load_sources(data_dir("lexicons") / "sources.yaml")
    for s in SCENARIOS.values():
        for turn in s.turns:
            assert all(src.id in sources for src in turn.sources)


# ---- the loader ----------------------------------------------------------------------------------

GOOD = """\
id: {id}
title: "A title"
situation: "One line."
turns:
  - prescriber: "You can just stop."
    checklist: [calm-restatement, specific-ask]
    model: "I'd like to taper slowly. Could we try 10% every four weeks?"
    examples:
      strong: ["a", "b"]
      weak: ["c", "d"]
  - prescriber: "Two weeks is plenty."
    checklist: [cited-source, i-statement]
    sources: [fda-2020]
    model: "The FDA warns against that."
    examples:
      strong: ["a", "b"]
      weak: ["c", "d"]
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path) -> str:
    with pytest.raises(rehearsal.ScenarioError) as exc:
        rehearsal.load_scenarios(tmp_path)
    return str(exc.value)


def test_a_valid_file_loads(tmp_path):
    write(tmp_path, "ok-file.yaml", GOOD.format(id="ok-file"))
    write(tmp_path, "_notes.yaml", "not: a scenario")
    loaded = rehearsal.load_scenarios(tmp_path)
    assert list(loaded) == ["ok-file"]
    assert loaded["ok-file"].turns[1].sources[0].id == "fda-2020"


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace("checklist: [calm-restatement, specific-ask]", "checklist: [calm-restatement, be-nice]"),
     "turn 1: unknown check 'be-nice'"),
    (lambda t: t.replace("sources: [fda-2020]", "sources: [made-up-2030]"),
     "turn 2: unknown source 'made-up-2030'"),
    (lambda t: t.replace('      weak: ["c", "d"]\n  - prescriber: "Two', '      weak: ["c"]\n  - prescriber: "Two'),
     "turn 1: examples.weak needs at least 2 answers"),
    (lambda t: t.replace('    model: "The FDA warns against that."\n', ""),
     "turn 2: missing ['model']"),
    (lambda t: t.replace("title:", "colour: red\ntitle:"), "unknown keys ['colour']"),
    (lambda t: t.replace("checklist: [cited-source, i-statement]", "checklist: [cited-source]"),
     "turn 2: checklist must list 2 to 4 different checks"),
    (lambda t: t[:t.index("  - prescriber: \"Two")], "turns must be a list of 2 to 4"),
])
def test_a_bad_file_is_refused_naming_file_scenario_and_turn(tmp_path, change, expected):
    write(tmp_path, "bad-one.yaml", change(GOOD.format(id="bad-one")))
    message = load_error(tmp_path)
    assert "bad-one.yaml: scenario 'bad-one'" in message
    assert expected in message


def test_every_problem_is_reported_at_once(tmp_path):
    write(tmp_path, "first.yaml", GOOD.format(id="first").replace("[fda-2020]", "[nope]"))
    write(tmp_path, "second.yaml", GOOD.format(id="not-second"))
    write(tmp_path, "third.yaml", "id: [unclosed")
    message = load_error(tmp_path)
    assert "3 problem(s)" in message
    assert "first.yaml: scenario 'first': turn 2: unknown source 'nope'" in message
    assert "second.yaml: scenario 'not-second': id must match the file name ('second')" in message
    assert "third.yaml: cannot read" in message


def test_the_checks_file_is_validated(tmp_path):
    sources = load_sources(data_dir("lexicons") / "sources.yaml")
    path = tmp_path / "_checks.yaml"
    shutil.copy(rehearsal.scenarios_dir() / "_checks.yaml", path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"ashton": ashton-manual', '"ashton": ashton-2099')
                    .replace("  states-experience:\n", "  be-polite:\n    label: x\n  states-experience:\n"),
                    encoding="utf-8")
    with pytest.raises(rehearsal.ScenarioError) as exc:
        rehearsal.load_checks(path, sources)
    assert "check 'be-polite': unknown check" in str(exc.value)
    assert "vocab.source_names 'ashton': unknown source 'ashton-2099'" in str(exc.value)


def test_the_checks_name_only_real_draft_rules(analyzer, coach):
    rules = {r for c in coach.config.checks.values() for r in c.flags}
    assert rules and rules <= set(analyzer.entries)


# ---- reading answers in context ------------------------------------------------------------------

@pytest.mark.parametrize(("answer", "has_source"), [
    ("The FDA warns that reducing too quickly can cause seizures.", True),
    ("I read that the FDA warns against cutting too quickly.", True),
    ("The guidelines say to reduce by 5 to 10% at a time.", True),
    ("I haven't read the FDA warning.", False),
    ("My friend said the 2025 joint guideline suggests 10% steps, but I don't believe it.", False),
    ("The guidelines don't say that.", False),
    ("I've been doing some research.", False),
])
def test_a_cited_source_must_be_named_by_the_speaker(check, answer, has_source):
    fb = check("two-week-taper", 0, answer)
    assert ("cited-source" in [c["id"] for c in fb["covered"]]) is has_source, describe(fb)


def test_a_named_source_is_linked_to_its_library_entry(check):
    fb = check("two-week-taper", 0, "The Ashton Manual suggests small steps. Could we try 5% every two weeks?")
    cited = next(c for c in fb["covered"] if c["id"] == "cited-source")
    assert cited["sources"] == ["ashton-manual"]
    assert "Ashton Manual" in cited["evidence"]


@pytest.mark.parametrize(("answer", "specific"), [
    ("Could we try 10% every four weeks?", True),
    ("I'd like to hold at this dose for a month.", True),
    ("Could you refer me to a specialist?", True),
    ("I'd rather taper slowly.", False),          # a wish, but nothing concrete
    ("Ten percent every four weeks is what I did before.", False),   # concrete, but not asked
])
def test_a_specific_ask_is_a_request_about_something_concrete(check, answer, specific):
    fb = check("two-week-taper", 0, answer)
    assert ("specific-ask" in [c["id"] for c in fb["covered"]]) is specific, describe(fb)


def test_a_boundary_with_a_threat_is_not_a_calm_boundary(check):
    calm = check("stop-prescribing", 1, "I'm not comfortable stopping without a plan. I'd like a second opinion.")
    threat = check("stop-prescribing", 1, "I'm not comfortable stopping without a plan. If you won't help, I'll report you.")
    assert "boundary-without-threat" in [c["id"] for c in calm["covered"]]
    assert "boundary-without-threat" not in [c["id"] for c in threat["covered"] + threat["also"]]
    assert threat["verdict"] == "needs-work" and threat["concerns"]


def test_an_i_statement_needs_i_as_the_subject(check):
    mine = check("rigid-schedule", 1, "I feel scared about the next cut.")
    theirs = check("rigid-schedule", 1, "My sister feels scared about the next cut.")
    assert "i-statement" in [c["id"] for c in mine["covered"]]
    assert "i-statement" not in [c["id"] for c in theirs["covered"]]


def test_past_experience_counts_only_when_it_happened(check):
    happened = check("past-seizure", 0, "I had a seizure two days after I stopped.")
    imagined = check("past-seizure", 0, "If I had a seizure, what would we do?")
    assert "states-experience" in [c["id"] for c in happened["covered"]]
    assert "states-experience" not in [c["id"] for c in imagined["covered"]]


def test_giving_up_the_ask_keeps_an_otherwise_good_answer_from_strong(check):
    polite = "Could we go 10% every four weeks, as the FDA guidance suggests?"
    assert check("two-week-taper", 0, polite)["verdict"] == "strong"
    fb = check("two-week-taper", 0, "Sorry to bother you, but " + polite[0].lower() + polite[1:])
    assert fb["verdict"] == "getting-there"
    assert fb["gives_up"] == ["Sorry to bother you"] and fb["gives_up_tip"]
    asked = check("two-week-taper", 0, "Do you think I should just go along with it? Could we try 10%?")
    assert asked["gives_up"] == []


# ---- feedback and summary ------------------------------------------------------------------------

def test_feedback_combines_rewrites_with_the_checklist(check):
    fb = check("two-week-taper", 0, "You need to give me a slower taper. The FDA warns against fast cuts.")
    assert fb["verdict"] == "needs-work"
    concern = fb["concerns"][0]
    assert concern["text"].startswith("You need to") and (concern["rewrite"] or concern["suggestions"])
    assert concern["sources"] and all(s["url"].startswith("https://") for s in concern["sources"])
    assert [c["id"] for c in fb["covered"]] == ["cited-source"]
    assert {m["id"] for m in fb["missed"]} == {"calm-restatement", "specific-ask"}
    assert all(m["tip"] for m in fb["missed"])
    assert fb["model"] == SCENARIOS["two-week-taper"].turns[0].model
    assert "You need to" not in " ".join(fb["keep"])


@pytest.mark.parametrize(("answer", "fragment"), [
    ("   \n ", "Type your answer first"),
    ("x" * (rehearsal.ANSWER_MAX + 1), f"up to {rehearsal.ANSWER_MAX:,} characters"),
    ("I'd like\x00 10%", "control character"),
])
def test_bad_answers_get_a_clear_message(check, answer, fragment):
    with pytest.raises(rehearsal.AnswerError, match=fragment):
        check("two-week-taper", 0, answer)


def test_markup_is_read_as_plain_text(check):
    fb = check("two-week-taper", 0, "<b>Could we try 10% every four weeks?</b>")
    assert fb["answer"].startswith("<b>") and "specific-ask" in [c["id"] for c in fb["covered"]]


def test_summary_says_what_went_well_what_to_practise_and_what_to_keep(check):
    first = check("two-week-taper", 0, "You need to give me a slower taper right now.")
    second = check("two-week-taper", 0, "I'd like to taper slowly and safely. Could we try 10% every four weeks?")
    third = check("two-week-taper", 1, "I'm worried about it.")
    result = rehearsal.summary([first, second, third])
    assert set(result) >= {"went_well", "to_practise", "phrases_to_keep"}
    assert [fb["answer"] for fb in result["turns"]] == [second["answer"], third["answer"]]
    assert any("stronger by trying again" in w for w in result["went_well"])
    assert any(rehearsal.checks_config().checks["specific-ask"].label in w for w in result["went_well"])
    assert any(w.startswith("Describe what happened to you") for w in result["to_practise"])
    assert any(w.startswith("Watch for this") for w in result["to_practise"])   # the demand in try 1
    assert "Could we try 10% every four weeks?" in result["phrases_to_keep"]
    assert not any("You need to" in p for p in result["phrases_to_keep"])


def test_an_empty_session_has_an_honest_summary():
    result = rehearsal.summary([])
    assert result["went_well"] == [] and result["phrases_to_keep"] == []
    assert result["to_practise"]
