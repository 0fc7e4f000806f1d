"""A benchmark named in the plural ("Four districts") takes the apostrophe alone in findings and notes:
"Four districts's" reads as a mistake to the partner who gets the workbook."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.api import prepare
from engine.indicators.words import possessive

SPEC = Path(__file__).parent / "specs" / "partner_services.yaml"


@pytest.mark.parametrize(("name", "expected"), [("Leicestershire", "Leicestershire's"),
                                                ("Four districts", "Four districts'"),
                                                ("ALL AREAS", "ALL AREAS'"), ("Rutland ", "Rutland's")])
def test_possessive(name: str, expected: str) -> None:
    assert possessive(name) == expected


def test_findings_and_notes_write_a_plural_benchmark_s_apostrophe() -> None:
    """The spec's benchmark is "Four districts": every sentence naming its figure is checked."""
    prepared = prepare(SPEC)
    texts = [f.text for r in prepared.reports for f in r.findings] + [
        m.text for r in prepared.reports for m in r.methodology]
    assert any("Four districts' " in t for t in texts)  # the sentence comparing with the benchmark's own rate is there
    assert not [t for t in texts if re.search(r"\bs's\b|districts's", t)]
