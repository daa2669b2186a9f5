"""The analysis has the shape fixed in ../shared/CONTRACT.md, on every kind of text."""
from __future__ import annotations

import pytest

import rehearse
from rehearse import InputError

FLAG_KEYS = {"rule", "category", "polarity", "severity", "start", "end", "text", "message",
             "explanation", "suggestions", "sources"}
TEXTS = [
    ("You can just stop taking it.", "reply"),
    ("You need to give me a slower taper. You NEVER listen to me!!!", "draft"),
    ("Thank you for your time. Would you be open to a slower taper?", "draft"),
    ("Ça va? 🙂 Ich möchte langsam reduzieren. <script>alert(1)</script>", "draft"),
    ("line one\n\nline two\twith tab\r\nand CRLF", "reply"),
]


@pytest.mark.parametrize("text,mode", TEXTS)
def test_result_shape(analyse, text, mode):
    result = analyse(text, mode)
    assert result["mode"] == mode
    assert set(result["summary"]) >= {"concerns", "strengths", "collaboration"}
    assert 0 <= result["summary"]["collaboration"] <= 100
    assert result["summary"]["concerns"] == sum(f["polarity"] == "concern" for f in result["flags"])
    assert result["summary"]["strengths"] == sum(f["polarity"] == "strength" for f in result["flags"])
    for f in result["flags"]:
        assert set(f) >= FLAG_KEYS
        assert f["polarity"] in ("concern", "strength")
        assert f["severity"] in ("high", "medium", "low")
        assert f["rule"].startswith(mode + ".")
        assert text[f["start"]:f["end"]] == f["text"]
        assert f["message"] and f["explanation"] and f["suggestions"]
        assert f["sources"] and all(s["title"] and s["url"].startswith("https://") for s in f["sources"])
        if "rewrite" in f:
            rw = f["rewrite"]
            assert 0 <= rw["start"] <= rw["end"] <= len(text) and rw["text"].strip()


def test_python_api_is_the_contract_entry_point():
    result = rehearse.analyse("You can just stop taking it.", mode="reply")
    (flag,) = [f for f in result["flags"] if f["rule"] == "reply.just-stop"]
    assert flag["text"] == "just stop taking it" or "just stop" in flag["text"]


@pytest.mark.parametrize("bad,fragment", [
    ("", "nothing to check"),
    ("   \n\t ", "nothing to check"),
    ("x" * 200_000, "20,000"),
    ("text with a NUL \x00 byte", "control character"),
    (b"\xff\xfe bad bytes", "UTF-8"),
    (42, "string"),
])
def test_bad_input_raises_a_friendly_error(analyse, bad, fragment):
    with pytest.raises(InputError, match=fragment):
        analyse(bad, "draft")


def test_unknown_mode_is_refused(analyse):
    with pytest.raises(InputError, match="mode"):
        analyse("hello", "shouting")


def test_analyse_many_keeps_order_and_reports_bad_items(analyzer):
    items = ["You can just stop taking it.", "", "Thank you for listening.", InputError("line 4: not JSON")]
    out = list(analyzer.analyse_many(items, "reply", batch_size=2))
    assert len(out) == 4
    assert out[0]["flags"] and out[0]["mode"] == "reply"
    assert "nothing to check" in out[1]["error"]
    assert out[2]["summary"]["concerns"] == 0
    assert out[3] == {"error": "line 4: not JSON"}


def test_batch_results_equal_single_results(analyzer):
    texts = ["You can just stop taking it.", "We'll go slowly. You can't just stop.", "Hello there."]
    assert list(analyzer.analyse_many(texts, "reply")) == [analyzer.analyse(t, "reply") for t in texts]
