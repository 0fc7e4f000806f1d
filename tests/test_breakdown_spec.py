"""Breakdown settings: what the spec accepts, the errors it gives, windows, groups and distinct counts."""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from engine.errors import DataError, SpecError
from engine.indicators.profiles.items import breakdown_items
from engine.indicators.profiles.breakdowns import breakdown_tables, breakdown_window
from engine.indicators.periods import Window
from engine.ingest import PARTNER_AREA, SourceRows
from engine.months import month_number
from engine.spec import load_spec
from engine.spec.models import BreakdownSpec, Periods
from ingest_helpers import REPO

BASE = {"id": "b", "title": "B", "source": "s"}


@pytest.mark.parametrize("extra, message", [
    ({"by": ["a"], "flags": {"f": "F"}}, "give by (categories) or flags"),
    ({}, "give by (categories) or flags"),
    ({"by": ["a"], "groups": {"z": {"x": {"equals": 1}}}}, "groups: z is not one of the by columns"),
    ({"flags": {"f": "F"}, "layout": "partner_areas", "subsets": {"All": {}}}, "takes no subsets"),
    ({"by": ["a"], "financial_year_start": 4}, "financial_year_start applies to window: financial_year"),
    ({"by": ["a"], "significance": {"method": "chi"}}, "rest_of_benchmark"),
])
def test_invalid_breakdowns(extra, message):
    with pytest.raises(ValidationError) as raised:
        BreakdownSpec(**BASE, **extra)
    assert message in str(raised.value)


@pytest.mark.parametrize("end, start, first, last", [
    ("2022-10", 4, "2021-04", "2022-03"),   # the seeds' April-March year, the last complete one
    ("2022-03", 4, "2021-04", "2022-03"),   # the period ends with the year: that year
    ("2022-02", 4, "2020-04", "2021-03"),
    ("2022-09", 10, "2021-10", "2022-09"),
    ("2022-10", 1, "2021-01", "2021-12"),
])
def test_financial_year_window(end, start, first, last):
    spec = BreakdownSpec(**BASE, by=["a"], window="financial_year", financial_year_start=start)
    current = Window(month_number(end) - 11, month_number(end))
    assert breakdown_window(spec, Periods(), current) == Window(month_number(first), month_number(last))


def test_window_defaults():
    current = Window(month_number("2021-11"), month_number("2022-10"))
    assert breakdown_window(BreakdownSpec(**BASE, by=["a"]), Periods(), current) == current
    assert breakdown_window(BreakdownSpec(**BASE, by=["a"], window="all"), Periods(), current) is None
    october = BreakdownSpec(**BASE, by=["a"], window="financial_year")  # the spec's own year: October-September
    fy = breakdown_window(october, Periods.model_validate({"financial_year": {"start_month": 10}}), current)
    assert fy == Window(month_number("2021-10"), month_number("2022-09"))


def test_groups_other_and_not_recorded():
    """Conditions in order (first match wins); unmatched values are Other; blanks are Not recorded."""
    spec = BreakdownSpec(**BASE, by=["age"], groups={"age": {"Under 15": {"between": [10, 14]},
                                                               "15-17": {"between": [15, 17]}}})
    for dtype in ("float64", "Int64"):  # ingest's integer columns are nullable Int64
        rows = pd.DataFrame({"age": pd.array([10, 14, 15, 17, 18, None, 12], dtype=dtype)})
        items = breakdown_items(spec, rows)
        assert [(i.label, int(i.member.sum())) for i in items] == [("Under 15", 3), ("15-17", 2), ("Other", 1),
                                                                   ("Not recorded", 1)]
        assert all(i.valid.all() for i in items)


def test_flags_leave_unvalued_rows_out_of_the_base():
    spec = BreakdownSpec(**BASE, flags={"need": "Need"}, flag_value="Y")
    (item,) = breakdown_items(spec, pd.DataFrame({"need": ["Y", "N", None, " ", "Y"]}))
    assert item.member.tolist() == [True, False, False, False, True]
    assert item.valid.tolist() == [True, True, False, False, True]


