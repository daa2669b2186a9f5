"""`rehearse eval`: measure the analyser on outside benchmarks and on the development sets.

Writes a Markdown report (default docs/quality.md) and prints a compact summary. The benchmark
data is read where it lies (default `<repo>/../shared/benchmarks`, or `--benchmarks`, or the
REHEARSE_BENCHMARKS environment variable) and is never copied into the repository. Recipes:
../shared/benchmarks/README.md. Only the standard library is used (no pandas, no scipy).
"""
from __future__ import annotations

import csv
import datetime as _dt
import json
import math
import os
import re
import shlex
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .inputs import MAX_CHARS

TONE_T = 50               # the fixed tone threshold: "impolite" when collaboration < TONE_T
MAX_LISTED = 200          # rows listed for human review (MTS-Dialog flagged turns, dev-set misses)
BATCH = 256
BENCH_ENV = "REHEARSE_BENCHMARKS"
PACKAGE_DIR = Path(__file__).resolve().parent

# file names inside the benchmark folder
STANFORD = {"Wikipedia": "stanford_politeness/wikipedia.annotated.csv",
            "Stack Exchange": "stanford_politeness/stack-exchange.annotated.csv"}
RECEPTIVE = "receptiveness/receptive_train.csv"
OFFERS = {"phone offers": "receptiveness/phone_offers.csv", "bowl offers": "receptiveness/bowl_offers.csv"}
MTS = "mts_dialog/mts_dialog_turns_all.csv"
GITHUB = "github_incivility/annotated_comment_level.csv"
DEV = {"reply": "dev_reply.jsonl", "draft": "dev_draft.jsonl"}
# Written after the rules by someone who never saw them; reported as numbers only, never listed,
# so that nobody tunes rules to them.
HOLDOUT = {"reply": "holdout_reply.jsonl", "draft": "holdout_draft.jsonl"}
# A second independent pair (session 2), written by someone who never read the rules or the
# other sets: set a is for reading misses and tuning; set b is sealed like the held-out sets.
FRESH_A = {"reply": "fresh_a_reply.jsonl", "draft": "fresh_a_draft.jsonl"}
FRESH_B = {"reply": "fresh_b_reply.jsonl", "draft": "fresh_b_draft.jsonl"}
# A third (session 3), written the same way and sealed from the start: never read, never trained on.
FRESH_C = {"reply": "fresh_c_reply.jsonl", "draft": "fresh_c_draft.jsonl"}
LABELLED = (("dev", DEV), ("fresh-a", FRESH_A), ("holdout", HOLDOUT), ("fresh-b", FRESH_B), ("fresh-c", FRESH_C))
# Sets the sentence model never trained on: reported with and without it (section 8).
UNSEEN = ("holdout", "fresh-b", "fresh-c")


def repo_root() -> Path:
    """The source checkout holding this package, else the current directory."""
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() else Path.cwd()


def default_benchmarks() -> Path:
    env = os.environ.get(BENCH_ENV)
    return Path(env) if env else repo_root().parent / "shared" / "benchmarks"


