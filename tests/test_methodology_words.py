"""The Methodology sheet states every statistical method the workbook uses, in words an analyst
can quote, with the settings the spec chose."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.api import prepare

SPEC = Path(__file__).resolve().parents[1] / "specs" / "community_safety.yaml"


@pytest.fixture(scope="module")
def notes() -> dict[str, list[str]]:
    report = prepare(SPEC, areas=["Rutland"]).reports[0]
    result: dict[str, list[str]] = {}
    for note in report.methodology:
        result.setdefault(note.topic, []).append(note.text)
    return result


def test_confidence_interval_bands(notes):
    (text,) = notes["Comparison bands"]
    for words in ("95% and 99.8% confidence intervals for counts use Byar's method, or the exact Poisson "
                  "(chi-squared) method for fewer than 10 events",
                  "a 99.8% confidence interval entirely above (below) it is 'Very Significantly High'",
                  "Fingertips"):
        assert words in text
    assert "Total recorded crime" not in text  # it uses the other method


def test_standard_deviation_bands(notes):
    (text,) = notes["Comparison bands (standard deviations)"]
    for words in ("More than 2 standard deviations above (below) the mean is 'Very Significantly High'",
                  "more than 1, 'Significantly High'", "all LSOAs in Leicestershire", "population standard deviation",
                  "Used for: Total recorded crime."):
        assert words in text


def test_change_test(notes):
    (text,) = notes["Direction of travel"]
    for words in ("exact conditional test for two Poisson counts", "p-value below 5%", "'No significant change'",
                  "'Similar' means no significant change"):
        assert words in text


def test_peers_and_small_numbers(notes):
    (peers,) = notes["Peer comparison"]
    assert "ranked among the 9 districts (1 = the lowest rate" in peers and "pooled peer rate" in peers
    (small,) = notes["Small numbers"]
    assert "Violence and sexual offences (counts from 1 to 4)" in small and "does not" in small
