"""Train the sentence model (rehearse/classifier.py): `make model`, or `python -m rehearse.training`.

Training data, per mode:
  - every lexicon example: a concern entry's `flag` examples are its family; its `pass` examples
    and every strength example are `none`;
  - the labelled sentences in `lexicons/training/*.jsonl` and the tuned sets `tests/data/dev_*`
    and `tests/data/fresh_a_*` (concern lines are their kind's family, mapped through
    `lexicons/categories.yaml`; clean lines are `none`).
Never trained on: `tests/data/holdout_*`, `fresh_b_*`, `fresh_c_*` (sealed measures) or anything in
`../shared/benchmarks`.

A multinomial logistic regression (scikit-learn, only needed here: the app reads the weights
with NumPy). The threshold is chosen on 5-fold out-of-fold predictions: the lowest at which the
model alone keeps its precision on `concern` at or above PRECISION_TARGET.

Writes `lexicons/model/<mode>.json` with the weights, the threshold, the cross-validated scores
and a hash of the training data and features, which `tests/test_classifier.py` compares with the
data in the tree (edit a lexicon example or a training line, then run `make model`).
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path

from .classifier import features
from .evaluate import read_dev
from .resources import data_dir

FEATURES_VERSION = 1
PRECISION_TARGET = 0.93
C = 30.0          # weak regularisation: with ~6,000 sentences a mode, more did no better in cross-validation
THRESHOLD_FLOOR = 0.5   # never flag a family the model finds less likely than not
MODES = ("draft", "reply")


def _labelled(path: Path, problems: list[str]) -> list[tuple[str, dict]]:
    """A labelled JSON Lines file, read as `make eval` reads it; malformed lines join `problems`."""
    items, bad = read_dev(path, None)
    problems.extend(f"{path.name}: {b}" for b in bad)
    return items


def family_of(categories: dict, mode: str) -> dict[str, str]:
    """Kind or lexicon category name -> family, for one mode."""
    out = {}
    for fam, spec in categories[mode].items():
        out[fam] = fam
        for k in spec.get("kinds", ()):
            out[k] = fam
    return out


SEALED = ("holdout", "fresh_b", "fresh_c")


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def sealed_texts(root: Path, mode: str) -> set[str]:
    """The sealed sets' sentences (compared, never read by a person): different authors sometimes
    write the very same short sentence, and a sealed line must not be trained on, even by chance."""
    out: set[str] = set()
    for name in SEALED:
        path = root / "tests" / "data" / f"{name}_{mode}.jsonl"
        if path.exists():
            out.update(_key(text) for text, _ in read_dev(path, None)[0])
    return out


def training_rows(analyzer, mode: str, root: Path | None = None) -> list[tuple[str, str]]:
    """(text, family or 'none') pairs, deduplicated, in a stable order; no sealed sentence among them."""
    lex = data_dir("lexicons")
    root = root or lex.parent
    fams = family_of(analyzer.categories, mode)
    rows: dict[str, str] = {}
    problems = []
    for e in analyzer.lexicon.for_mode(mode):
        if e.polarity == "concern":
            fam = fams.get(e.category)
            if fam is None:
                problems.append(f"lexicon category {e.category!r} ({e.id}) has no family in categories.yaml")
                continue
            for t in e.flag_examples:
                rows.setdefault(t, fam)
            for t in e.pass_examples:
                rows.setdefault(t, "none")
        else:
            for t in (*e.flag_examples, *e.pass_examples):
                rows.setdefault(t, "none")
    files = sorted((lex / "training").glob(f"*{mode}*.jsonl"))
    tests = root / "tests" / "data"
    files += [p for p in (tests / f"dev_{mode}.jsonl", tests / f"fresh_a_{mode}.jsonl") if p.exists()]
    for path in files:
        for text, meta in _labelled(path, problems):
            if meta["label"] == "concern":
                fam = fams.get(meta["kind"])
                if fam is None:
                    problems.append(f"{path.name}: kind {meta['kind']!r} has no family in categories.yaml")
                    continue
                rows[text] = fam   # a labelled line wins over a lexicon example
            else:
                rows[text] = "none"
    if problems:
        raise ValueError("training data: " + "; ".join(sorted(set(problems))[:10]))
    sealed = sealed_texts(root, mode)
    return sorted((t, f) for t, f in rows.items() if _key(t) not in sealed)


def data_hash(rows: list[tuple[str, str]], concepts_text: str) -> str:
    h = hashlib.sha256(f"features-v{FEATURES_VERSION}\n".encode())
    h.update(concepts_text.encode())
    for text, fam in rows:
        h.update(f"{fam}\t{text}\n".encode())
    return h.hexdigest()[:16]


def featurise(analyzer, texts: list[str]) -> list[list[str]]:
    out = []
    for text in texts:
        doc = analyzer.nlp.make_doc(text)
        out.append(features(doc, analyzer.concepts)[0])
    return out


def train(analyzer, mode: str, seed: int = 0) -> dict:
    import numpy
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    rows = training_rows(analyzer, mode)
    texts = [t for t, _ in rows]
    labels = [f for _, f in rows]
    feats = featurise(analyzer, texts)
    vec = DictVectorizer()
    X = vec.fit_transform([{f: 1.0 for f in fs} for fs in feats])
    X.data[:] = 1.0
    # normalise by sentence length so long sentences don't dominate: l2 on binary features
    import scipy.sparse as sp
    norms = numpy.sqrt(numpy.asarray(X.multiply(X).sum(axis=1)).ravel()) + 1e-9
    X = sp.diags(1.0 / norms) @ X
    y = numpy.array(labels)
    model = LogisticRegression(C=C, max_iter=3000)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    oof = cross_val_predict(model, X, y, cv=folds, method="predict_proba")
    model.fit(X, y)
    classes = list(model.classes_)
    none = classes.index("none")
    masked = oof.copy()
    masked[:, none] = -1
    best_p = masked.max(axis=1)
    gold = y != "none"
    chosen, report = None, []
    for th in [x / 100 for x in range(20, 96)]:
        pred = best_p >= th
        tp = int((pred & gold).sum())
        fp = int((pred & ~gold).sum())
        fn = int((~pred & gold).sum())
        prec = tp / max(1, tp + fp)
        rec = tp / max(1, tp + fn)
        report.append((th, prec, rec))
        if chosen is None and prec >= PRECISION_TARGET:
            chosen = (th, prec, rec, (tp + int((~pred & ~gold).sum())) / len(y))
    if chosen is None:
        chosen = (0.95, *report[-1][1:], float("nan"))
    th, prec, rec, acc = chosen
    if th < THRESHOLD_FLOOR:
        th = THRESHOLD_FLOOR
        pred = best_p >= th
        prec = float((pred & gold).sum() / max(1, pred.sum()))
        rec = float((pred & gold).sum() / max(1, gold.sum()))
        acc = float((pred == gold).mean())
    # weights: the row norm is per sentence, so the app must normalise the same way (see classifier)
    coef = model.coef_.T   # features x classes
    names = vec.get_feature_names_out()
    keep = numpy.abs(coef).max(axis=1) >= 0.02
    # weights as little-endian float16, base64 (a sixth of the JSON-number size; loads in milliseconds)
    kept = numpy.ascontiguousarray(coef[keep], dtype="<f2")
    concepts_text = (data_dir("lexicons") / "concepts.yaml").read_text(encoding="utf-8")
    return {
        "mode": mode,
        "about": "Sentence model for rehearse; generated by `make model` (rehearse/training.py). Do not edit.",
        "classes": classes,
        "threshold": th,
        "normalise": "l2",
        "bias": [round(float(b), 4) for b in model.intercept_],
        "cross_validated": {"threshold": th, "precision": round(prec, 3), "recall": round(rec, 3),
                            "accuracy": round(acc, 3), "sentences": len(rows),
                            "concern": int(gold.sum()), "none": int((~gold).sum())},
        "data_hash": data_hash(rows, concepts_text),
        "features": [str(n) for n in names[keep]],
        "weights_f16": base64.b64encode(kept.tobytes()).decode("ascii"),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=MODES, action="append")
    args = ap.parse_args(argv)
    from .engine import Analyzer
    analyzer = Analyzer(use_model=False)   # the model being replaced is neither needed nor trusted
    out_dir = data_dir("lexicons") / "model"
    out_dir.mkdir(exist_ok=True)
    for mode in args.mode or MODES:
        data = train(analyzer, mode)
        path = out_dir / f"{mode}.json"
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        cv = data["cross_validated"]
        print(f"{mode}: {cv['sentences']} sentences ({cv['concern']} concern), {len(data['features'])} features; "
              f"threshold {data['threshold']:.2f}: cross-validated precision {cv['precision']:.3f}, "
              f"recall {cv['recall']:.3f} -> {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
