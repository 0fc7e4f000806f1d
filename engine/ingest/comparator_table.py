"""Read a published comparator table (force, region and England rates) as published.

The rows the spec names are found by their code, because names repeat in such tables (a force and
a region can both be "West Midlands"). The published rates are kept as they are: a status marker
('..', '-') is missing and stays missing, so the workbook shows n/a for it, never a zero bar. An
area code the table does not hold, or a rate column that holds text, is an error naming the file,
sheet, column and value, so a wrong spec never draws a chart from the wrong row.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from engine.errors import DataError, Problem
from engine.ingest.geography import source_path
from engine.ingest.issues import IssueLog
from engine.ingest.table_source import read_table
from engine.ingest.tables import require_columns
from engine.spec.models import ComparatorArea, Spec
from engine.suggest import did_you_mean


@dataclass(frozen=True)
class ComparatorRows:
    """The published rates of the spec's areas: ``rates[area][measure]``, None where the table has a marker."""

    source: str
    title: str  # the source's title for readers (its id when it has none)
    rates: list[list[float | None]]  # in the order of spec.comparators.areas, then of its measures
    rows: list[int]  # each area's 1-based row in the file, for messages


def label_of(spec: Spec, source_name: str) -> dict[str, str]:
    """Tidy column name -> the file's own header, so that messages name what the analyst sees."""
    specs = spec.sources[source_name].column_specs() or {}
    return {column.name: header for header, column in specs.items()}


def area_not_in_table(area: ComparatorArea, codes: pd.Series, path: Path, sheet: str | None, column: str) -> Problem:
    """The problem of a spec's area code that no row of a published table holds, with the closest code it does."""
    known = [str(c) for c in codes.dropna().unique()]
    return Problem(f"area code {area.code!r} ({area.label}) is not in the table{did_you_mean(area.code, known)}",
                   file=str(path), sheet=sheet, column=column, value=area.code)


def read_comparator_rows(spec: Spec, base_dir: Path, log: IssueLog) -> ComparatorRows | None:
    """The spec's comparator rows, or None when the spec has no ``comparators`` block."""
    block = spec.comparators
    if block is None:
        return None
    name = block.source
    path = source_path(spec, base_dir, name)
    data = read_table(name, spec.sources[name], path, log)
    frame, sheet = data.frame, data.sheet
    measures = list(block.measures)
    require_columns(frame, [block.code, *measures], path, "the published comparators", sheet)
    labels = label_of(spec, name)
    codes = frame[block.code].astype("string").str.strip()
    problems: list[Problem] = []
    found: list[int] = []
    for area in block.areas:
        matches = [i for i, code in enumerate(codes) if code == area.code]
        if not matches:
            problems.append(area_not_in_table(area, codes, path, sheet, labels.get(block.code, block.code)))
        elif len(matches) > 1:
            problems.append(Problem(f"area code {area.code!r} is on {len(matches)} rows "
                                    f"({', '.join(str(int(data.rows[i])) for i in matches)}); comparators need one",
                                    file=str(path), sheet=sheet, column=labels.get(block.code, block.code),
                                    value=area.code))
        else:
            found.append(matches[0])
    for measure in measures:
        if not pd.api.types.is_numeric_dtype(frame[measure]):
            problems.append(Problem(f"comparator rate column {measure!r} is not typed as a number: give it "
                                    f"type: number in the source's columns", file=str(path), sheet=sheet,
                                    column=labels.get(measure, measure)))
    if problems:
        raise DataError(problems)
    rates = [[_rate(frame[measure].iat[i]) for measure in measures] for i in found]
    return ComparatorRows(name, spec.sources[name].title or name, rates, [int(data.rows[i]) for i in found])


def _rate(value: object) -> float | None:
    number = float(value) if value is not None and not pd.isna(value) else math.nan
    return None if math.isnan(number) else number
