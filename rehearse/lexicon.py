"""Load and validate the curated lexicons (YAML) into immutable entries.

One YAML file holds a family of entries under `entries:`; sources live in `sources.yaml`.
Every problem is reported with the file and entry it belongs to, and all problems at once.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

MODES = ("draft", "reply")
POLARITIES = ("concern", "strength")
SEVERITIES = ("high", "medium", "low")
SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}
CUES = ("negated", "reported", "hypothetical", "question", "historical", "quoted")
REWRITES = ("ask", "i-demand", "accusation", "shouting")

# What suppresses a flag when an entry says nothing (see lexicons/README.md).
DEFAULT_SUPPRESSORS = {
    ("reply", "concern"): ("negated", "reported", "hypothetical", "question", "historical", "quoted"),
    ("draft", "concern"): ("negated", "reported", "hypothetical", "question", "quoted"),
    ("reply", "strength"): ("negated", "reported", "quoted"),
    ("draft", "strength"): ("negated", "reported", "quoted"),
}

REQUIRED = ("id", "mode", "polarity", "category", "severity", "patterns", "message",
            "explanation", "suggestions", "sources", "examples")
OPTIONAL = ("context", "rewrite", "when_negated", "notes")
CONTEXT_KEYS = ("allow", "subject", "unless_sentence_has")
SUBJECTS = ("first", "second", "third", "not-first")

# Token attributes available before parsing (the cheap pass runs on the tokenizer's output).
TOKEN_KEYS = {"ORTH", "TEXT", "LOWER", "NORM", "LEMMA", "LENGTH", "IS_ALPHA", "IS_ASCII",
              "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE",
              "IS_STOP", "LIKE_NUM", "SHAPE", "OP", "IS_SENT_START"}
PARSE_KEYS = {"POS", "TAG", "DEP", "MORPH", "ENT_TYPE", "ENT_IOB", "HEAD"}
APOLOGY = re.compile(r"\b(sorry|apologi[sz]e|apologies|bother(ing)? you|i'?m (just|only) a patient"
                     r"|i know i'?m not a doctor|forgive me)\b", re.I)
ID_RE = re.compile(r"^(draft|reply)\.[a-z0-9]+(-[a-z0-9]+)*$")
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")   # ids in the other data files: "two-week-taper"


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when present (fast)
    """YAML 1.2 booleans: only true/false. Word lists hold `yes`, `no`, `on`, `off` as words."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


class LexiconError(ValueError):
    """A lexicon file is invalid; the message lists every problem with file and entry."""


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str
    citation: str
    kind: str
    why: str
    print: str = ""

    def as_ref(self) -> dict:
        return {"id": self.id, "title": self.title, "url": self.url}


@dataclass(frozen=True)
class Entry:
    id: str
    mode: str
    polarity: str
    category: str
    severity: str
    patterns: tuple  # each a str (phrase) or a tuple of token dicts
    message: str
    explanation: str
    suggestions: tuple[str, ...]
    sources: tuple[Source, ...]
    flag_examples: tuple[str, ...]
    pass_examples: tuple[str, ...]
    suppressors: frozenset[str]
    subject: str | None = None
    rewrite: str | None = None
    when_negated: str | None = None
    unless_sentence_has: frozenset[str] = frozenset()   # NORMs: any of them in the sentence cancels it
    file: str = ""


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[Entry, ...]
    sources: dict = field(default_factory=dict)

    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    def for_mode(self, mode: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.mode == mode)


