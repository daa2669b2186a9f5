"""The sentence model (rehearse/classifier.py): in step with its data, honest about what it never saw,
and held to the same context checks and evidence as the lexicon rules."""
from __future__ import annotations

import json

import pytest

from rehearse import training
from rehearse.classifier import Concepts, Verdict, features, load_families, stem
from rehearse.lexicon import LexiconError
from rehearse.resources import data_dir

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MODES = ("draft", "reply")
SEALED = ["holdout_draft", "holdout_reply", "fresh_b_draft", "fresh_b_reply", "fresh_c_draft", "fresh_c_reply"]


def concerns(result):
    return [f for f in result["flags"] if f["polarity"] == "concern"]


@pytest.mark.parametrize("mode", MODES)
def test_the_shipped_model_was_trained_on_the_data_in_the_tree(analyzer, mode):
    model = analyzer.models[mode]
    assert model is not None, f"lexicons/model/{mode}.json is missing: run `make model`"
    rows = training.training_rows(analyzer, mode)
    concepts = (data_dir("lexicons") / "concepts.yaml").read_text(encoding="utf-8")
    assert model.data_hash == training.data_hash(rows, concepts), (
        f"lexicon examples, lexicons/training/, concepts.yaml or categories.yaml changed since the {mode} "
        "model was trained: run `make model` and commit lexicons/model/")


