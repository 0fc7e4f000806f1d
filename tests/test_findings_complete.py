"""Complete, honest key findings (issue 17), read from the built workbooks as a partner reads them.

- every significant change on the Summary (the Dashboard) has a sentence that names the indicator
  and says "increase(d)" or "reduc(ed/tion)" the way the test went;
- every priority (outcome) has a heading on the Key findings sheet with at least one sentence under it,
  in the Summary's order of priorities;
- no sentence calls a change an increase or a reduction unless the Summary marks it significant;
- every sentence says which period its figures cover.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries


REPO_ROOT = Path(__file__).resolve().parents[1]
AREA = "North West Leicestershire"
BOOKS = {"partner": (REPO_ROOT / "specs" / "community_safety.yaml", "Summary", "sb_summary", "Priority"),
         "dashboard": (REPO_ROOT / "specs" / "dashboard.yaml", "Dashboard", "sb_dash_kpis", "Outcome")}
PERIOD = re.compile(r"12 months to [A-Z][a-z]+ \d{4}|Q[1-4] \d{4}-\d{2}|\d{4}/\d{2}|[A-Z][a-z]{2} \d{4} – [A-Z][a-z]{2} \d{4}"
                    r"|snapshot|year ending [A-Z][a-z]+ \d{4}")  # the last: a published table's (ONS) period


@pytest.fixture(scope="module")
def books(demo_build: Path, dashboard_build: Path) -> dict[str, Path]:
    """The partner's and the dashboard's workbooks as ``engine.api.build`` writes them (conftest's, shared)."""
    (partner,) = demo_build.glob(f"{AREA.replace(' ', '_')}_E*.xlsx")
    return {"partner": partner, "dashboard": dashboard_build}


def _table(ws, name: str) -> list[dict[str, object]]:
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
    rows = [[ws.cell(r, c).value for c in range(min_col, max_col + 1)] for r in range(min_row, max_row + 1)]
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _findings(ws) -> list[tuple[str, str]]:
    """(heading, sentence) for every numbered sentence of the Key findings sheet."""
    heading, found = "", []
    for a, b in ws.iter_rows(min_row=4, max_col=2, values_only=True):
        if isinstance(a, str) and re.fullmatch(r"\d+\.", a):
            found.append((heading, str(b)))
        elif isinstance(a, str) and a.strip() and b is None:
            heading = a
    return found


def _summary_and_findings(books, name):
    _, sheet, table, group_column = BOOKS[name]
    wb = load_workbook(books[name])
    rows = _table(wb[sheet], table)
    return rows, group_column, _findings(wb["Key findings"])


def _mentions(sentence: str, indicator: str) -> bool:
    return sentence.lower().startswith(indicator.lower() + " ") or f" {indicator.lower()} " in sentence.lower()


@pytest.mark.parametrize("name", BOOKS)
def test_every_significant_change_has_a_sentence(books, name):
    rows, _, findings = _summary_and_findings(books, name)
    significant = [(r["Indicator"], "increase" if "Increase" in r["Direction of travel"] else "reduc")
                   for r in rows if "(significant)" in str(r["Direction of travel"])]
    assert significant, "the demo has significant changes"
    missing = [(indicator, word) for indicator, word in significant
               if not any(_mentions(s, indicator) and word in s for _, s in findings)]
    assert missing == [], f"significant changes with no sentence: {missing}"


@pytest.mark.parametrize("name", BOOKS)
def test_every_priority_has_a_heading_and_a_sentence(books, name):
    rows, group_column, findings = _summary_and_findings(books, name)
    priorities = list(dict.fromkeys(r[group_column] for r in rows))
    headed = list(dict.fromkeys(h for h, _ in findings if h in priorities))
    assert headed == priorities, "each priority, in the Summary's order"


@pytest.mark.parametrize("name", BOOKS)
def test_changes_are_called_increases_or_reductions_only_when_significant(books, name):
    rows, _, findings = _summary_and_findings(books, name)
    for row in rows:
        if "(significant)" in str(row["Direction of travel"]):
            continue
        claims = [s for _, s in findings if s.lower().startswith(str(row["Indicator"]).lower() + " ")
                  and re.search(r"\b(increased|reduced) by\b", s)]
        assert claims == [], f"{row['Indicator']} did not change significantly: {claims}"


@pytest.mark.parametrize("name", BOOKS)
def test_every_sentence_states_its_period(books, name):
    _, _, findings = _summary_and_findings(books, name)
    undated = [s for _, s in findings if not PERIOD.search(s)]
    assert undated == []
