"""Benzodiazepines and Z-drugs: names, strengths and diazepam equivalents (`lexicons/medicines.yaml`)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from .lexicon import LexiconError, read_yaml
from .resources import data_dir

CLASSES = {"benzodiazepine", "z-drug"}
HALF_LIVES = {"short", "intermediate", "long"}


@dataclass(frozen=True)
class Medicine:
    name: str                      # generic, lower case
    drug_class: str                # benzodiazepine | z-drug
    brands: tuple[str, ...]
    strengths_mg: tuple[float, ...]
    diazepam_equivalent_mg: float  # dose roughly equal to 10 mg diazepam (Ashton)
    half_life: str
    liquid: str | None = None

    def to_diazepam_mg(self, dose_mg: float) -> float:
        """An approximate diazepam-equivalent dose (Ashton's table; individual responses vary)."""
        return dose_mg * 10.0 / self.diazepam_equivalent_mg


@dataclass(frozen=True)
class Medicines:
    by_name: dict[str, Medicine]
    names: dict[str, str | None]   # any lower-case name, brand or alias -> generic (None: the class)
    source: str
    others: frozenset[str] = frozenset()   # other medicines and treatments: their plans are not a taper

    def lookup(self, word: str) -> Medicine | None:
        generic = self.names.get(word.lower())
        return self.by_name.get(generic) if generic else None

    def other_treatment(self, words: Iterable[str]) -> str | None:
        """The first other medicine or treatment among `words` (as written), if none of them names a
        benzodiazepine, a Z-drug or the class: a plan or advice about it is not about the taper."""
        other = None
        for word in words:
            low = word.lower()
            if low in self.names:
                return None
            if other is None and low in self.others:
                other = word
        return other


def load_medicines(path: Path | None = None) -> Medicines:
    path = Path(path) if path is not None else data_dir("lexicons") / "medicines.yaml"
    data = read_yaml(path)
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("medicines"), dict):
        raise LexiconError(f"{path.name}: expected a top-level `medicines:` mapping")
    by_name: dict[str, Medicine] = {}
    names: dict[str, str | None] = {}
    for name, raw in data["medicines"].items():
        where = f"{path.name}: medicine {name!r}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        strengths = raw.get("strengths_mg")
        equivalent = raw.get("diazepam_10mg_equivalent_mg")
        if raw.get("class") not in CLASSES:
            problems.append(f"{where}: class must be one of {sorted(CLASSES)}")
        if raw.get("half_life") not in HALF_LIVES:
            problems.append(f"{where}: half_life must be one of {sorted(HALF_LIVES)}")
        if not (isinstance(strengths, list) and strengths and all(isinstance(x, (int, float)) and x > 0 for x in strengths)):
            problems.append(f"{where}: strengths_mg must be a list of positive numbers")
            continue
        if not (isinstance(equivalent, (int, float)) and equivalent > 0):
            problems.append(f"{where}: diazepam_10mg_equivalent_mg must be a positive number")
            continue
        brands = raw.get("brands") or []
        if not all(isinstance(b, str) and b.strip() for b in brands):
            problems.append(f"{where}: brands must be a list of names")
            continue
        med = Medicine(name=name.lower(), drug_class=raw["class"], brands=tuple(brands),
                       strengths_mg=tuple(float(x) for x in strengths),
                       diazepam_equivalent_mg=float(equivalent), half_life=raw["half_life"],
                       liquid=raw.get("liquid"))
        by_name[med.name] = med
        names[med.name] = med.name
        for brand in brands:
            names.setdefault(brand.lower(), med.name)
    for alias, generic in (data.get("aliases") or {}).items():
        if generic is not None and generic not in by_name:
            problems.append(f"{path.name}: alias {alias!r} names unknown medicine {generic!r}")
            continue
        names.setdefault(str(alias).lower(), generic)
    others = data.get("others") or []
    if not (isinstance(others, list) and all(isinstance(w, str) and w.strip() for w in others)):
        problems.append(f"{path.name}: others must be a list of words")
        others = []
    clash = sorted({w.lower() for w in others} & set(names))
    if clash:
        problems.append(f"{path.name}: others also names a benzodiazepine or Z-drug: {clash}")
    if problems:
        raise LexiconError("\n".join(problems))
    return Medicines(by_name=by_name, names=names, source=str(data.get("source", "")),
                     others=frozenset(w.lower() for w in others))


@lru_cache(maxsize=1)
def medicines() -> Medicines:
    """The shipped table, loaded once per process."""
    return load_medicines()
