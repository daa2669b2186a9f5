"""Reply ideas (`lexicons/replies.yaml`): calm things a patient can say to each kind of red flag,
each tied to a source from the resources library, optionally with the exact sentence to quote."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .lexicon import APOLOGY, KEBAB, LexiconError, Source, key_problems, read_yaml

KEYS = {"text", "source", "quote"}


@dataclass(frozen=True)
class ReplyIdea:
    text: str
    source: Source
    quote: str | None = None

    def as_dict(self) -> dict:
        out = {"text": self.text, "source": self.source.as_ref()}
        if self.quote:
            out["quote"] = self.quote
        return out


@dataclass(frozen=True)
class ReplyIdeas:
    by_category: dict[str, tuple[ReplyIdea, ...]]

    def for_category(self, category: str) -> list[dict]:
        """Fresh dicts (callers may change them) for one red-flag category; empty if none."""
        return [idea.as_dict() for idea in self.by_category.get(category, ())]


def load_replies(path: Path, sources: dict[str, Source]) -> ReplyIdeas:
    """Read and validate the file; every problem is reported at once, naming the file and entry."""
    path = Path(path)
    name = path.name
    data = read_yaml(path)
    if not isinstance(data, dict) or set(data) != {"categories"} or not isinstance(data["categories"], dict):
        raise LexiconError(f"{name}: expected a top-level `categories:` mapping and nothing else")
    problems: list[str] = []
    out: dict[str, tuple[ReplyIdea, ...]] = {}
    for category, ideas in data["categories"].items():
        where = f"{name}: category {category!r}"
        if not isinstance(category, str) or not KEBAB.match(category):
            problems.append(f"{where}: the name must be kebab-case")
            continue
        if not isinstance(ideas, list) or not ideas:
            problems.append(f"{where}: expected a non-empty list of replies")
            continue
        kept = []
        for n, raw in enumerate(ideas, 1):
            at = f"{where}, reply #{n}"
            if not isinstance(raw, dict):
                problems.append(f"{at}: expected a mapping with text and source")
                continue
            problems += key_problems(raw, (), KEYS, at)[0]
            text, sid, quote = raw.get("text"), raw.get("source"), raw.get("quote")
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{at}: 'text' must be a non-empty string")
                continue
            if APOLOGY.search(text):
                problems.append(f"{at}: replies must not apologise or self-efface ({APOLOGY.search(text).group()!r})")
            if not isinstance(sid, str) or sid not in sources:
                problems.append(f"{at}: 'source' must be an id from sources.yaml (got {sid!r})")
                continue
            if quote is not None and (not isinstance(quote, str) or not quote.strip()):
                problems.append(f"{at}: 'quote' must be a non-empty string when given")
                continue
            kept.append(ReplyIdea(text.strip(), sources[sid], quote.strip() if quote else None))
        out[category] = tuple(kept)
    if problems:
        raise LexiconError(f"{len(problems)} problem(s) in {name}:\n" + "\n".join(problems))
    return ReplyIdeas(out)
