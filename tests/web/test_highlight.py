"""The web layer's text helpers: inline segments, sentence ranges, browser offsets, dismissal keys."""
from __future__ import annotations

import pytest

from rehearse.web import checking, highlight


def flag(start, end, polarity="concern", text="x", rule="draft.x"):
    return {"start": start, "end": end, "polarity": polarity, "text": text, "rule": rule}


def test_segments_cover_the_whole_text_in_order():
    text = "abc def ghi"
    segs = highlight.segments(text, [flag(4, 7)])
    assert "".join(s.text for s in segs) == text
    assert [(s.text, s.flags) for s in segs] == [("abc ", ()), ("def", (0,)), (" ghi", ())]


def test_overlapping_flags_split_into_pieces_that_name_both():
    segs = highlight.segments("0123456789", [flag(0, 6, "strength"), flag(3, 9)])
    assert [(s.text, s.flags, s.starts) for s in segs] == [
        ("012", (0,), (0,)), ("345", (0, 1), (1,)), ("678", (1,), ()), ("9", (), ())]


def test_segments_of_text_without_flags_is_one_plain_piece():
    assert highlight.segments("plain", []) == [highlight.Segment("plain")]


@pytest.mark.parametrize("text,span,expected", [
    ("One. You need to go. Three.", "need", "You need to go."),
    ("First line\nYou need to go\nlast", "need", "You need to go"),
    ("You need to go", "need", "You need to go"),
    ("Hi!  “You must.” Bye", "must", "“You must.”"),
])
def test_sentence_bounds_find_the_sentence_around_a_span(text, span, expected):
    start = text.index(span)
    s, e = highlight.sentence_bounds(text, start, start + len(span))
    assert text[s:e] == expected


@pytest.mark.parametrize("text,index,expected", [("abc", 2, 2), ("🙂ab", 1, 2), ("🙂a🙂b", 3, 5), ("é", 1, 1)])
def test_utf16_offsets_count_astral_characters_twice(text, index, expected):
    assert highlight.utf16(text, index) == expected


def test_dismissal_key_ignores_case_and_spacing_not_position():
    a = checking.dismissal_key({"rule": "draft.you-must", "text": "You  need\nto"})
    b = checking.dismissal_key({"rule": "draft.you-must", "text": "you need to"})
    assert a == b == "draft.you-must:you need to"


@pytest.mark.parametrize("raw,expected", [
    ('["a:b", "c:d"]', ["a:b", "c:d"]),
    ('["a:b", "a:b", 3, null, ""]', ["a:b"]),
    ("not json", []),
    ('{"a": 1}', []),
    ("[" * 100_000, []),
    ("", []),
])
def test_parse_dismissed_never_fails(raw, expected):
    assert checking.parse_dismissed(raw) == expected


def test_parse_dismissed_keeps_a_bounded_number_of_keys():
    raw = "[" + ",".join(f'"k:{i}"' for i in range(1000)) + "]"
    assert len(checking.parse_dismissed(raw)) == checking.DISMISSED_MAX


def test_crlf_line_breaks_are_counted_as_the_browser_counts_them():
    assert checking.normalise("a\r\nb\rc\n") == "a\nb\nc\n"
