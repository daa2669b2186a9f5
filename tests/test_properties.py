"""Property-based tests: analyse() holds its contract for any Unicode text, in both modes.

For every text it either returns a well-formed analysis whose offsets index the submitted text
(`text == submitted[start:end]`), or raises the documented InputError (a ValueError) - never
anything else. Bounded to run in seconds: the session analyser is reused, examples are capped.
"""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from rehearse import MAX_CHARS, InputError

SETTINGS = dict(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MODES = st.sampled_from(["draft", "reply"])

# Words the lexicons react to, so generated texts reach flags, context and rewrites, not just "no flags".
TRIGGERS = [
    "You need to give me a slower taper.", "You can just stop taking it.", "I demand that you listen!",
    "YOU NEVER LISTEN", "Withdrawal isn't a big issue at this dose.", "It's just your anxiety.",
    "Don't let anyone tell you that you can just stop.", "We will reduce slowly, about 5 to 10 percent.",
    "Let's cut the dose in half this week.", "I would like to taper off slowly.", "clonazepam 1 mg",
    "Would you be open to a slower taper?", "\"You can just stop,\" she said.", "Xanax", "cold turkey",
]
# Scripts and marks that stress tokenisation and offsets: RTL, combining marks, emoji (with ZWJ and
# variation selectors), CJK, full-width punctuation, non-breaking and other unusual spaces.
ODD = [
    "مرحبا بالطبيب", "שלום", "\u202eRTL override\u202c", "e\u0301", "n\u0303\u0323", "Z\u0351\u0352\u0353",
    "👩\u200d⚕️", "🙂", "❤️", "🏳️\u200d🌈", "中文药物", "！？", "\u00a0", "\u2028", "\u2029", "\u200b", "\ufeff",
    "\u3000", "…", "“quoted”", "’", "\r\n", "\n\n", "\t", "\x0b", "\x0c", "Ⅻ", "ﬁ", "İ", "ß",
]
PIECES = st.one_of(st.sampled_from(TRIGGERS), st.sampled_from(ODD),
                   st.text(st.characters(exclude_categories=("Cs",)), max_size=20))
MIXED = st.lists(PIECES, min_size=1, max_size=12).map(" ".join)
# Anything at all but surrogates (which cannot be encoded as UTF-8 and never arrive from outside).
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=400)
CONTROLS = [chr(c) for c in range(32) if chr(c) not in "\t\n\r\x0b\x0c"] + ["\x7f", "\x85", "\x9f"]


def _valid(text: str) -> bool:
    return (bool(text.strip()) and len(text) <= MAX_CHARS
            and not any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r\x0b\x0c" for c in text))


def check_analysis(text: str, mode: str, result: dict) -> None:
    assert result["mode"] == mode
    flags = result["flags"]
    for f in flags:
        assert 0 <= f["start"] < f["end"] <= len(text), f
        assert f["text"] == text[f["start"]:f["end"]], f
        assert f["text"].strip(), f
        assert f["polarity"] in ("concern", "strength")
        assert f["severity"] in ("high", "medium", "low")
        assert f["sources"] and all(s["title"] and s["url"] for s in f["sources"])
        assert f["suggestions"] is not None
        rw = f.get("rewrite")
        if rw is not None:
            assert 0 <= rw["start"] <= rw["end"] <= len(text), rw
    assert [f["start"] for f in flags] == sorted(f["start"] for f in flags)
    for s in result.get("suppressed", []):
        assert 0 <= s["start"] < s["end"] <= len(text) and s["text"] == text[s["start"]:s["end"]], s
    summary = result["summary"]
    assert summary["concerns"] == sum(f["polarity"] == "concern" for f in flags)
    assert summary["strengths"] == len(flags) - summary["concerns"]
    assert 0 <= summary["collaboration"] <= 100


def analyse_or_refuse(analyse, text: str, mode: str) -> None:
    if _valid(text):
        check_analysis(text, mode, analyse(text, mode))
    else:
        with pytest.raises(InputError):
            analyse(text, mode)


@settings(**SETTINGS)
@given(text=ANY_TEXT, mode=MODES)
@example(text="\x00", mode="draft")
@example(text="Thank you.\r\nYou can just stop taking it.\r\n", mode="reply")
@example(text="e\u0301\u0301 You need to give me a slower taper. 👩\u200d⚕️", mode="draft")
def test_any_unicode_text(analyse, text, mode):
    analyse_or_refuse(analyse, text, mode)


@settings(**SETTINGS)
@given(text=MIXED, mode=MODES)
def test_texts_that_reach_the_rules(analyse, text, mode):
    analyse_or_refuse(analyse, text, mode)


@settings(**SETTINGS)
@given(text=MIXED, mode=MODES)
def test_crlf_and_lf_give_the_same_flags(analyse, text, mode):
    """Windows line ends change offsets, not findings: each flag maps onto the same words."""
    assume(_valid(text) and "\r" not in text)
    crlf = text.replace("\n", "\r\n")
    assume(len(crlf) <= MAX_CHARS)
    lf_flags, crlf_flags = analyse(text, mode)["flags"], analyse(crlf, mode)["flags"]
    check_analysis(crlf, mode, analyse(crlf, mode))
    assert [(f["rule"], f["text"].replace("\r\n", "\n")) for f in crlf_flags] == \
           [(f["rule"], f["text"]) for f in lf_flags]


@settings(**SETTINGS)
@given(before=MIXED, control=st.sampled_from(CONTROLS), after=MIXED, mode=MODES)
def test_control_characters_are_refused_with_the_documented_error(analyse, before, control, after, mode):
    text = before + control + after
    assume(len(text) <= MAX_CHARS)
    # U+001C-U+001F count as white space to str.strip(): a text of nothing else is "nothing to check"
    message = "control character" if text.strip() else "nothing to check"
    with pytest.raises(InputError, match=message):
        analyse(text, mode)
    assert issubclass(InputError, ValueError)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(st.one_of(MIXED, ANY_TEXT, st.sampled_from(["", "  \n", "\x00bad"]),
                                st.integers(), st.none()), min_size=1, max_size=12),
       mode=MODES, batch_size=st.integers(1, 5))