@pytest.mark.parametrize("mode", MODES)
def test_the_model_never_trained_on_a_sealed_set(analyzer, mode):
    seen = {text for text, _ in training.training_rows(analyzer, mode)}
    for name in SEALED:
        path = ROOT / "tests" / "data" / f"{name}.jsonl"
        sealed = {" ".join(json.loads(line)["text"].lower().split())
                  for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
        overlap = {" ".join(t.lower().split()) for t in seen} & sealed
        assert not overlap, f"{name}: {len(overlap)} sealed lines are in the training data"


@pytest.mark.parametrize("mode", MODES)
def test_every_family_has_training_sentences_and_the_model_knows_it(analyzer, mode):
    rows = training.training_rows(analyzer, mode)
    counts = {fam: sum(f == fam for _, f in rows) for fam in analyzer.families[mode]}
    assert all(n >= 100 for n in counts.values()), counts
    assert set(analyzer.models[mode].classes) == set(counts) | {"none"}


@pytest.mark.parametrize("mode", MODES)
def test_cross_validated_precision_is_recorded_and_high(analyzer, mode):
    path = data_dir("lexicons") / "model" / f"{mode}.json"
    cv = json.loads(path.read_text(encoding="utf-8"))["cross_validated"]
    assert cv["precision"] >= training.PRECISION_TARGET - 0.005
    assert 0.2 <= cv["threshold"] <= 0.95


# Red flags in words no lexicon entry lists (the rules alone find nothing), with their twins.
UNLISTED = [
    ("reply", "Honestly, the Klonopin can go in the bin from tomorrow.", "abrupt-stop"),
    ("reply", "Withdrawal from such a small amount is really nothing to lose sleep over.", "withdrawal-minimised"),
    ("draft", "Clearly my suffering is a minor inconvenience to your schedule.", "sarcasm"),
]


@pytest.mark.parametrize("mode,text,family", UNLISTED)
def test_the_model_finds_what_no_pattern_lists_and_brings_the_evidence(analyse, rules_only, mode, text, family):
    assert not concerns(rules_only.analyse(text, mode)), "pick a sentence the rules miss"
    (flag,) = concerns(analyse(text, mode))
    assert flag["category"] == family and flag["rule"] == f"{mode}.model-{family}"
    assert flag["detector"] == "model" and 0.5 <= flag["confidence"] <= 1
    assert text[flag["start"]:flag["end"]] == flag["text"] and flag["text"].strip()
    assert flag["message"] and flag["explanation"] and flag["suggestions"]
    assert flag["sources"] and all(s["url"].startswith("https://") for s in flag["sources"])


@pytest.mark.parametrize("mode,text", [
    ("reply", "If I said the Klonopin can go in the bin from tomorrow, that would be dangerous advice."),
    ("reply", "Some doctors say withdrawal from such a small amount is nothing to lose sleep over, but that isn't true."),
    ("reply", "Nobody is saying the Klonopin can go in the bin from tomorrow."),
    ("draft", "I'd never say my suffering is a minor inconvenience to your schedule; you've been kind."),
])
def test_the_twins_of_those_sentences_are_clean(analyse, mode, text):
    assert not concerns(analyse(text, mode)), concerns(analyse(text, mode))


class _Always:
    """A stand-in model that reads every sentence as an abrupt stop, from "put" (else the start) on."""

    def __call__(self, span):
        toks = [t for t in span if not t.is_space]
        start = next((i for i, t in enumerate(toks) if t.lower_ == "put"), 0)
        end = next((i for i, t in enumerate(toks) if i > start and t.is_punct), len(toks))
        return Verdict("abrupt-stop", 0.9, (start, end), start)


@pytest.fixture(scope="module")
def always(analyzer):
    from rehearse.engine import Analyzer
    a = Analyzer(nlp=analyzer.nlp, lexicon=analyzer.lexicon, use_model=False)
    a.models["reply"] = _Always()
    return a


@pytest.mark.parametrize("text,reason", [
    ("I would never tell you to put the pills in a drawer.", "negated"),
    ("If you put the pills in a drawer tonight, you could have a seizure.", "hypothetical"),
    ("Did someone tell you to put the pills in a drawer?", "question"),
])
def test_the_models_candidates_pass_the_parses_context_checks(always, text, reason):
    result = always.analyse(text, "reply")
    assert not concerns(result)
    (item,) = [s for s in result["suppressed"] if s["rule"] == "reply.model-abrupt-stop"]
    assert any(reason in r for r in item["reasons"]), item


def test_what_the_context_checks_let_through_is_flagged_with_the_familys_evidence(always):
    text = "Put the pills in a drawer tonight."
    (flag,) = concerns(always.analyse(text, "reply"))
    assert flag["rule"] == "reply.model-abrupt-stop" and flag["text"] == "Put the pills in a drawer tonight"
    assert flag["confidence"] == 0.9 and flag["detector"] == "model"


def test_the_model_stays_out_of_a_sentence_where_a_strength_was_raised(always):
    result = always.analyse("We'll taper slowly, at a pace you can tolerate.", "reply")
    assert result["flags"] and all(f["polarity"] == "strength" for f in result["flags"])


def test_pieces_split_at_a_semicolon_are_read_together(always, analyzer):
    doc = analyzer._tokenise("You're not addicted; you're physically dependent, which is expected.")
    from rehearse.engine import _units
    sents = list(doc.sents)
    assert len(sents) == 2 and [len(u) for u in _units(sents)] == [2]


def test_a_rhetorical_question_is_not_set_aside_for_being_a_question(analyzer):
    assert "question" not in analyzer.families["draft"]["rhetorical-question"].suppressors
    assert "question" in analyzer.families["reply"]["abrupt-stop"].suppressors


def test_a_sentence_the_rules_already_read_is_not_read_again(analyse):
    result = analyse("You can't just stop taking it.", "reply")
    assert not concerns(result)
    assert [s["rule"] for s in result["suppressed"]] == ["reply.just-stop"]


def test_plain_thanks_and_questions_are_not_flagged(analyse):
    for text, mode in [("Thanks.", "draft"), ("Thank you for seeing me today.", "draft"),
                       ("How have you been sleeping since the last step?", "reply"),
                       ("Please stop by the front desk on your way out.", "reply")]:
        assert not concerns(analyse(text, mode)), text


def test_negation_scope_marks_the_words_after_a_negator_until_punctuation(analyzer):
    doc = analyzer.nlp.make_doc("You can't just stop, it is fine.")
    feats, where = features(doc, analyzer.concepts)
    assert "n:w=stop" in feats and "n:c=STOP" in feats
    assert "w=fine" in feats and "n:w=fine" not in feats   # the comma ends the scope
    assert len(feats) == len(where)


def test_concepts_cover_inflections_and_drug_names(analyzer):
    assert "STOP" in analyzer.concepts("stopping") and "STOP" in analyzer.concepts("ditched")
    assert "DRUG" in analyzer.concepts("klonopin") and "DRUG" in analyzer.concepts("lorazepam")
    assert stem("stopping") == "stop" and stem("studies") == "study"


def test_a_family_with_an_unknown_source_stops_the_load(tmp_path, analyzer):
    bad = tmp_path / "categories.yaml"
    bad.write_text("draft: {}\nreply:\n  abrupt-stop:\n    kinds: [abrupt-stop]\n    severity: high\n"
                   "    message: m\n    explanation: e\n    suggestions: [s]\n    sources: [no-such-source]\n")
    with pytest.raises(LexiconError, match="reply.abrupt-stop"):
        load_families(bad, analyzer.lexicon.sources, analyzer.concepts)


def test_concepts_file_must_map_names_to_word_lists(tmp_path):
    bad = tmp_path / "concepts.yaml"
    bad.write_text("concepts:\n  STOP: stop\n")
    with pytest.raises(ValueError, match="concepts"):
        Concepts.load(bad)


def test_confidence_is_put_in_words_people_can_weigh():
    from rehearse.classifier import GATE_WAIVED_AT, confidence_word
    assert [confidence_word(p) for p in (0.99, 0.9, GATE_WAIVED_AT, 0.69, 0.5)] == [
        "high", "high", "medium", "low", "low"]
