"""Which partner areas a partner is compared with is a spec choice (comparison_areas), so a national
build's workbook costs the same as a county build's. Expected rates come from the default build
(all partner areas), which tests/test_end_to_end.py checks against plain pandas."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.api import prepare
from engine.errors import SpecError
from scale_support import small_spec


@pytest.fixture(scope="module")
def every_area(tmp_path_factory) -> dict[str, dict[str, tuple[int, float]]]:
    """Indicator id -> area -> (count, rate) as the default build compares them: every partner area."""
    prepared = prepare(small_spec(tmp_path_factory.mktemp("all")))
    first = prepared.reports[0]
    assert [r.partner_area for r in prepared.reports] == first.comparisons[0].areas  # the default: every area
    return {c.indicator_id: dict(zip(c.areas, zip(c.counts, c.rates))) for c in first.comparisons}


def _shown(spec: Path) -> dict[str, list[str]]:
    return {r.partner_area: r.comparisons[0].areas for r in prepare(spec).reports}


def test_a_named_list_is_shown_beside_each_partner_with_the_same_figures(tmp_path, every_area):
    prepared = prepare(small_spec(tmp_path, comparison_areas={"areas": ["Blaby"]}))
    assert {r.partner_area: r.comparisons[0].areas for r in prepared.reports} == {
        "Blaby": ["Blaby"], "Melton": ["Blaby", "Melton"], "Rutland": ["Blaby", "Rutland"]}
    for report in prepared.reports:
        for comparison in report.comparisons:
            assert dict(zip(comparison.areas, zip(comparison.counts, comparison.rates))) == \
                {a: every_area[comparison.indicator_id][a] for a in comparison.areas}
            assert comparison.benchmark_rate > 0  # the benchmark is still every partner area


def test_same_lookup_column_keeps_the_areas_that_share_the_partners_value(tmp_path):
    assert _shown(small_spec(tmp_path, comparison_areas={"same": "LAD23NM"})) == {
        "Blaby": ["Blaby"], "Melton": ["Melton"], "Rutland": ["Rutland"]}
    assert set(map(len, _shown(small_spec(tmp_path, comparison_areas={"same": "PFA23NM"})).values())) == {3}


def test_a_column_the_lookup_lacks_is_a_spec_error_with_its_line(tmp_path):
    spec = small_spec(tmp_path, comparison_areas={"same": "PFA23CDX"})
    with pytest.raises(SpecError) as error:
        prepare(spec)
    assert "'PFA23CDX' is not a column of the partner-area lookup" in str(error.value)
    assert "PFA23CD" in str(error.value)  # did you mean


def test_an_unknown_area_and_an_empty_rule_are_spec_errors(tmp_path):
    with pytest.raises(SpecError, match="'Atlantis' is not a partner area"):
        prepare(small_spec(tmp_path, comparison_areas={"areas": ["Atlantis"]}))
    with pytest.raises(SpecError, match="say which areas to compare with"):
        prepare(small_spec(tmp_path, "empty.yaml", comparison_areas={}))
    with pytest.raises(SpecError, match="needs the spec's peer_groups"):
        prepare(small_spec(tmp_path, "peers.yaml", comparison_areas={"peer_group": True}))


def test_a_most_similar_group_shows_its_members_that_are_partner_areas():
    import numpy as np

    from engine.indicators.counted.comparison_areas import comparison_positions
    from engine.ingest.geography import Geography
    from engine.ingest.peer_table import PeerTable
    from engine.spec.models import ComparisonAreas

    names = np.array(["Adur", "Blaby", "Crawley", "Derby"], dtype=object)
    geo = Geography(np.array([], dtype=object), np.array([], dtype=object), np.array([], dtype=int), np.array([]),
                    names, names, "Somewhere", "LSOA", "CSP")
    # Adur's group names Crawley and a partnership outside the build; Derby's names Blaby (spelt in capitals)
    table = PeerTable("msg", Path("msg.csv"), "", np.array([0, 0, 3]), np.array(["Crawley", "Elsewhere", "BLABY "]),
                      np.array(["Total"] * 3), np.ones(3), np.ones(3), np.ones(3), np.zeros(3, dtype=int),
                      np.arange(1, 4), "Period", None)
    shown = comparison_positions(ComparisonAreas(peer_group=True), geo, table)
    assert [names[p].tolist() for p in shown] == [["Adur", "Crawley"], ["Blaby"], ["Crawley"], ["Blaby", "Derby"]]