def test_analyse_many_is_analyse_item_by_item(analyzer, items, mode, batch_size):
    results = list(analyzer.analyse_many(items, mode, batch_size=batch_size))
    assert len(results) == len(items)
    for item, result in zip(items, results):
        if isinstance(item, str) and _valid(item):
            check_analysis(item, mode, result)
            assert result == analyzer.analyse(item, mode)  # batching (shared parse) changes nothing
        else:
            assert set(result) == {"error"} and result["error"]


def test_unknown_mode_is_the_documented_error(analyse):
    with pytest.raises(InputError, match="mode must be"):
        analyse("Hello.", "letter")


def test_over_long_text_is_the_documented_error(analyse):
    with pytest.raises(InputError, match="20,000"):
        analyse("a " * (MAX_CHARS // 2 + 1), "draft")


@settings(**SETTINGS)
@given(text=st.one_of(MIXED, ANY_TEXT))
@example(text='"You can just stop." She said!! "Really?!" (yes.) ... ok; \n\nNext')
@example(text="READ. MY. MESSAGE. Thanks.")
@example(text="\r\n …")
def test_segment_splits_any_text_into_whole_sentences(analyzer, text):
    """Sentences cover the text in order, each token in exactly one, and a sentence never starts on
    closing punctuation that belongs to the one before."""
    from rehearse import pipeline
    doc = pipeline.segment(analyzer.nlp.make_doc(text))
    sents = list(doc.sents)
    if len(doc):
        assert sents[0].start == 0 and sents[-1].end == len(doc)
    assert all(a.end == b.start for a, b in zip(sents, sents[1:]))
    assert "".join(s.text_with_ws for s in sents) == text
    for s in sents[1:]:
        assert s[0].text not in pipeline.SENTENCE_END


@pytest.mark.parametrize("text,expected", [
    ("You can just stop. Then call me.", ["You can just stop.", "Then call me."]),
    ('He said "stop now." Then he left.', ['He said "stop now."', "Then he left."]),
    ("Line one\nLine two", ["Line one\n", "Line two"]),
    ("Really?! Yes.", ["Really?!", "Yes."]),
    ("READ. MY. MESSAGE.", ["READ. MY. MESSAGE."]),               # one shouted sentence
    ("I said no. YOU. NEVER. LISTEN. Thanks.", ["I said no.", "YOU. NEVER. LISTEN.", "Thanks."]),
    ("STOP. I mean it.", ["STOP.", "I mean it."]),
    ('He left. "Stop," she said.', ["He left.", '"Stop," she said.']),
    ("(Yes.) Then we talk.", ["(Yes.)", "Then we talk."]),
])
def test_segment_rules(analyzer, text, expected):
    from rehearse import pipeline
    doc = pipeline.segment(analyzer.nlp.make_doc(text))
    assert [s.text_with_ws.rstrip(" ") for s in doc.sents] == expected
