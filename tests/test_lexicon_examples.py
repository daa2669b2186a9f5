"""Every lexicon entry's examples run as tests (proselint/LanguageTool style)."""
from __future__ import annotations

import pytest

from rehearse.lexicon import load_lexicon
from rehearse.resources import data_dir

LEXICON = load_lexicon(data_dir("lexicons"))
FLAG_CASES = [(e.id, e.mode, s) for e in LEXICON.entries for s in e.flag_examples]
PASS_CASES = [(e.id, e.mode, e.polarity, s) for e in LEXICON.entries for s in e.pass_examples]


def _rules(result, polarity=None):
    return {f["rule"] for f in result["flags"] if polarity is None or f["polarity"] == polarity}


@pytest.mark.parametrize("rule,mode,sentence", FLAG_CASES, ids=[f"{r}:{s[:40]}" for r, _, s in FLAG_CASES])
def test_flag_example_raises_its_entry(analyse, rule, mode, sentence):
    result = analyse(sentence, mode)
    assert rule in _rules(result), (
        f"False negative against {rule}: {sentence!r} gave {sorted(_rules(result))}; "
        f"suppressed: {result['suppressed']}")


@pytest.mark.parametrize("rule,mode,polarity,sentence", PASS_CASES,
                         ids=[f"{r}:{s[:40]}" for r, _, _, s in PASS_CASES])
def test_pass_example_does_not_raise_its_entry(analyse, rule, mode, polarity, sentence):
    result = analyse(sentence, mode)
    assert rule not in _rules(result), f"False positive against {rule}: {sentence!r}"
    if polarity == "concern":
        # a concern's pass examples are clean sentences: no other concern may fire on them either
        assert not _rules(result, "concern"), (
            f"False positive on {rule}'s pass example {sentence!r}: {sorted(_rules(result, 'concern'))}")


def test_every_entry_has_examples_both_ways():
    for e in LEXICON.entries:
        assert len(e.flag_examples) >= 3 and len(e.pass_examples) >= 3, e.id
