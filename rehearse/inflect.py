"""Word forms of a lemma, so lexicon patterns can say LEMMA and still match before any tagging.

Irregular forms come from the spaCy pipeline's own lemmatizer exception table (inverted);
regular forms from English suffix rules. Over-generating a non-word ("stoped") is harmless:
it never occurs in text, so it never matches.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping

_VOWELS = set("aeiou")
# Contracted forms as spaCy's NORM leaves them ("it's" -> "it" + "'s").
_CLITICS = {"be": {"'s"}, "have": {"'s", "'ve", "'d"}, "would": {"'d"}, "had": {"'d"}}


def regular_forms(lemma: str) -> set[str]:
    """Regular verb, noun and adjective inflections of a single lowercase word."""
    w = lemma.lower()
    forms = {w}
    if not w.isalpha() or len(w) < 2:
        return forms
    # -s
    if w.endswith(("s", "x", "z", "ch", "sh", "o")):
        forms.add(w + "es")
    elif w.endswith("y") and w[-2] not in _VOWELS:
        forms.add(w[:-1] + "ies")
    else:
        forms.add(w + "s")
    # -ed / -ing (no -er/-est: "be" would give "best"; list comparatives explicitly)
    if w.endswith("e") and len(w) > 2:
        stem_ed, stem_ing = w[:-1], w[:-1]
        if w.endswith(("ee", "ye", "oe")):
            stem_ing = w
    elif w.endswith("y") and w[-2] not in _VOWELS:
        stem_ed, stem_ing = w[:-1] + "i", w
    elif (len(w) >= 3 and w[-1] not in _VOWELS | set("wxy") and w[-2] in _VOWELS
          and w[-3] not in _VOWELS):
        stem_ed = stem_ing = w + w[-1]  # stop -> stopped; also keep the undoubled form
        forms.update({w + "ed", w + "ing"})
    else:
        stem_ed = stem_ing = w
    forms.update({stem_ed + "ed", stem_ing + "ing"})
    return forms


class Inflector:
    """Maps a lemma to the set of its surface forms (lowercase)."""

    def __init__(self, exceptions: Mapping[str, Mapping[str, Iterable[str]]] | None = None):
        irregular: dict[str, set[str]] = defaultdict(set)
        for table in (exceptions or {}).values():
            for form, lemmas in table.items():
                for lemma in lemmas:
                    irregular[lemma.lower()].add(form.lower())
        self._irregular = dict(irregular)

    @classmethod
    def from_nlp(cls, nlp) -> "Inflector":
        """Build from the pipeline's lemmatizer tables when it has them (a blank pipeline does not)."""
        try:
            lookups = nlp.get_pipe("lemmatizer").lookups
            table = lookups.get_table("lemma_exc")
            return cls({pos: table[pos] for pos in ("verb", "noun", "adj", "adv") if pos in table})
        except (KeyError, ValueError):
            return cls()

    def forms(self, lemma: str) -> frozenset[str]:
        lemma = lemma.lower()
        irregular = self._irregular.get(lemma, set())
        regular = regular_forms(lemma)
        if len(lemma) <= 3 and any(f != lemma and not f.endswith(("s", "ing")) for f in irregular):
            # an irregular past replaces the regular one ("be" -> "was", never "bed")
            regular = {f for f in regular if not f.endswith("ed") or f == lemma}
        return frozenset(regular | irregular | _CLITICS.get(lemma, set()))
