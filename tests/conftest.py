"""Shared fixtures: the analyser is built once per test session (pipeline and lexicons)."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"


@pytest.fixture(scope="session")
def analyzer():
    from rehearse import get_analyzer
    return get_analyzer()


@pytest.fixture(scope="session")
def analyse(analyzer):
    return analyzer.analyse


@pytest.fixture(scope="session")
def rules_only():
    """An analyser without the sentence model: what the lexicons and the parse find on their own."""
    from rehearse import get_analyzer
    from rehearse.engine import Analyzer
    shared = get_analyzer()
    return Analyzer(nlp=shared.nlp, lexicon=shared.lexicon, use_model=False)