def load_sources(path: Path) -> dict[str, Source]:
    data = _read_yaml(path)
    problems, sources = [], {}
    if not isinstance(data, dict):
        raise LexiconError(f"{path.name}: expected a mapping of source id -> fields")
    for sid, fields in data.items():
        where = f"{path.name}: source {sid!r}"
        if not isinstance(fields, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        unknown = set(fields) - {"title", "url", "citation", "kind", "why", "print"}
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("title", "url", "citation", "kind", "why"):
            if not isinstance(fields.get(key), str) or not fields[key].strip():
                problems.append(f"{where}: {key!r} must be a non-empty string")
        if isinstance(fields.get("url"), str) and not fields["url"].startswith("https://"):
            problems.append(f"{where}: url must start with https://")
        if not problems:
            sources[sid] = Source(id=sid, **{k: str(v) for k, v in fields.items()})
    if problems:
        raise LexiconError("\n".join(problems))
    return sources


def load_lexicon(folder: Path, expand_lemma: Callable[[str], Iterable[str]] | None = None,
                 normalise: Callable[[str], str] | None = None) -> Lexicon:
    """Load every `*.yaml` in `folder`'s `draft/` and `reply/` folders and validate it.

    Other data beside them (medicines, story vocabulary, questions, scenarios) has its own loader.

    `expand_lemma` gives a lemma's forms; `normalise` maps a word to spaCy's NORM (British to
    American spelling, for instance), so that word lists meet the text on the same footing.
    """
    folder = Path(folder)
    sources = load_sources(folder / "sources.yaml")
    norm = lru_cache(maxsize=None)(normalise or (lambda word: word))
    base = expand_lemma or (lambda lemma: {lemma.lower()})

    @lru_cache(maxsize=None)
    def expand(lemma):
        return frozenset(n for form in base(lemma) for n in (form, norm(form)))
    problems: list[str] = []
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for path in sorted(p for mode in ("draft", "reply") for p in (folder / mode).rglob("*.yaml")):
        if path.name.startswith("_"):
            continue
        rel = str(path.relative_to(folder))
        try:
            data = _read_yaml(path)
        except LexiconError as exc:
            problems.append(str(exc))
            continue
        if not isinstance(data, dict) or set(data) != {"entries"} or not isinstance(data["entries"], list):
            problems.append(f"{rel}: expected a top-level `entries:` list and nothing else")
            continue
        for n, raw in enumerate(data["entries"], 1):
            label = raw.get("id", f"#{n}") if isinstance(raw, dict) else f"#{n}"
            where = f"{rel}: entry {label!r}"
            entry, errs = _build_entry(raw, where, rel, sources, expand, norm)
            problems.extend(errs)
            if entry is not None:
                if entry.id in seen:
                    problems.append(f"{where}: duplicate id (also in {seen[entry.id]})")
                seen[entry.id] = rel
                entries.append(entry)
    ids = {e.id: e for e in entries}
    for e in entries:
        if e.when_negated:
            target = ids.get(e.when_negated)
            if target is None:
                problems.append(f"{e.file}: entry {e.id!r}: when_negated names unknown entry {e.when_negated!r}")
            elif target.mode != e.mode:
                problems.append(f"{e.file}: entry {e.id!r}: when_negated target {target.id!r} is another mode")
    if problems:
        raise LexiconError(f"{len(problems)} problem(s) in {folder}:\n" + "\n".join(problems))
    return Lexicon(entries=tuple(entries), sources=sources)


def read_yaml(path: Path) -> Any:
    """Read one data file with rehearse's strict loader (YAML 1.2 booleans); errors name the file."""
    return _read_yaml(path)


def _read_yaml(path: Path) -> Any:
    try:
        raw = Path(path).read_bytes()
        key = hashlib.sha256(_CACHE_SALT + raw).hexdigest()
        cached = _cache_get(path, key)
        if cached is not None:
            return cached
        data = yaml.load(raw.decode("utf-8"), Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LexiconError(f"{Path(path).name}: cannot read: {exc}") from None
    _cache_put(path, key, data)
    return data


# ---- a cache of parsed YAML ------------------------------------------------------------------
# PyYAML builds Python objects in Python, even with libyaml's parser: the lexicons took about a
# second of every cold start. The parsed data (plain JSON types) is kept per file in the user's
# cache folder, keyed by a hash of the file's bytes, so an edited file is always read afresh.
# Only data is cached (JSON, never pickle), and any problem with the cache just means a normal read.
_CACHE_SALT = b"rehearse-yaml-1.2-v1\0"


def _cache_dir() -> Path | None:
    configured = os.environ.get("REHEARSE_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured.strip() else None  # set but empty: no cache
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rehearse" / "yaml"


def _cache_file(path: Path) -> Path | None:
    folder = _cache_dir()
    if folder is None:
        return None
    name = hashlib.sha256(str(Path(path).resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return folder / f"{name}.json"


def _cache_get(path: Path, key: str) -> Any:
    try:
        target = _cache_file(path)
        if target is None:
            return None
        with open(target, encoding="utf-8") as fh:
            stored = json.load(fh)
        if isinstance(stored, dict) and stored.get("key") == key and "data" in stored:
            return stored["data"]
    except (OSError, ValueError, RecursionError):
        pass
    return None


def _cache_put(path: Path, key: str, data: Any) -> None:
    try:
        target = _cache_file(path)
        if target is None:
            return
        text = json.dumps({"key": key, "data": data}, ensure_ascii=False)
        if json.loads(text)["data"] != data:   # something JSON cannot hold as it is (a date, an int key)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except (OSError, TypeError, ValueError, RecursionError):
        pass


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def key_problems(raw: dict, required, optional, where: str) -> tuple[list[str], bool]:
    """A data mapping's unknown and missing keys, as messages naming `where`; and whether a required
    key is missing (then the mapping cannot be read further). Shared by every data file's loader."""
    errs: list[str] = []
    unknown = set(raw) - set(required) - set(optional)
    if unknown:
        errs.append(f"{where}: unknown keys {sorted(unknown)}")
    missing = [k for k in required if k not in raw]
    if missing:
        errs.append(f"{where}: missing {missing}")
    return errs, bool(missing)


def _build_entry(raw, where, rel, sources, expand, norm) -> tuple[Entry | None, list[str]]:
    if not isinstance(raw, dict):
        return None, [f"{where}: expected a mapping"]
    errs, missing = key_problems(raw, REQUIRED, OPTIONAL, where)
    if missing:
        return None, errs
    eid = raw["id"]
    if not isinstance(eid, str) or not ID_RE.match(eid):
        errs.append(f"{where}: id must look like 'reply.just-stop' (mode, dot, kebab-case)")
    if raw["mode"] not in MODES:
        errs.append(f"{where}: mode must be one of {MODES}")
    elif isinstance(eid, str) and not eid.startswith(raw["mode"] + "."):
        errs.append(f"{where}: id must start with its mode ({raw['mode']}.)")
    if raw["polarity"] not in POLARITIES:
        errs.append(f"{where}: polarity must be one of {POLARITIES}")
    if raw["severity"] not in SEVERITIES:
        errs.append(f"{where}: severity must be one of {SEVERITIES}")
    for key in ("category", "message", "explanation"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            errs.append(f"{where}: {key!r} must be a non-empty string")
    if not _strings(raw["suggestions"]) or not raw["suggestions"]:
        errs.append(f"{where}: suggestions must be a non-empty list of strings")
    else:
        for s in raw["suggestions"]:
            if APOLOGY.search(s):
                errs.append(f"{where}: suggestion pushes an apology or self-effacement: {s!r}")
    src_ids = raw["sources"]
    if not _strings(src_ids) or not src_ids:
        errs.append(f"{where}: sources must be a non-empty list of ids from sources.yaml")
        src_ids = []
    for sid in src_ids:
        if sid not in sources:
            errs.append(f"{where}: unknown source {sid!r} (add it to sources.yaml)")
    examples = raw["examples"]
    if not isinstance(examples, dict) or set(examples) - {"flag", "pass"}:
        errs.append(f"{where}: examples must be a mapping with `flag` and `pass` lists")
        examples = {}
    for kind in ("flag", "pass"):
        if not _strings(examples.get(kind)) or len(examples.get(kind) or []) < 3:
            errs.append(f"{where}: examples.{kind} needs at least 3 sentences")
    patterns = _compile_patterns(raw["patterns"], where, expand, norm, errs)
    ctx = raw.get("context") or {}
    suppressors = set(DEFAULT_SUPPRESSORS.get((raw["mode"], raw["polarity"]), ()))
    subject = None
    unless: list = []
    if not isinstance(ctx, dict) or set(ctx) - set(CONTEXT_KEYS):
        errs.append(f"{where}: context may only hold {CONTEXT_KEYS}")
    else:
        allow = ctx.get("allow", [])
        if not isinstance(allow, list) or set(allow) - set(CUES):
            errs.append(f"{where}: context.allow must list cues from {CUES}")
        else:
            suppressors -= set(allow)
        subject = ctx.get("subject")
        if subject is not None and subject not in SUBJECTS:
            errs.append(f"{where}: context.subject must be one of {SUBJECTS}")
        unless = ctx.get("unless_sentence_has", [])
        if not _strings(unless) and unless != []:
            errs.append(f"{where}: context.unless_sentence_has must be a list of words")
            unless = []
    rewrite = raw.get("rewrite")
    if rewrite is not None and rewrite not in REWRITES:
        errs.append(f"{where}: rewrite must be one of {REWRITES}")
    if rewrite is not None and (raw["mode"], raw["polarity"]) != ("draft", "concern"):
        errs.append(f"{where}: rewrite is only for draft concerns")
    if errs:
        return None, errs
    return Entry(
        id=eid, mode=raw["mode"], polarity=raw["polarity"], category=raw["category"].strip(),
        severity=raw["severity"], patterns=tuple(patterns), message=raw["message"].strip(),
        explanation=" ".join(raw["explanation"].split()),
        suggestions=tuple(s.strip() for s in raw["suggestions"]),
        sources=tuple(sources[s] for s in src_ids),
        flag_examples=tuple(examples["flag"]), pass_examples=tuple(examples["pass"]),
        suppressors=frozenset(suppressors), subject=subject, rewrite=rewrite,
        unless_sentence_has=frozenset(n for w in unless for n in (w.lower(), norm(w.lower()))),
        when_negated=raw.get("when_negated"), file=rel,
    ), []


def _compile_patterns(raw, where, expand, norm, errs) -> list:
    if not isinstance(raw, list) or not raw:
        errs.append(f"{where}: patterns must be a non-empty list")
        return []
    out = []
    for i, pat in enumerate(raw, 1):
        if isinstance(pat, str):
            if not pat.strip():
                errs.append(f"{where}: pattern {i} is empty")
            out.append(pat.strip())
        elif isinstance(pat, list) and pat and all(isinstance(t, dict) for t in pat):
            tokens = []
            for tok in pat:
                bad = set(tok) - TOKEN_KEYS
                if bad & PARSE_KEYS:
                    errs.append(f"{where}: pattern {i} uses {sorted(bad & PARSE_KEYS)}, which needs the "
                                "parse; patterns run before parsing (use context: instead)")
                elif bad:
                    errs.append(f"{where}: pattern {i} has unknown token keys {sorted(bad)}")
                tokens.append(_expand_lemma(tok, expand, norm))
            out.append(tuple(tokens))
        else:
            errs.append(f"{where}: pattern {i} must be a phrase string or a list of token dicts")
    return out


def _expand_lemma(tok: dict, expand, norm=lambda w: w) -> dict:
    """Rewrite LEMMA (unavailable before tagging) as NORM IN all its forms; LOWER becomes NORM."""
    tok = dict(tok)
    if "LEMMA" in tok:
        value = tok.pop("LEMMA")
        lemmas = value["IN"] if isinstance(value, dict) and "IN" in value else [value]
        forms = sorted({f for lemma in lemmas for f in expand(str(lemma))})
        tok["NORM"] = {"IN": forms}
    if "LOWER" in tok and "NORM" not in tok:
        tok["NORM"] = tok.pop("LOWER")
    if "NORM" in tok:
        tok["NORM"] = _norm_value(tok["NORM"], norm)
    return tok


_CONTRACTIONS = {"n't": "not", "'m": "am", "'re": "are", "'ll": "will", "'ve": "have", "ca": "can", "wo": "will"}


def _norm_value(value, norm=lambda w: w):
    """Lowercase (NORM is lowercase), fold contractions as spaCy's NORM does ("n't" -> "not"),
    and add each word's NORM ("cancelled" -> "canceled")."""
    def words(w):
        w = str(w).lower()
        w = _CONTRACTIONS.get(w, w)
        return {w, norm(w)}
    if isinstance(value, str):
        forms = words(value)
        return forms.pop() if len(forms) == 1 else {"IN": sorted(forms)}
    if isinstance(value, dict):
        return {k: (sorted({f for v in vs for f in words(v)}) if isinstance(vs, list) else vs)
                for k, vs in value.items()}
    return value
