"""Lexicon validation: bad data fails loudly at load, naming file and entry."""
from __future__ import annotations

import shutil
import textwrap

import pytest

from rehearse.lexicon import LexiconError, load_lexicon
from rehearse.resources import data_dir

GOOD = """
entries:
  - id: reply.test-entry
    mode: reply
    polarity: concern
    category: test
    severity: low
    patterns: ["just stop"]
    message: m
    explanation: e
    suggestions: ["Could we plan a gradual taper?"]
    sources: [fda-2020]
    examples: {flag: [a, b, c], pass: [d, e, f]}
"""


@pytest.fixture
def lexdir(tmp_path):
    shutil.copy(data_dir("lexicons") / "sources.yaml", tmp_path / "sources.yaml")
    return tmp_path


def write(folder, text, name="family.yaml"):
    (folder / "reply").mkdir(exist_ok=True)
    (folder / "reply" / name).write_text(textwrap.dedent(text), encoding="utf-8")


def test_good_entry_loads(lexdir):
    write(lexdir, GOOD)
    (entry,) = load_lexicon(lexdir).entries
    assert entry.id == "reply.test-entry" and entry.sources[0].url.startswith("https://")
    assert "negated" in entry.suppressors


@pytest.mark.parametrize("change,message", [
    (("severity: low", "severity: extreme"), "severity must be one of"),
    (("sources: [fda-2020]", "sources: [no-such-source]"), "unknown source 'no-such-source'"),
    (("examples: {flag: [a, b, c], pass: [d, e, f]}", "examples: {flag: [a], pass: [d, e, f]}"), "examples.flag needs at least 3"),
    (("patterns: [\"just stop\"]", "patterns: [[{POS: VERB}]]"), "needs the parse"),
    (("patterns: [\"just stop\"]", "patterns: [[{COLOUR: red}]]"), "unknown token keys"),
    (("category: test", "category: test\n    colour: red"), "unknown keys ['colour']"),
    (("suggestions: [\"Could we plan a gradual taper?\"]", "suggestions: [\"Sorry to bother you, but could we?\"]"), "apology"),
    (("id: reply.test-entry", "id: Reply Test"), "id must look like"),
    (("mode: reply", "mode: draft"), "must start with its mode"),
    (("category: test", "category: test\n    context: {unless_sentence_has: 7}"), "unless_sentence_has must be a list"),
])
def test_bad_entry_names_file_and_entry(lexdir, change, message):
    write(lexdir, GOOD.replace(*change))
    with pytest.raises(LexiconError) as err:
        load_lexicon(lexdir)
    assert "family.yaml" in str(err.value) and message in str(err.value)


def test_duplicate_ids_are_refused(lexdir):
    write(lexdir, GOOD, "one.yaml")
    write(lexdir, GOOD, "two.yaml")
    with pytest.raises(LexiconError, match="duplicate id"):
        load_lexicon(lexdir)


def test_unreadable_yaml_is_reported(lexdir):
    write(lexdir, "entries: [unclosed")
    with pytest.raises(LexiconError, match="family.yaml: cannot read"):
        load_lexicon(lexdir)


def test_lemma_is_expanded_to_forms(lexdir):
    write(lexdir, GOOD.replace('patterns: ["just stop"]', "patterns: [[{LOWER: just}, {LEMMA: stop}]]"))
    (entry,) = load_lexicon(lexdir, lambda lemma: {lemma, lemma + "s", lemma + "ped"}).entries
    assert entry.patterns[0][1] == {"NORM": {"IN": ["stop", "stopped", "stops"]}}
    assert entry.patterns[0][0] == {"NORM": "just"}


def test_shipped_lexicons_load(analyzer):
    modes = {e.mode for e in analyzer.lexicon.entries}
    assert modes <= {"draft", "reply"} and analyzer.lexicon.entries


def test_unless_sentence_has_sets_a_match_aside_by_its_norms(lexdir):
    write(lexdir, GOOD.replace("category: test", "category: test\n    context: {unless_sentence_has: [Thanks, colour]}"))
    (entry,) = load_lexicon(lexdir, normalise=lambda w: {"colour": "color"}.get(w, w)).entries
    assert entry.unless_sentence_has == {"thanks", "colour", "color"}


def test_parsed_yaml_is_cached_by_content(lexdir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("REHEARSE_CACHE_DIR", str(cache))
    write(lexdir, GOOD)
    first = load_lexicon(lexdir)
    assert len(list(cache.glob("*.json"))) == 2          # the family and sources.yaml
    assert load_lexicon(lexdir).entries == first.entries  # read back from the cache
    # an edited file is read afresh, never served stale from the cache
    assert first.entries[0].severity == "low"
    write(lexdir, GOOD.replace("severity: low", "severity: high"))
    (entry,) = load_lexicon(lexdir).entries
    assert entry.severity == "high"


def test_a_broken_cache_is_ignored(lexdir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("REHEARSE_CACHE_DIR", str(cache))
    write(lexdir, GOOD)
    load_lexicon(lexdir)
    for f in cache.glob("*.json"):
        f.write_text("{not json", encoding="utf-8")
    (entry,) = load_lexicon(lexdir).entries
    assert entry.severity == "low"


def test_cache_can_be_switched_off(lexdir, tmp_path, monkeypatch):
    monkeypatch.setenv("REHEARSE_CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    write(lexdir, GOOD)
    load_lexicon(lexdir)
    assert not (tmp_path / "xdg").exists()