def _source(frame: pd.DataFrame, partner: list[int], dated: bool = False) -> SourceRows:
    month = np.full(len(frame), -1) if not dated else np.full(len(frame), month_number("2022-01"))
    return SourceRows("s", "", REPO / "x.csv", frame, month, np.array(partner), level=PARTNER_AREA, dated=dated)


def test_distinct_counts_each_value_once_and_blanks_each_time():
    spec = BreakdownSpec(**BASE, by=["sex"], distinct="person", unit="people")
    frame = pd.DataFrame({"person": ["a", "a", "b", None, None, "c"], "sex": ["F", "F", "M", "M", "M", "F"]})
    tables = breakdown_tables(spec, _source(frame, [0, 0, 0, 1, 1, 1]), np.array([]), 2, None)
    counts = {(t, r.category): r.count for t, table in enumerate(tables) for r in table.rows}
    assert counts == {(0, "F"): 1, (0, "M"): 1, (1, "F"): 1, (1, "M"): 2}


def test_percent_of_category_and_partner_areas_layout():
    """% of each category in the subset; and the partner_areas rows with the report's own area highlighted."""
    frame = pd.DataFrame({"sex": ["F", "F", "M", "M", "M", "F", "M"], "re": ["Y", "N", "Y", "N", "N", "Y", "Y"]})
    partner = [0, 0, 0, 0, 1, 1, 1]
    spec = BreakdownSpec(**BASE, by=["sex"], order="name",
                         subsets={"All": {}, "Re": {"where": {"re": {"equals": "Y"}}, "percent_of": "category"}})
    table = breakdown_tables(spec, _source(frame, partner), np.array([]), 2, None)[0]
    re_rows = {r.category: (r.count, r.base) for r in table.rows_of("Re")}
    assert re_rows == {"F": (1, 2), "M": (1, 2)}
    assert {r.category: (r.benchmark_count, r.benchmark_base) for r in table.rows_of("Re")} == {"F": (2, 3), "M": (2, 4)}
    rates = BreakdownSpec(**BASE, flags={"re": "Reoffended"}, layout="partner_areas")
    tables = breakdown_tables(rates, _source(frame, partner), np.array([]), 2, None, partner_names=["A", "B"])
    assert [(r.category, r.count, r.base, r.highlight) for r in tables[1].rows] == [("A", 2, 4, False),
                                                                                  ("B", 2, 3, True)]


def test_financial_year_needs_a_dated_source():
    spec = BreakdownSpec(**BASE, by=["sex"], window="financial_year")
    with pytest.raises(DataError) as raised:
        breakdown_tables(spec, _source(pd.DataFrame({"sex": ["F"]}), [0]), np.array([]), 1, None)
    assert "has no month column" in str(raised.value.problems[0])


def test_unknown_column_is_a_spec_error_with_its_key_path(tmp_path):
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    path = tmp_path / "specs" / "community_safety.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("need_attitudes: Attitudes") == 1 and text.count("first_time_entrant: {equals: Y}}, described") == 1
    text = text.replace("need_attitudes: Attitudes", "need_atitudes: Attitudes")
    text = text.replace("first_time_entrant: {equals: Y}}, described", "first_time: {equals: Y}}, described")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        load_spec(path)
    messages = [str(p) for p in raised.value.problems]
    assert any("flags.need_atitudes" in m and "did you mean 'need_attitudes'" in m for m in messages), messages
    assert any("subsets.First-time entrants.where.first_time" in m and "maps no column" in m for m in messages), messages


def test_a_month_missing_from_the_window_is_an_error():
    spec = BreakdownSpec(**BASE, by=["sex"])
    window = Window(month_number("2021-11"), month_number("2022-10"))
    with pytest.raises(DataError) as raised:
        breakdown_tables(spec, _source(pd.DataFrame({"sex": ["F"]}), [0], dated=True), np.array([]), 1, window)
    message = str(raised.value.problems[0])
    assert "breakdown 'b' covers Nov 2021 – Oct 2022" in message and "2021-11, 2021-12, 2022-02" in message
