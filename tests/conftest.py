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
