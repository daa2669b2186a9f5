"""rehearse: prepare calm, evidence-backed conversations with prescribers about benzodiazepine tapering.

Informs conversations; it is not medical advice.
"""
from __future__ import annotations

import threading

from .inputs import MAX_CHARS, InputError

__all__ = ["analyse", "analyse_many", "get_analyzer", "InputError", "MAX_CHARS", "__version__"]
__version__ = "0.1.0"

_lock = threading.Lock()
_analyzer = None


def get_analyzer():
    """The process-wide Analyzer (pipeline and lexicons loaded once)."""
    global _analyzer
    if _analyzer is None:
        with _lock:
            if _analyzer is None:
                from .engine import Analyzer
                _analyzer = Analyzer()
    return _analyzer


def analyse(text: str, mode: str = "draft") -> dict:
    """Analyse one text in mode 'draft' (the user's words) or 'reply' (a prescriber's words)."""
    return get_analyzer().analyse(text, mode)


def analyse_many(texts, mode: str = "draft", batch_size: int = 64):
    """Stream analyses of many texts (batched parsing); invalid items yield {"error": ...}."""
    return get_analyzer().analyse_many(texts, mode, batch_size=batch_size)
