"""Hostile or mistyped values in single cells: each becomes a row-level rejection (or, for a
denominator, a refusal) naming file, row, column and value — never a crash, never a figure.

Before: a date of 1066 raised pandas' OutOfBoundsDatetime, a count of 1e300 raised TypeError,
and an LSOA population of 1e9 was accepted (every rate then near zero). Expected figures are
counted here with the csv module.
"""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from engine.errors import DataError
from engine.ingest import load_inputs
from engine.spec import load_spec
from bundled_geography import POPULATION, geography_yaml

REPO = Path(__file__).resolve().parents[2]
LSOA = "E01013607"  # a Leicestershire LSOA of the bundled lookup

SPEC = """\
title: hostile row values
data_root: /  # the lookups stay in the repository; the spec and its extract are in a temporary folder
sources:
  fire:
    type: csv
    path: fire.csv
{max_value}    columns:
      Date: {{name: month, type: date}}
      LSOA: {{name: small_area_code, type: code}}
      Type: {{name: incident_type}}
      Casualties: {{name: casualties, type: integer}}
      Cost: {{name: cost, type: number}}
{geography}indicators:
  - {{id: fires, name: Fires, source: fire}}
"""

ROWS = [
    ("1", "01/01/2022", LSOA, "Primary fire", "0", "120.5"),
    ("2", "01/01/1066", LSOA, "Primary fire", "0", "80"),      # a date no partner record has
    ("3", "01/02/2022", LSOA, "Primary fire", "1e300", "10"),  # overflows any integer
    ("4", "01/02/2022", LSOA, "Primary fire", "1", "inf"),     # not a finite number
    ("5", "15/03/2150", LSOA, "Primary fire", "2", "5"),       # after 2100
    ("6", "01/03/2022", LSOA, "Secondary fire", "2", "5000"),
]


def build(tmp_path: Path, rows=ROWS, max_value: float | None = None, population: Path | None = None):
    with (tmp_path / "fire.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Incident ID", "Date", "LSOA", "Type", "Casualties", "Cost"])
        writer.writerows(rows)
    extra = "" if max_value is None else f"    max_value: {max_value}\n"
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.format(max_value=extra,
                                geography=geography_yaml(population or POPULATION)),
                    encoding="utf-8")
    return load_inputs(*load_spec(spec))


def expected_kept(path: Path, limit: float = 1e9) -> list[str]:
    """Independently: IDs of rows with a year in 1900–2100 and finite numbers no larger than the limit."""
    kept = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            year = int(row["Date"][-4:])
            numbers = [float(row["Casualties"]), float(row["Cost"])]
            if 1900 <= year <= 2100 and all(abs(n) <= limit for n in numbers):
                kept.append(row["Incident ID"])
    return kept


def issues(result) -> list[tuple[int, str, str]]:
    frame = result.issues.frame()
    frame = frame[frame["action"] == "rejected"]
    return sorted(zip(frame["row"].astype(int), frame["column"], frame["value"]))


def test_dates_outside_1900_to_2100_are_rejected_rows(tmp_path):
    result = build(tmp_path)
    rows = issues(result)
    assert (3, "Date", "01/01/1066") in rows and (6, "Date", "15/03/2150") in rows
    frame = result.issues.frame()
    assert frame.loc[frame["value"] == "01/01/1066", "reason"].iloc[0].startswith("a date outside 1900–2100")
    assert set(frame["file"]) == {str((tmp_path / "fire.csv").resolve())}


def test_overflowing_and_infinite_numbers_are_rejected_rows(tmp_path):
    result = build(tmp_path)
    rows = issues(result)
    assert (4, "Casualties", "1e+300") in rows and (5, "Cost", "inf") in rows
    kept = expected_kept(tmp_path / "fire.csv")
    assert len(result.sources["fire"].rows) == len(kept) == 2
    assert result.sources["fire"].rows["casualties"].tolist() == [0, 2]


def test_the_limit_is_the_sources_max_value(tmp_path):
    result = build(tmp_path, max_value=1000)
    kept = expected_kept(tmp_path / "fire.csv", limit=1000)
    assert len(result.sources["fire"].rows) == len(kept) == 1
    frame = result.issues.frame()
    assert "over 1,000" in frame.loc[frame["value"] == "5000", "reason"].iloc[0]


def test_an_implausible_lsoa_population_is_refused_naming_row_and_value(tmp_path):
    source = REPO / "data/ons/population20_lsoa11_leicestershire.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header, body = next(reader), list(reader)
    code, value = header.index("LSOA11CD"), header.index("All Ages (mid-2020)")
    at = next(i for i, row in enumerate(body) if row[code] == LSOA)
    body[at][value] = "1000000000"
    population = tmp_path / "population.csv"
    with population.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header] + body)
    with pytest.raises(DataError) as caught:
        build(tmp_path, population=population)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column, str(problem.value)) == \
        (str(population), at + 2, "All Ages (mid-2020)", "1000000000")
    assert "quality.max_small_area_population" in problem.message
