"""The measure block's checks, and the statistics behind proportions, against published values.

* Fisher's exact test: R's ``fisher.test`` on Fisher's tea-tasting table (p = 0.4857), so the
  engine's two-proportion test gives the published result.
* Bands: each PHEindicatormethods proportion case (``tests/reference/proportion.csv``) banded
  against benchmark values placed inside and outside its published 95% and 99.8% Wilson limits.
* Spec mistakes: one located problem each, with the fix in words.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.errors import SpecError
from engine.indicators.measured.measure_stats import Totals
from engine.indicators.measured.proportions import proportion_stats
from engine.spec import load_spec
from engine.spec.models import ChangeTest
from engine.stats import BAND_LABELS, proportion_change_codes, proportion_change_p_values
from test_spec_errors import spec_with  # noqa: F401  (the fixture)

REFERENCE = Path(__file__).parent / "reference" / "proportion.csv"


def test_fisher_matches_the_published_tea_tasting_result():
    """Fisher (1935): 3 of 4 cups right each way; R's fisher.test gives p-value = 0.4857."""
    p = proportion_change_p_values([3], [4], [1], [4])
    assert p[0] == pytest.approx(0.4857, abs=5e-5)
    assert proportion_change_codes([3], [4], [1], [4])[0] == 0


def test_change_codes_need_significance_not_just_a_difference():
    x1, n1, x2, n2 = np.array([450, 45, 0]), np.array([1000, 100, 0]), np.array([400, 38, 5]), np.array([1000, 100, 10])
    assert proportion_change_codes(x1, n1, x2, n2).tolist() == [1, 0, 0], "large sample significant; small not; empty"
    assert proportion_change_codes(x2[:1], n2[:1], x1[:1], n1[:1]).tolist() == [-1]
    assert proportion_change_codes(x1, n1, x2, n2, method="overlap").tolist() == [0, 0, 0], "overlap is conservative"


def _expected_band(row, benchmark: float) -> str:
    if row.expected_lower99_8cl > benchmark:
        return "Very Significantly High"
    if row.expected_upper99_8cl < benchmark:
        return "Very Significantly Low"
    if row.expected_lower95_0cl > benchmark:
        return "Significantly High"
    if row.expected_upper95_0cl < benchmark:
        return "Significantly Low"
    return "Above Average" if row.expected_value > benchmark else "Below Average"


def test_bands_follow_the_published_wilson_limits():
    table = pd.read_csv(REFERENCE).dropna(subset=["numerator", "denominator"])
    table = table[(table.multiplier == 1) & (table.denominator > 0)]
    assert len(table) >= 4
    seen: set[str] = set()
    for row in table.itertuples():
        # Benchmarks just outside each published limit, and between the limits, on both sides.
        for benchmark in (row.expected_lower99_8cl * 0.98, (row.expected_lower99_8cl + row.expected_lower95_0cl) / 2,
                          (row.expected_lower95_0cl + row.expected_value) / 2,
                          (row.expected_value + row.expected_upper95_0cl) / 2,
                          (row.expected_upper95_0cl + row.expected_upper99_8cl) / 2,
                          min(row.expected_upper99_8cl * 1.02, 0.9999)):
            if not 0 < benchmark < 1:
                continue
            totals = Totals(np.array([row.numerator], float), np.array([row.denominator], float), np.array([False]))
            code, pooled = _benchmarked(totals, benchmark)
            assert BAND_LABELS[code] == _expected_band(row, pooled), (row.case_id, pooled)
            seen.add(BAND_LABELS[code])
    assert seen == {"Very Significantly High", "Significantly High", "Above Average", "Below Average",
                    "Significantly Low", "Very Significantly Low"}


def _benchmarked(totals: Totals, benchmark: float) -> tuple[int, float]:
    """The band proportion_stats gives one area when a second, huge area pins the pooled benchmark near
    ``benchmark``, and the pooled benchmark itself."""
    big = max(10**12, int(totals.denominator[0]) * 10**4)
    pinned = Totals(np.append(totals.numerator, round(benchmark * big)), np.append(totals.denominator, big),
                    np.array([False, False]))
    stats = proportion_stats(pinned, None, (0.95, 0.998), ChangeTest(), 0.95)
    return int(stats.bands[0]), stats.benchmark


# --- spec mistakes ---------------------------------------------------------------------------------

TOTAL = """  - id: total_crime
    name: Total recorded crime
    priority: Tackling crime
    source: street_crime
"""


def _only(path: Path) -> str:
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert len(caught.value.problems) == 1, caught.value
    return str(caught.value.problems[0])


@pytest.mark.parametrize("measure, message", [
    ("{kind: value}", "kind value needs value: the column to sum"),
    ("{kind: proportion}", "kind proportion needs exactly one of: numerator"),
    ("{kind: proportion, numerator: {crime_type: {equals: Burglary}}, percent_column: agree}",
     "kind proportion needs exactly one of"),
    ("{kind: count, value: x}", "kind count counts rows"),
    ("{kind: proportion, percent_column: agree}", "percent_column and respondents_column go together"),
    ("{kind: proportion, value: repeats, denominator: residents}", "(the denominator column; not residents)"),
    ("{kind: proportion, numerator: {crime_typ: {equals: Burglary}}}", "unknown police.uk column 'crime_typ'"),
    ("{kind: proportion, numerator: {crime_type: {equals: Burglery}}}", "did you mean 'Burglary'"),
    ("{kind: value, value: outcome}", "is a police_uk folder: it has no number columns"),
    ("{kind: count, compare: quarterly}", "'rolling' or 'previous_period'"),
])
def test_measure_mistakes_are_located_problems(spec_with, measure, message):
    spec = spec_with((TOTAL, TOTAL + f"    measure: {measure}\n"))
    with pytest.raises(SpecError) as caught:
        load_spec(spec.path)
    problems = caught.value.problems
    line = spec.line_of(f"    source: street_crime\n    measure: {measure}\n") + 1
    assert any(message in str(p) for p in problems), caught.value
    # Each is located: in the measure block, or the headline's place in comparisons and area groups (a
    # measured indicator cannot be shown there: further, expected problems), or its sd banding (the demo's
    # total_crime is banded by sd, which a measured indicator cannot be).
    # Nor can a map shade it, nor a share (measure.share_of) be made of its rows.
    assert all(p.line == line or p.key_path.startswith(("comparisons[0]", "area_groups[", "peer_groups.measures.",
                                                        "indicators[0].banding.method", "maps.indicators["))
               or p.key_path.endswith(".measure.share_of.denominator")
               for p in problems), \
        caught.value


def test_measured_indicator_kept_out_of_trend_table_and_comparisons(spec_with):
    spec = spec_with((TOTAL, TOTAL + "    measure: {kind: count, compare: previous_period}\n"),
                     ("rows: [other_acquisitive,", "rows: [total_crime, other_acquisitive,"))
    with pytest.raises(SpecError) as caught:
        load_spec(spec.path)
    texts = [str(p) for p in caught.value.problems]
    assert any("trend_table.rows[0]" in t and "the trend table sums counts" in t for t in texts), texts
    assert any("comparisons[0]" in t and "leave it out here" in t for t in texts), texts


def test_percent_target_needs_a_proportion(spec_with):
    spec = spec_with(("target: {measure: percent_change, at_most: 0, amber: 0.05, label: No increase on the previous 12 months}",
                      "target: {measure: percent, at_most: 0.4}"))
    assert "target measure percent applies to proportion indicators" in _only(spec.path)
