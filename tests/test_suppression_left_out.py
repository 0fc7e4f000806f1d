"""What a protected build still leaves out, it says so on the sheet where it would have been.

specs/examples/breakdown.yaml (crime by type in three districts, a one-in-ten sample of police.uk) with its
indicator, Total recorded crime, made sensitive below 12, its report (six-month windows) ending in June 2022
while the data run to October, and two more breakdowns of the same rows: every district's crime types side by side (``layout:
partner_areas``) and every row the data hold (``window: all``, reaching past the last month counted). The
comparison chart shows every district's count, and so does the side-by-side table: another district's small
count, hidden in its own workbook, would be published in this one, so both stay out; the ``all`` table counts
months no other figure of the workbook covers. Each is named, with its reason, on its sheet; the crime-type
table the check covers is kept, and an unprotected build has all of them and none of the notes.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine.api import prepare, render_all
from test_suppression_cuts import example_variant

BELOW = 12
EXTRA = """
  - id: crime_by_district
    title: Crime by type, every district
    source: street_crime
    by: [crime_type]
    layout: partner_areas
    where:
      crime_type: {not_in: [Anti-social behaviour]}
  - id: crime_all_months
    title: Crime by type, every month held
    source: street_crime
    by: [crime_type]
    window: all
    where:
      crime_type: {not_in: [Anti-social behaviour]}

indicators:
"""


def _variant(root: Path) -> Path:
    return example_variant(root, "breakdown.yaml",
                           ("  period_end: latest\n  window_months: 12\n", "  period_end: 2022-06\n  window_months: 6\n"),
                           ("\nindicators:\n", EXTRA),
                           ("    priority: Tackling crime\n",
                            f"    priority: Tackling crime\n    sensitive: true\n    suppress: {{below: {BELOW}}}\n"))


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("left_out")
    spec = _variant(root)
    out = {}
    for protected in (True, False):
        prepared = prepare(spec, suppress=protected)
        out[protected] = (prepared, render_all(prepared, root / ("protected" if protected else "open")))
    return out


def _texts(path: Path, sheet_name: str) -> list[str]:
    sheet = load_workbook(path)[sheet_name]
    return [str(c.value) for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]


def _tables(path: Path) -> set[str]:
    return {name for ws in load_workbook(path).worksheets for name in ws.tables}


def test_protected_workbook_says_what_it_leaves_out_and_why(builds):
    prepared, paths = builds[True]
    assert any(b.hidden for r in prepared.reports for b in r.breakdowns), "nothing hidden: this tests nothing"
    for report in prepared.reports:
        path = next(p for p in paths if p.name.startswith(f"{report.partner_area}_"))
        tables = _tables(path)
        assert "sb_breakdown_crime_mix" in tables  # the check covers it: kept
        assert not {"sb_breakdown_crime_by_district", "sb_breakdown_crime_all_months"} & tables
        profiles = " ".join(_texts(path, "Profiles"))
        side_by_side = ("'Crime by type, every district' is left out of this protected workbook because it shows "
                        "every district's counts side by side: another district's small count, hidden in its own "
                        "workbook, would be published here")
        assert side_by_side in profiles, profiles
        assert ("'Crime by type, every month held' is left out of this protected workbook because its window "
                "reaches beyond the months this workbook counts") in profiles
        comparisons = " ".join(_texts(path, "Comparisons"))
        assert ("The comparison chart and rates of total recorded crime are left out of this protected workbook "
                "because it shows every district's counts side by side") in comparisons, comparisons
        assert "The spec charts no indicators." not in comparisons
        method = " ".join(_texts(path, "Methodology")) if "Methodology" in load_workbook(path).sheetnames else ""
        assert "breakdown showing every partner area side by side" in " ".join(n.text for n in report.methodology) \
            or "breakdown showing every partner area side by side" in method


def test_unprotected_workbook_has_every_table_and_no_such_note(builds):
    prepared, paths = builds[False]
    for report in prepared.reports:
        path = next(p for p in paths if p.name.startswith(f"{report.partner_area}_"))
        assert {"sb_breakdown_crime_mix", "sb_breakdown_crime_by_district",
                "sb_breakdown_crime_all_months"} <= _tables(path)
        for sheet in ("Profiles", "Comparisons"):
            assert not any("left out of this protected workbook" in t for t in _texts(path, sheet))
        assert [c.indicator_id for c in report.comparisons] == ["total_crime"]
