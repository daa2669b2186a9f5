"""The command line end to end, as a user runs it (a real subprocess)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def run(*args, stdin: bytes = b"", env=None):
    proc = subprocess.run([sys.executable, "-m", "rehearse", *args], input=stdin, capture_output=True,
                          timeout=120, env={**os.environ, **(env or {})})
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def test_check_reply_json_flags_abrupt_stop():
    code, out, err = run("check", "--mode", "reply", "--format", "json", stdin=b"You can just stop taking it.\n")
    assert code == 0, err
    result = json.loads(out)
    concerns = [f for f in result["flags"] if f["polarity"] == "concern"]
    assert concerns and concerns[0]["sources"] and concerns[0]["suggestions"]


def test_check_reply_json_negated_prints_no_concern():
    code, out, _ = run("check", "--mode", "reply", "--format", "json", stdin=b"You can't just stop taking it.\n")
    assert code == 0
    assert [f for f in json.loads(out)["flags"] if f["polarity"] == "concern"] == []


def test_check_text_format_is_for_people(tmp_path):
    path = tmp_path / "reply.txt"
    path.write_text("You can just stop taking it.", encoding="utf-8")
    code, out, _ = run("check", "--mode", "reply", str(path))
    assert code == 0
    assert "1 concern" in out and "source:" in out and "not medical advice" in out


def test_check_text_format_shows_the_plan_check_and_the_profile():
    code, out, _ = run("check", "--mode", "reply",
                       stdin=b"Let's cut you from 2 mg to 1 mg this week and you can stop next week.\n")
    assert code == 0
    assert "Taper plan: faster than the guideline" in out and "100% of the dose within 2 weeks" in out
    assert "How this reply reads" in out and "Time horizon: prescribing-focused" in out
    assert "you could reply:" in out


def test_check_text_format_shows_a_slow_plan_as_within_the_guideline():
    code, out, _ = run("check", "--mode", "reply",
                       stdin=b"Let's reduce by about 10% every four weeks and pause whenever you need to.\n")
    assert code == 0
    assert "Taper plan: within the guideline" in out and "faster than the guideline" not in out


@pytest.mark.parametrize("stdin,fragment", [
    (b"", "nothing to check"),
    (b"   \n\t  \n", "nothing to check"),
    (b"a" * 200_000, "20,000"),
    (b"bad \x00\x01 control", "control character"),
    (b"caf\xe9 latin-1 bytes", "not valid UTF-8"),
])
def test_bad_input_is_one_clear_line_and_exit_2(stdin, fragment):
    code, out, err = run("check", "--mode", "draft", stdin=stdin)
    assert code == 2
    assert out == ""
    assert fragment in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("args,fragment", [
    (("check",), "--mode"),
    (("check", "--mode", "loud"), "invalid choice"),
    (("frobnicate",), "invalid choice"),
    (("check", "--mode", "draft", "/no/such/file.txt"), "cannot read"),
])
def test_bad_usage_exits_2_without_traceback(args, fragment):
    code, _, err = run(*args)
    assert code == 2 and fragment in err and "Traceback" not in err


def test_batch_streams_in_order_and_survives_malformed_lines():
    lines = [
        json.dumps({"id": "a", "text": "You can just stop taking it."}).encode(),
        b"{not json",
        json.dumps({"id": 3, "text": ""}).encode(),
        json.dumps({"id": "d", "body": "no text field"}).encode(),
        b"\xff\xfe not utf-8",
        json.dumps({"id": "f", "text": "We will go slowly."}).encode(),
    ]
    code, out, err = run("batch", "--mode", "reply", stdin=b"\n".join(lines) + b"\n")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == ["a", None, 3, "d", None, "f"]
    assert records[0]["flags"] and "error" not in records[0]
    assert "not valid JSON" in records[1]["error"]
    assert "nothing to check" in records[2]["error"]
    assert '"text"' in records[3]["error"]
    assert "UTF-8" in records[4]["error"]
    assert "flags" in records[5]


def test_missing_pipeline_is_a_one_line_message():
    code, _, err = run("check", "--mode", "draft", stdin=b"hello", env={"REHEARSE_SPACY_MODEL": "no_such_pipeline_xx"})
    assert code == 2
    assert "no_such_pipeline_xx" in err and "not installed" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