# =========================================================================================
# Metrics (pure functions; tested by hand-computed values in tests/test_evaluate.py)
# =========================================================================================
def confusion(pred: Sequence[bool], gold: Sequence[bool]) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) with True as the positive class."""
    if len(pred) != len(gold):
        raise ValueError("pred and gold differ in length")
    tp = sum(1 for p, g in zip(pred, gold) if p and g)
    fp = sum(1 for p, g in zip(pred, gold) if p and not g)
    fn = sum(1 for p, g in zip(pred, gold) if not p and g)
    return tp, fp, fn, len(pred) - tp - fp - fn


def accuracy(pred, gold) -> float | None:
    tp, fp, fn, tn = confusion(pred, gold)
    n = tp + fp + fn + tn
    return (tp + tn) / n if n else None


def precision(pred, gold) -> float | None:
    tp, fp, _, _ = confusion(pred, gold)
    return tp / (tp + fp) if tp + fp else None


def recall(pred, gold) -> float | None:
    tp, _, fn, _ = confusion(pred, gold)
    return tp / (tp + fn) if tp + fn else None


def binary_metrics(pred, gold) -> dict:
    tp, fp, fn, tn = confusion(pred, gold)
    return {"n": len(pred), "tp": tp, "fp": fp, "fn": fn, "tn": tn, "accuracy": accuracy(pred, gold),
            "precision": precision(pred, gold), "recall": recall(pred, gold)}


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        mean = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = mean
        i = j + 1
    return ranks


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    n = len(x)
    if n != len(y):
        raise ValueError("x and y differ in length")
    if n < 2:
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return None  # a constant series has no correlation
    return sxy / math.sqrt(sxx * syy)


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho: Pearson's r on average ranks (ties handled as scipy.stats.spearmanr does)."""
    return pearson(average_ranks(x), average_ranks(y))


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in [0, 1]."""
    v = sorted(values)
    if not v:
        raise ValueError("no values")
    pos = (len(v) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def quartile_split(values: Sequence[float]) -> tuple[list[int], list[int]]:
    """Indices of the bottom quartile (value <= Q1) and the top quartile (value >= Q3).

    The middle half is dropped. Ties at a cut-off all go with their quartile; when Q1 == Q3
    (heavily tied data) the top quartile is taken as value > Q3 so the two never overlap.
    """
    if not values:
        return [], []
    q1, q3 = percentile(values, 0.25), percentile(values, 0.75)
    low = [i for i, v in enumerate(values) if v <= q1]
    high = [i for i, v in enumerate(values) if (v > q3 if q1 == q3 else v >= q3)]
    return low, high


def best_threshold(scores: Sequence[float], gold: Sequence[bool]) -> tuple[float | None, float | None]:
    """The T maximising accuracy of `score < T` predicting the positive class (smallest T on ties)."""
    if not scores:
        return None, None
    cands = sorted(set(scores)) + [max(scores) + 1]
    best_t, best_acc = None, -1.0
    for t in cands:
        acc = accuracy([s < t for s in scores], gold)
        if acc > best_acc:
            best_t, best_acc = t, acc
    return best_t, best_acc


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


# =========================================================================================
# Text preparation and analysis
# =========================================================================================
_FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)   # an unclosed fence runs to the end
_INLINE = re.compile(r"`[^`\n]*`")


def strip_code(text: str) -> str:
    """Remove fenced code blocks (``` ... ```) and inline `code` (GitHub comments)."""
    return _INLINE.sub(" ", _FENCE.sub("\n", text))


@dataclass
class Outcome:
    """What the evaluation keeps of one analysis."""
    concerns: list[dict]                  # {"rule", "category", "severity", "start", "end", "text"}
    collaboration: float
    suppressed: list[dict]                # {"rule", "polarity", "text", "reasons"}
    error: str | None = None

    @property
    def flagged(self) -> bool:
        return bool(self.concerns)


def _outcome(result: dict) -> Outcome:
    if "error" in result:
        return Outcome([], float("nan"), [], error=str(result["error"]))
    concerns = [{k: f.get(k) for k in ("rule", "category", "severity", "start", "end", "text")}
                for f in result.get("flags", []) if f.get("polarity") == "concern"]
    supp = [{"rule": s.get("rule"), "polarity": s.get("polarity"), "text": s.get("text"),
             "reasons": list(s.get("reasons") or [])} for s in result.get("suppressed", []) or []]
    return Outcome(concerns, float(result["summary"]["collaboration"]), supp)


@dataclass
class Prepared:
    texts: list[str] = field(default_factory=list)
    meta: list[dict] = field(default_factory=list)
    rows: int = 0
    empty: int = 0
    emptied: int = 0          # of the empty ones, those that held only what `transform` removed
    truncated: int = 0
    unlabelled: int = 0


def prepare(rows: Iterable[tuple[str, dict]], transform: Callable[[str], str] | None = None) -> Prepared:
    """Skip (and count) empty texts, truncate texts over MAX_CHARS (and count them)."""
    p = Prepared()
    for text, meta in rows:
        p.rows += 1
        text = text or ""
        had_text = bool(text.strip())
        if transform:
            text = transform(text)
        if not text.strip():
            p.empty += 1
            p.emptied += had_text
            continue
        if len(text) > MAX_CHARS:
            text = text[:MAX_CHARS]
            p.truncated += 1
        p.texts.append(text)
        p.meta.append(meta)
    return p


class Runner:
    """Feeds texts to analyse_many in batches, reporting progress on stderr."""

    def __init__(self, analyse_many: Callable, progress=sys.stderr):
        self.analyse_many = analyse_many
        self.progress = progress
        self.analysed = 0
        self.seconds = 0.0

    def run(self, texts: list[str], mode: str, label: str) -> list[Outcome]:
        t0 = time.perf_counter()
        out: list[Outcome] = []
        self._say(f"  {label}: {len(texts):,} texts ({mode} mode)")
        step = max(2000, len(texts) // 5)
        for result in self.analyse_many(texts, mode):
            out.append(_outcome(result))
            if len(out) % step == 0 and len(out) < len(texts):
                self._say(f"    {label}: {len(out):,}/{len(texts):,}")
        if len(out) != len(texts):
            raise RuntimeError(f"{label}: analyse_many returned {len(out)} results for {len(texts)} texts")
        dt = time.perf_counter() - t0
        self.analysed += len(texts)
        self.seconds += dt
        self._say(f"    {label}: done in {dt:.1f} s")
        return out

    def _say(self, msg: str):
        if self.progress is not None:
            print(msg, file=self.progress, flush=True)


def read_csv(path: Path, limit: int | None = None, keep: Callable[[dict], bool] | None = None) -> list[dict]:
    """Rows as dicts of strings (values such as "None" stay strings); the first `limit` kept rows."""
    csv.field_size_limit(2**31 - 1)
    rows = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if keep is not None and not keep(row):
                continue
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    return rows


def _to_float(s) -> float | None:
    try:
        v = float(s)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


# =========================================================================================
# The evaluations; each returns a plain dict that the renderers turn into Markdown / stdout
# =========================================================================================
def _base(name: str, path: Path, mode: str, p: Prepared, outs: list[Outcome]) -> dict:
    errors = [o.error for o in outs if o.error]
    return {"name": name, "path": path, "mode": mode, "rows": p.rows, "empty": p.empty, "emptied": p.emptied,
            "truncated": p.truncated, "unlabelled": p.unlabelled, "errors": len(errors),
            "error_examples": errors[:3], "analysed": len(outs) - len(errors)}


def _rule_counts(outs: Iterable[Outcome]) -> list[tuple[str, int]]:
    c = Counter()
    for o in outs:
        for rule in {f["rule"] for f in o.concerns}:
            c[rule] += 1
    return c.most_common(10)


def _three_rules(outs: list[Outcome], gold: list[bool]) -> dict:
    return {
        "flags": binary_metrics([o.flagged for o in outs], gold),
        "tone": binary_metrics([o.collaboration < TONE_T for o in outs], gold),
        "combined": binary_metrics([o.flagged or o.collaboration < TONE_T for o in outs], gold),
    }


def eval_graded(name: str, path: Path, text_col: str, score_col: str, mode: str, runner: Runner,
                limit: int | None, positive: str, negative: str) -> dict:
    """A set with a continuous human score: bottom quartile = positive class, top = negative."""
    rows = read_csv(path, limit)
    p = Prepared()
    p.rows = len(rows)
    labelled = []
    for r in rows:
        score = _to_float(r.get(score_col))
        if score is None:
            p.unlabelled += 1
            continue
        labelled.append((r.get(text_col) or "", {"score": score}))
    q = prepare(labelled)
    p.empty, p.truncated, p.texts, p.meta = q.empty, q.truncated, q.texts, q.meta
    outs = runner.run(p.texts, mode, name)
    res = _base(name, path, mode, p, outs)
    ok = [(o, m["score"]) for o, m in zip(outs, p.meta) if not o.error]
    scores = [s for _, s in ok]
    low, high = quartile_split(scores)
    sub = [ok[i][0] for i in low] + [ok[i][0] for i in high]
    gold = [True] * len(low) + [False] * len(high)
    res.update(positive=positive, negative=negative, n_low=len(low), n_high=len(high),
               cut_low=percentile(scores, 0.25) if scores else None,
               cut_high=percentile(scores, 0.75) if scores else None,
               metrics=_three_rules(sub, gold),
               spearman=spearman([o.collaboration for o, _ in ok], scores),
               best=best_threshold([o.collaboration for o in sub], gold),
               mean_collab_low=mean([ok[i][0].collaboration for i in low]),
               mean_collab_high=mean([ok[i][0].collaboration for i in high]),
               rules_low=_rule_counts(ok[i][0] for i in low),
               rules_high=_rule_counts(ok[i][0] for i in high))
    return res


def eval_offers(name: str, path: Path, runner: Runner, limit: int | None) -> dict:
    rows = read_csv(path, limit)
    items = []
    unlabelled = 0
    for r in rows:
        cond = (r.get("condition") or "").strip()
        if cond not in ("0", "1"):
            unlabelled += 1
            continue
        items.append((r.get("message") or "", {"condition": cond}))
    p = prepare(items)
    p.rows, p.unlabelled = len(rows), unlabelled
    outs = runner.run(p.texts, "draft", name)
    res = _base(name, path, "draft", p, outs)
    per = {}
    for cond, label in (("0", "tough"), ("1", "warm")):
        group = [o for o, m in zip(outs, p.meta) if m["condition"] == cond and not o.error]
        per[label] = {"n": len(group), "flagged": sum(o.flagged for o in group),
                      "rate": mean([1.0 if o.flagged else 0.0 for o in group]),
                      "collab": mean([o.collaboration for o in group]),
                      "rules": _rule_counts(group)}
    res["conditions"] = per
    return res


def eval_mts(path: Path, runner: Runner, limit: int | None) -> dict:
    rows = read_csv(path, limit, keep=lambda r: (r.get("speaker") or "").strip() == "Doctor")
    short = {"MTS-Dialog-TestSet-1-MEDIQA-Chat-2023.csv": "test1", "MTS-Dialog-TestSet-2-MEDIQA-Sum-2023.csv":
             "test2", "MTS-Dialog-TrainingSet.csv": "train", "MTS-Dialog-ValidationSet.csv": "valid"}
    p = prepare((r.get("utterance") or "", {"where": f"{short.get(r.get('file'), r.get('file'))}/"
                                            f"{r.get('ID')}/{r.get('turn')}"}) for r in rows)
    outs = runner.run(p.texts, "reply", "MTS-Dialog doctor turns")
    res = _base("MTS-Dialog doctor turns", path, "reply", p, outs)
    ok = [(t, m, o) for t, m, o in zip(p.texts, p.meta, outs) if not o.error]
    flagged = [(t, m, o) for t, m, o in ok if o.flagged]
    res.update(n=len(ok), flagged=len(flagged), rate=len(flagged) / len(ok) if ok else None,
               rules=_rule_counts(o for _, _, o in flagged),
               listing=[(m["where"], t, f) for t, m, o in flagged for f in o.concerns])
    return res


def _tbdf_key(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().lower().replace("attacks", "attack"))


def eval_github(path: Path, runner: Runner, limit: int | None) -> dict:
    rows = read_csv(path, limit)
    items, unlabelled = [], 0
    spellings: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        tbdf = (r.get("tbdf") or "").strip()
        if not tbdf:
            unlabelled += 1
            continue
        key = "none" if tbdf == "None" else _tbdf_key(tbdf)
        spellings[key][tbdf] += 1
        items.append((r.get("comment_body") or "", {"type": key}))
    p = prepare(items, transform=strip_code)
    p.rows, p.unlabelled = len(rows), unlabelled
    outs = runner.run(p.texts, "draft", "GitHub incivility")
    res = _base("GitHub incivility", path, "draft", p, outs)
    ok = [(o, m["type"]) for o, m in zip(outs, p.meta) if not o.error]
    gold = [t != "none" for _, t in ok]
    res["metrics"] = _three_rules([o for o, _ in ok], gold)
    res["n_civil"] = gold.count(False)
    res["n_uncivil"] = gold.count(True)
    per = []
    for key in sorted({t for _, t in ok if t != "none"}):
        group = [o for o, t in ok if t == key]
        per.append({"type": spellings[key].most_common(1)[0][0], "n": len(group),
                    "spellings": sorted(spellings[key]),
                    "flags": mean([1.0 if o.flagged else 0.0 for o in group]),
                    "combined": mean([1.0 if (o.flagged or o.collaboration < TONE_T) else 0.0 for o in group])})
    per.sort(key=lambda d: -d["n"])
    res["per_type"] = per
    res["rules_civil"] = _rule_counts(o for o, t in ok if t == "none")
    res["rules_uncivil"] = _rule_counts(o for o, t in ok if t != "none")
    return res


def read_dev(path: Path, limit: int | None) -> tuple[list[tuple[str, dict]], list[str]]:
    items, problems = [], []
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {n}: not valid JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) \
                    or obj.get("label") not in ("concern", "clean"):
                problems.append(f'line {n}: expected {{"text": str, "label": "concern"|"clean", "kind": ...}}')
                continue
            items.append((obj["text"], {"label": obj["label"], "kind": str(obj.get("kind") or "-"), "line": n}))
            if limit is not None and len(items) >= limit:
                break
    return items, problems


def eval_dev(mode: str, path: Path, runner: Runner, limit: int | None) -> dict:
    items, problems = read_dev(path, limit)
    p = prepare(items)
    p.rows = len(items) + len(problems)
    p.unlabelled = len(problems)
    outs = runner.run(p.texts, mode, f"dev set ({mode})")
    res = _base(f"dev_{mode}", path, mode, p, outs)
    ok = [(t, m, o) for t, m, o in zip(p.texts, p.meta, outs) if not o.error]
    gold = [m["label"] == "concern" for _, m, _ in ok]
    pred = [o.flagged for _, _, o in ok]
    res["metrics"] = binary_metrics(pred, gold)
    kinds = defaultdict(lambda: [0, 0, Counter()])
    for (_, m, _), g, pr in zip(ok, gold, pred):
        k = kinds[m["kind"]]
        k[0] += 1
        k[1] += (g == pr)
        k[2][m["label"]] += 1
    res["kinds"] = sorted(((kind, n, right, dict(labels)) for kind, (n, right, labels) in kinds.items()),
                          key=lambda x: (x[2] / x[1], x[0]))
    res["missed"] = [(t, m, o) for (t, m, o), g, pr in zip(ok, gold, pred) if g != pr]
    res["problems"] = problems
    return res


# =========================================================================================
# The run
# =========================================================================================
@dataclass
class Evaluation:
    started: _dt.datetime
    command: str
    version: str
    pipeline: str
    benchmarks: Path
    benchmarks_found: bool
    limit: int | None
    sections: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    analysed: int = 0


def run(benchmarks: Path | None = None, limit: int | None = None, dev_dir: Path | None = None,
        analyse_many: Callable | None = None, pipeline: str | None = None, command: str = "rehearse eval",
        progress=sys.stderr) -> Evaluation:
    """Run every evaluation it can; missing data is noted (and on stderr), never fatal."""
    from . import __version__
    rules_only = None
    if analyse_many is None:
        from . import analyse_many as _am, get_analyzer
        from .engine import Analyzer
        shared = get_analyzer()
        meta = shared.nlp.meta
        if any(m is not None for m in shared.models.values()):
            rules = Analyzer(nlp=shared.nlp, lexicon=shared.lexicon, use_model=False)
            rules_only = lambda texts, mode: rules.analyse_many(texts, mode, batch_size=BATCH)  # noqa: E731
        pipeline = pipeline or f"{meta.get('lang', 'xx')}_{meta.get('name', '?')} {meta.get('version', '')}".strip()
        analyse_many = lambda texts, mode: _am(texts, mode, batch_size=BATCH)  # noqa: E731
    benchmarks = Path(benchmarks) if benchmarks is not None else default_benchmarks()
    dev_dir = Path(dev_dir) if dev_dir is not None else repo_root() / "tests" / "data"
    ev = Evaluation(_dt.datetime.now().astimezone(), command, __version__, pipeline or "unknown",
                    benchmarks, benchmarks.is_dir(), limit)
    runner = Runner(analyse_many, progress)
    t0 = time.perf_counter()

    def note(msg: str, where: Path):
        """Record a note (the report names paths relative to the repository; stderr in full)."""
        ev.notes.append(msg.format(_rel(where)))
        if progress is not None:
            print(f"rehearse eval: {msg.format(where.resolve())}", file=progress, flush=True)

    def have(rel: str) -> Path | None:
        path = benchmarks / rel
        if path.is_file():
            return path
        note(f"{rel} not found in the benchmark folder {{}}; skipped", benchmarks)
        return None

    if not ev.benchmarks_found:
        note("benchmark folder not found: {} " f"(pass --benchmarks PATH or set {BENCH_ENV}); "
             "writing the development-set sections only", benchmarks)
    else:
        for name, rel in STANFORD.items():
            if (path := have(rel)):
                ev.sections[f"stanford:{name}"] = eval_graded(
                    f"Stanford politeness, {name}", path, "Request", "Normalized Score", "draft", runner, limit,
                    positive="impolite", negative="polite")
        if (path := have(RECEPTIVE)):
            ev.sections["receptive"] = eval_graded("Receptiveness (receptive_train)", path, "text", "receptive",
                                                   "draft", runner, limit, positive="unreceptive",
                                                   negative="receptive")
        for name, rel in OFFERS.items():
            if (path := have(rel)):
                ev.sections[f"offers:{name}"] = eval_offers(name, path, runner, limit)
        if (path := have(MTS)):
            ev.sections["mts"] = eval_mts(path, runner, limit)
        if (path := have(GITHUB)):
            ev.sections["github"] = eval_github(path, runner, limit)
    for prefix, files in LABELLED:
        for mode, fname in files.items():
            path = dev_dir / fname
            if path.is_file():
                ev.sections[f"{prefix}:{mode}"] = eval_dev(mode, path, runner, limit)
            else:
                note(f"{prefix} set {{}} not found; skipped", path)
    if rules_only is not None:   # the same unseen sets with the lexicon rules alone
        alone = Runner(rules_only, progress)
        for prefix, files in LABELLED:
            for mode, fname in files.items():
                if prefix in UNSEEN and (dev_dir / fname).is_file():
                    ev.sections[f"rules-only:{prefix}:{mode}"] = eval_dev(mode, dev_dir / fname, alone, limit)
        runner.analysed += alone.analysed
    ev.seconds = time.perf_counter() - t0
    ev.analysed = runner.analysed
    return ev


# =========================================================================================
# Rendering
# =========================================================================================
def _f(x, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{digits}f}"


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _cell(s, width: int | None = None) -> str:
    s = " ".join(str(s).split())
    if width and len(s) > width:
        s = s[: width - 1] + "…"
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _rel(path: Path) -> str:
    """A path relative to the repository when it is inside it or beside it, else absolute."""
    path = Path(path).resolve()
    try:
        rel = os.path.relpath(path, repo_root())
    except ValueError:
        return str(path)
    return str(path) if rel.startswith(os.pardir + os.sep + os.pardir) else rel


def _marked(text: str, start: int, end: int, width: int = 400) -> str:
    """The text as one table cell, the flagged span between ⟦ ⟧, trimmed around the span if long."""
    a, b = _cell(text[:start]), _cell(text[start:end])
    c = _cell(text[end:])
    room = max(40, (width - len(b)) // 2)
    if len(a) > room:
        a = "…" + a[-room:]
    if len(c) > room:
        c = c[:room] + "…"
    return f"{a} ⟦{b}⟧ {c}".strip()


def _provenance(lines: list[str], ev: Evaluation, s: dict):
    bits = [f"source `{_rel(s['path'])}`", f"{s['mode']} mode", f"rows read {s['rows']:,}",
            f"analysed {s['analysed']:,}"]
    if s["empty"]:
        bits.append(f"skipped {s['empty']:,} empty" + (f" ({s['emptied']:,} of them held only code)"
                                                        if s.get("emptied") else ""))
    if s["unlabelled"]:
        bits.append(f"skipped {s['unlabelled']:,} unlabelled/malformed")
    if s["truncated"]:
        bits.append(f"{s['truncated']:,} truncated to {MAX_CHARS:,} characters")
    if s["errors"]:
        bits.append(f"{s['errors']:,} rejected by the analyser (e.g. {_cell(s['error_examples'][0], 120)})")
    lines.append(f"_{'; '.join(bits)}. Command: `{ev.command}`._")
    lines.append("")


def _metrics_table(lines: list[str], m: dict, positive: str):
    lines.append(f"| rule (positive class: {positive}) | n | accuracy | precision | recall | TP | FP | FN | TN |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    names = {"flags": "(a) ≥1 concern flag", "tone": f"(b) collaboration < {TONE_T}",
             "combined": f"(c) ≥1 concern flag or collaboration < {TONE_T}"}
    for key, label in names.items():
        if key in m:
            x = m[key]
            lines.append(f"| {label} | {x['n']:,} | {_f(x['accuracy'])} | {_f(x['precision'])} | "
                         f"{_f(x['recall'])} | {x['tp']:,} | {x['fp']:,} | {x['fn']:,} | {x['tn']:,} |")
    lines.append("")


def _rules_line(lines: list[str], title: str, rules: list[tuple[str, int]]):
    if rules:
        lines.append(f"{title}: " + ", ".join(f"`{r}` ×{n}" for r, n in rules))
        lines.append("")


def _render_graded(lines, ev, s, heading, ref: str = ""):
    lines.append(heading)
    lines.append("")
    _provenance(lines, ev, s)
    lines.append(f"Bottom quartile ({s['positive']}, score ≤ {_f(s['cut_low'])}): n = {s['n_low']:,}; "
                 f"top quartile ({s['negative']}, score ≥ {_f(s['cut_high'])}): n = {s['n_high']:,}; "
                 "middle half dropped.")
    lines.append("")
    _metrics_table(lines, s["metrics"], s["positive"])
    lines.append(f"- Spearman ρ of `collaboration` with the human score, all {s['analysed']:,} rows: "
                 f"**{_f(s['spearman'])}**")
    lines.append(f"- Mean collaboration: {s['positive']} quartile {_f(s['mean_collab_low'], 1)}, "
                 f"{s['negative']} quartile {_f(s['mean_collab_high'], 1)}")
    t, acc = s["best"]
    lines.append(f"- Diagnostic, tuned on the test set, for information only: the best tone threshold "
                 f"(predict {s['positive']} when collaboration < T) is T = {_f(t, 0) if t is not None else 'n/a'}, "
                 f"accuracy {_f(acc)}")
    if ref:
        lines.append(f"- {ref}")
    lines.append("")
    _rules_line(lines, f"Most frequent concern rules on the {s['negative']} quartile (false alarms)", s["rules_high"])
    _rules_line(lines, f"Most frequent concern rules on the {s['positive']} quartile", s["rules_low"])


def render_markdown(ev: Evaluation) -> str:
    L: list[str] = []
    L.append("# rehearse quality report")
    L.append("")
    L.append("_Generated by `rehearse eval` (`make eval`); do not edit by hand: rerun the command._")
    L.append("")
    L.append(f"- Date: {ev.started.strftime('%Y-%m-%d %H:%M %Z').strip()}")
    L.append(f"- rehearse version: {ev.version}")
    L.append(f"- spaCy pipeline: {ev.pipeline}")
    L.append(f"- Command: `{ev.command}`")
    L.append(f"- Benchmarks: `{_rel(ev.benchmarks)}`" + ("" if ev.benchmarks_found else " (**not found**)"))
    L.append(f"- Limit: {'first ' + format(ev.limit, ',') + ' rows per set (a quick run, not the full data)' if ev.limit else 'none (all rows)'}")
    L.append(f"- Texts analysed: {ev.analysed:,} in {ev.seconds:.1f} s")
    L.append("")
    L.append("Conventions: a text is *flagged* when it has at least one `concern` flag. Texts longer than "
             f"{MAX_CHARS:,} characters are truncated to their first {MAX_CHARS:,} for analysis; empty texts "
             "are skipped and counted. Precision/recall treat the rude / unreceptive / uncivil / concern "
             "class as positive. Spearman ρ is Pearson's r on average ranks. Quartile cut-offs use linear "
             "interpolation; ties at a cut-off go with their quartile. The data is read in place and never "
             "copied into the repository (recipes: `../shared/benchmarks/README.md`).")
    L.append("")
    if ev.notes:
        L.append("Notes from this run:")
        L.append("")
        for n in ev.notes:
            L.append(f"- {_cell(n)}")
        L.append("")

    L.append("## Summary")
    L.append("")
    L.append("| set | n | headline |")
    L.append("|---|---:|---|")
    for line in summary_rows(ev):
        L.append(f"| {line[0]} | {line[1]} | {line[2]} |")
    L.append("")

    L.append("## 1. Stanford politeness (draft mode)")
    L.append("")
    refs = {"Wikipedia": "Published reference (same split): SVM about 0.84, human agreement about 0.87.",
            "Stack Exchange": "Published reference (same split): SVM about 0.78, human agreement about 0.81."}
    any_s = False
    for name in STANFORD:
        s = ev.sections.get(f"stanford:{name}")
        if s:
            any_s = True
            _render_graded(L, ev, s, f"### {name}", refs[name])
    if not any_s:
        L.append("_Not run: data not found._")
        L.append("")

    L.append("## 2. Receptiveness (draft mode)")
    L.append("")
    s = ev.sections.get("receptive")
    if s:
        _render_graded(L, ev, s, "### receptive_train.csv")
    offers = [ev.sections.get(f"offers:{n}") for n in OFFERS]
    if any(offers):
        L.append("### Negotiation offers: tough (condition 0) vs warm (condition 1)")
        L.append("")
        L.append("Firm is not rude: tough offers should rarely get concern flags.")
        L.append("")
        for s in offers:
            if s:
                _provenance(L, ev, s)
        L.append("| set | condition | n | flagged | concern-flag rate | mean collaboration |")
        L.append("|---|---|---:|---:|---:|---:|")
        for s in offers:
            if s:
                for label, c in s["conditions"].items():
                    L.append(f"| {s['name']} | {label} | {c['n']:,} | {c['flagged']:,} | {_pct(c['rate'])} | "
                             f"{_f(c['collab'], 1)} |")
        L.append("")
        for s in offers:
            if s:
                _rules_line(L, f"Concern rules on tough {s['name']}", s["conditions"]["tough"]["rules"])
    if not s and not any(offers):
        L.append("_Not run: data not found._")
        L.append("")

    L.append("## 3. MTS-Dialog doctor turns (reply mode, false-positive control)")
    L.append("")
    s = ev.sections.get("mts")
    if s:
        _provenance(L, ev, s)
        L.append("Only turns with `speaker` = `Doctor` are read (a limit counts doctor turns).")
        L.append("")
        ok = s["rate"] is not None and s["rate"] < 0.01
        L.append(f"Concern-flag rate: **{_pct(s['rate'])}** ({s['flagged']:,} of {s['n']:,} turns); target under "
                 f"1%: {'met' if ok else 'NOT met'}.")
        L.append("")
        _rules_line(L, "Rules", s["rules"])
        listing = s["listing"]
        if listing:
            L.append(f"Every flagged turn, for human review (one row per concern flag; the span is in ⟦ ⟧; "
                     f"{len(listing):,} rows):")
            L.append("")
            L.append("| # | turn (set/ID/turn) | rule | span | text |")
            L.append("|---:|---|---|---|---|")
            for i, (where, text, f) in enumerate(listing[:MAX_LISTED], 1):
                L.append(f"| {i} | {where} | `{f['rule']}` | {_cell(f['text'])} | "
                         f"{_marked(text, f['start'], f['end'])} |")
            if len(listing) > MAX_LISTED:
                L.append("")
                L.append(f"_{len(listing) - MAX_LISTED:,} more rows left out (listing capped at {MAX_LISTED})._")
            L.append("")
        else:
            L.append("No doctor turn was flagged.")
            L.append("")
    else:
        L.append("_Not run: data not found._")
        L.append("")

    L.append("## 4. GitHub incivility (draft mode, code stripped)")
    L.append("")
    s = ev.sections.get("github")
    if s:
        _provenance(L, ev, s)
        L.append(f"Civil (`tbdf` = `None`): n = {s['n_civil']:,}; uncivil (any other `tbdf`): "
                 f"n = {s['n_uncivil']:,}. Fenced code blocks and inline code are removed before analysis.")
        L.append("")
        _metrics_table(L, s["metrics"], "uncivil")
        L.append("Recall per incivility type (spellings differing only in case or plural are merged):")
        L.append("")
        L.append("| type | n | recall, ≥1 concern flag | recall, combined rule |")
        L.append("|---|---:|---:|---:|")
        for t in s["per_type"]:
            L.append(f"| {_cell(t['type'])} | {t['n']:,} | {_f(t['flags'])} | {_f(t['combined'])} |")
        L.append("")
        _rules_line(L, "Most frequent concern rules on civil comments (false alarms)", s["rules_civil"])
        _rules_line(L, "Most frequent concern rules on uncivil comments", s["rules_uncivil"])
    else:
        L.append("_Not run: data not found._")
        L.append("")

    L.append("## 5. Development sets (`tests/data/dev_*.jsonl`)")
    L.append("")
    L.append("Predicted *concern* when the text has at least one concern flag. These sets were written "
             "for this project, so they show what to fix, not how well it generalises.")
    L.append("")
    _render_labelled(L, ev, "dev", DEV, list_missed=True)
    L.append("## 6. Held-out sets (`tests/data/holdout_*.jsonl`)")
    L.append("")
    L.append("Written after the rules by someone who never saw them (red flags in other words, and their "
             "negated, quoted, first-person and word-sense twins). Reported as numbers only: the sentences "
             "are never listed here, so that no rule is tuned to them. (Once, in session 2, the draft set's "
             "missed lines were printed by mistake while the draft lexicons were being widened; no change "
             "was made from them, but treat the sealed set b in section 7 as the blind measure.)")
    L.append("")
    _render_labelled(L, ev, "holdout", HOLDOUT, list_missed=False)
    L.append("## 7. Second independent pair (`tests/data/fresh_a_*.jsonl`, `fresh_b_*.jsonl`)")
    L.append("")
    L.append("200 sentences per mode in each set (half concern, half clean, most clean lines traps), "
             "written from the seeds and field notes by someone who read neither the rules nor the other "
             "sets. Set a was then used to widen the lexicons, so it now shows what was fixed; set b is "
             "sealed (numbers only) and is the honest measure of how the rules generalise.")
    L.append("")
    L.append("**Set a (tuned against).**")
    L.append("")
    _render_labelled(L, ev, "fresh-a", FRESH_A, list_missed=False)
    L.append("**Set b (sealed).**")
    L.append("")
    _render_labelled(L, ev, "fresh-b", FRESH_B, list_missed=False)
    L.append("**Set c (sealed, session 3).** Written the same way after the sentence model was designed, "
             "never read and never trained on.")
    L.append("")
    _render_labelled(L, ev, "fresh-c", FRESH_C, list_missed=False)
    _render_ablation(L, ev)
    return "\n".join(L).rstrip() + "\n"


def _render_ablation(L: list[str], ev: Evaluation) -> None:
    rows = [(prefix, mode) for prefix, files in LABELLED if prefix in UNSEEN for mode in files
            if f"rules-only:{prefix}:{mode}" in ev.sections and f"{prefix}:{mode}" in ev.sections]
    if not rows:
        return
    L.append("## 8. What the sentence model adds (sets it never trained on)")
    L.append("")
    L.append("The lexicon rules alone, then the rules with the sentence model (`rehearse/classifier.py`) "
             "proposing candidates in the sentences the rules say nothing about. Both pass the same "
             "parse-based context checks.")
    L.append("")
    L.append("| set | mode | n | rules alone: acc / P / R | rules + model: acc / P / R |")
    L.append("|---|---|---:|---|---|")
    for prefix, mode in rows:
        a = ev.sections[f"rules-only:{prefix}:{mode}"]["metrics"]
        b = ev.sections[f"{prefix}:{mode}"]["metrics"]
        L.append(f"| {prefix} | {mode} | {b['n']} | {_f(a['accuracy'])} / {_f(a['precision'])} / {_f(a['recall'])} "
                 f"| **{_f(b['accuracy'])}** / {_f(b['precision'])} / {_f(b['recall'])} |")
    L.append("")


def _render_labelled(L: list[str], ev: Evaluation, prefix: str, files: dict, list_missed: bool) -> None:
    for mode in files:
        s = ev.sections.get(f"{prefix}:{mode}")
        L.append(f"### {mode} mode")
        L.append("")
        if not s:
            L.append(f"_Skipped: `{files[mode]}` not found._")
            L.append("")
            continue
        _provenance(L, ev, s)
        for prob in s["problems"][:10]:
            L.append(f"- malformed: {_cell(prob)}")
        if s["problems"]:
            L.append("")
        m = s["metrics"]
        L.append(f"n = {m['n']:,}: accuracy **{_f(m['accuracy'])}**, precision {_f(m['precision'])}, "
                 f"recall {_f(m['recall'])} (TP {m['tp']:,}, FP {m['fp']:,}, FN {m['fn']:,}, TN {m['tn']:,})")
        L.append("")
        L.append("| kind | n | labels | accuracy |")
        L.append("|---|---:|---|---:|")
        for kind, n, right, labels in s["kinds"]:
            lab = ", ".join(f"{k} {v}" for k, v in sorted(labels.items()))
            L.append(f"| {_cell(kind)} | {n} | {lab} | {_f(right / n)} |")
        L.append("")
        missed = s["missed"]
        if not list_missed:
            L.append(f"Misclassified: {len(missed)} (not listed).")
            L.append("")
            continue
        L.append(f"Misclassified ({len(missed)}):")
        L.append("")
        if missed:
            L.append("| line | label | kind | text | concern flags / suppressed matches |")
            L.append("|---:|---|---|---|---|")
            for text, meta, o in missed[:MAX_LISTED]:
                why = "; ".join(f"flag `{f['rule']}` on “{_cell(f['text'], 80)}”" for f in o.concerns)
                sup = "; ".join(f"suppressed `{x['rule']}` on “{_cell(x['text'], 80)}” ({_cell(', '.join(x['reasons']))})"
                                for x in o.suppressed)
                detail = "; ".join(p for p in (why, sup) if p) or "no match"
                L.append(f"| {meta['line']} | {meta['label']} | {_cell(meta['kind'])} | {_cell(text, 300)} | {detail} |")
            if len(missed) > MAX_LISTED:
                L.append("")
                L.append(f"_{len(missed) - MAX_LISTED:,} more left out (listing capped at {MAX_LISTED})._")
        else:
            L.append("_None._")
        L.append("")


def summary_rows(ev: Evaluation) -> list[tuple[str, str, str]]:
    rows = []
    for name in STANFORD:
        s = ev.sections.get(f"stanford:{name}")
        if s:
            c = s["metrics"]["combined"]
            rows.append((f"Stanford {name}", f"{c['n']:,}",
                         f"combined acc {_f(c['accuracy'])} P {_f(c['precision'])} R {_f(c['recall'])}; "
                         f"flags-only R {_f(s['metrics']['flags']['recall'])}; ρ {_f(s['spearman'])}"))
    s = ev.sections.get("receptive")
    if s:
        c = s["metrics"]["combined"]
        rows.append(("Receptiveness", f"{c['n']:,}",
                     f"combined acc {_f(c['accuracy'])} P {_f(c['precision'])} R {_f(c['recall'])}; "
                     f"ρ {_f(s['spearman'])}"))
    for n in OFFERS:
        s = ev.sections.get(f"offers:{n}")
        if s:
            t, w = s["conditions"]["tough"], s["conditions"]["warm"]
            rows.append((n.capitalize(), f"{t['n'] + w['n']:,}",
                         f"flag rate tough {_pct(t['rate'])} / warm {_pct(w['rate'])}; "
                         f"collaboration {_f(t['collab'], 1)} / {_f(w['collab'], 1)}"))
    s = ev.sections.get("mts")
    if s:
        rows.append(("MTS-Dialog doctor turns", f"{s['n']:,}",
                     f"concern-flag rate {_pct(s['rate'])} ({s['flagged']} turns; target < 1%)"))
    s = ev.sections.get("github")
    if s:
        c = s["metrics"]["combined"]
        rows.append(("GitHub incivility", f"{c['n']:,}",
                     f"combined acc {_f(c['accuracy'])} P {_f(c['precision'])} R {_f(c['recall'])}"))
    for prefix, mode in [(prefix, m) for prefix, files in LABELLED for m in files]:
        s = ev.sections.get(f"{prefix}:{mode}")
        if s:
            m = s["metrics"]
            rows.append((f"{prefix} {mode}", f"{m['n']:,}",
                         f"acc {_f(m['accuracy'])} P {_f(m['precision'])} R {_f(m['recall'])}; "
                         f"{len(s['missed'])} misclassified"))
    return rows


def render_summary(ev: Evaluation, out: Path | None) -> str:
    lines = [f"rehearse {ev.version} eval, pipeline {ev.pipeline}"
             + (f", first {ev.limit} rows per set" if ev.limit else "")]
    rows = summary_rows(ev)
    w = max((len(r[0]) for r in rows), default=0)
    for name, n, head in rows:
        lines.append(f"  {name:<{w}}  n={n:<7} {head}")
    if not rows:
        lines.append("  (nothing evaluated)")
    for note in ev.notes:
        lines.append(f"  note: {note}")
    lines.append(f"{ev.analysed:,} texts in {ev.seconds:.1f} s" + (f"; report: {out}" if out else ""))
    return "\n".join(lines) + "\n"


def write_report(ev: Evaluation, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(render_markdown(ev), encoding="utf-8")
    os.replace(tmp, out)


def cli(args, argv: Sequence[str] | None = None) -> int:
    """`rehearse eval` (called from cli.main with parsed args): run, write the report, print a summary."""
    raw = list(sys.argv[1:] if argv is None else argv)
    command = "rehearse " + shlex.join(raw) if raw else "rehearse eval"
    out = Path(args.out) if args.out else repo_root() / "docs" / "quality.md"
    ev = run(benchmarks=Path(args.benchmarks) if args.benchmarks else None, limit=args.limit, command=command)
    try:
        write_report(ev, out)
    except OSError as exc:
        print(f"rehearse: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render_summary(ev, out))
    return 0
