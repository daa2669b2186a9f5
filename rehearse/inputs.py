"""Checks on submitted text, shared by every surface (Python, command line, HTTP, pages)."""
from __future__ import annotations

import unicodedata

MAX_CHARS = 20_000
MODES = ("draft", "reply")
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}


def normalise_newlines(text: str) -> str:
    """Line breaks as a browser's text box counts them (a form posts CRLF), so offsets agree."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class InputError(ValueError):
    """The text cannot be analysed; the message says what was wrong and what to do."""


def check_mode(mode) -> str:
    if mode not in MODES:
        raise InputError(f"mode must be 'draft' (your words) or 'reply' (a prescriber's words), not {mode!r}")
    return mode


def check_text(text) -> str:
    """Return the text if it can be analysed, else raise InputError with a friendly message."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("the text is not valid UTF-8; save it as UTF-8 text and try again") from None
    if not isinstance(text, str):
        raise InputError(f"the text must be a string, not {type(text).__name__}")
    if not text.strip():
        raise InputError("there is nothing to check yet: paste or type some text")
    if len(text) > MAX_CHARS:
        raise InputError(f"the text is {len(text):,} characters; rehearse checks up to {MAX_CHARS:,} "
                         "at a time (about 3,000 words): please split it into parts")
    bad = next((c for c in text if unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS), None)
    if bad is None:
        bad = next((c for c in text if unicodedata.category(c) == "Cs"), None)
    if bad is not None:
        raise InputError(f"the text contains a control character (U+{ord(bad):04X}); is it a binary "
                         "file? Paste plain text instead")
    return text
