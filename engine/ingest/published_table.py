"""Read a published long-format table (one row per area, period and measure) as published.

Youth Justice Statistics, the Home Office's police recorded crime by force and most public-health
tables come this way. The spec names which column holds the area code, the period and the value,
and filters the rows (indicator, measure). Values are read as text and parsed here, so that a marker
the source declares missing ('NA', '..', a blank) stays missing and any other text is an error naming
file, row, column and value, never a silent zero. The partner areas' own population for a rate is read
here too, by the partner area's code; a partner area the table lacks has no rate, never a guessed one.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from engine.errors import DataError, Problem
from engine.ingest.comparator_table import area_not_in_table, label_of
from engine.ingest.geography import source_path
from engine.ingest.issues import IssueLog
from engine.ingest.table_source import read_table
from engine.ingest.tables import require_columns
from engine.spec.filters import where_mask
from engine.spec.models import PublishedTable, Spec

#: A published number: digits with optional thousands commas, a sign and decimals ("1,234", "-0.5", "69").
NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[+-]?\.\d+$")


@dataclass(frozen=True)
class PublishedRows:
    """One spec table's published figures: ``values[area][period]``, None where the table has no figure."""

    table_id: str
    title: str  # the source's title for readers
    periods: list[str]
    values: list[list[float | None]]  # in the order of the spec's areas, then of periods
    population: dict[str, float]  # partner area code -> its population for the own rate (empty: none given)
    population_title: str = ""


def _number(text: object, path: Path, row: int, column: str, sheet: str | None) -> float | None:
    """A cell's figure: None when missing (the reader turned the source's markers into missing); else a number, or
    a DataError naming where the text is."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None
    if isinstance(text, (int, float, np.number)):
        return None if math.isnan(float(text)) else float(text)
    cleaned = str(text).strip()
    if not cleaned:
        return None
    if not NUMBER.match(cleaned):
        raise DataError(Problem(f"published value {cleaned!r} is not a number nor a marker the source declares missing "
                                f"(missing_markers)", file=str(path), sheet=sheet, row=row, column=column,
                                value=cleaned))
    return float(cleaned.replace(",", ""))


def period_labels(frame: pd.DataFrame, columns: list[str], label: str | None) -> pd.Series:
    """Each row's period label: one column's text, or several columns' joined by ``label`` ('{0} Q{1}')."""
    parts = [frame[c].astype("string").str.strip() for c in columns]
    if len(parts) == 1 and label is None:
        return parts[0]
    pattern = label or " ".join(f"{{{i}}}" for i in range(len(parts)))
    return pd.Series([pattern.format(*values) if not any(pd.isna(v) for v in values) else pd.NA
                      for values in zip(*parts)], index=frame.index, dtype="string")


def read_published_rows(spec: Spec, block: PublishedTable, base_dir: Path, log: IssueLog) -> PublishedRows:
    """The spec's published areas over its periods, as published; every problem of the table reported together."""
    path = source_path(spec, base_dir, block.source)
    data = read_table(block.source, spec.sources[block.source], path, log)
    frame, sheet = data.frame, data.sheet
    period_columns = [block.period] if isinstance(block.period, str) else list(block.period)
    require_columns(frame, [block.code, *period_columns, block.value, *block.where], path, f"published table {block.id!r}",
                    sheet)
    labels = label_of(spec, block.source)
    keep = where_mask(frame, block.where)
    codes = frame[block.code].astype("string").str.strip()
    periods_all = period_labels(frame, period_columns, block.period_label)
    problems: list[Problem] = []
    for area in block.areas:
        if not (codes == area.code).fillna(False).any():
            problems.append(area_not_in_table(area, codes, path, sheet, labels.get(block.code, block.code)))
    chosen = keep & codes.isin([a.code for a in block.areas]).fillna(False).to_numpy()
    published_periods = list(dict.fromkeys(periods_all[chosen].dropna()))
    periods = block.periods or published_periods
    for period in periods:
        if period not in published_periods:
            problems.append(Problem(f"period {period!r} of published table {block.id!r} has no row for the chosen areas "
                                    f"(the table has {', '.join(published_periods) or 'none'})", file=str(path),
                                    sheet=sheet, column=labels.get(period_columns[0], period_columns[0]),
                                    value=period))
    if problems:
        raise DataError(problems)
    value_label = labels.get(block.value, block.value)
    cells: dict[tuple[str, str], list[tuple[int, float | None]]] = {}
    for i in np.flatnonzero(chosen):
        row = int(data.rows[i])
        cells.setdefault((str(codes.iat[i]), str(periods_all.iat[i])), []).append(
            (row, _number(frame[block.value].iat[i], path, row, value_label, sheet)))
    values = [[_cell(cells.get((area.code, period), []), block, path, sheet, labels) for period in periods]
              for area in block.areas]
    population, population_title = _population(spec, block, base_dir, log)
    return PublishedRows(block.id, spec.sources[block.source].title or block.source, list(periods), values,
                         population, population_title)


def _cell(found: list[tuple[int, float | None]], block: PublishedTable, path: Path, sheet: str | None,
          labels: dict[str, str]) -> float | None:
    """One area's figure for one period: its row's value; with sum_rows the sum of its rows (missing if any is)."""
    if not found:
        return None
    if len(found) > 1 and not block.sum_rows:
        rows = ", ".join(str(r) for r, _ in found)
        raise DataError(Problem(f"published table {block.id!r} has {len(found)} rows for one area and period (rows "
                                f"{rows}): filter further with where, or set sum_rows: true", file=str(path), sheet=sheet,
                                column=labels.get(block.code, block.code)))
    numbers = [v for _, v in found]
    return None if any(v is None for v in numbers) else float(sum(numbers))


def _population(spec: Spec, block: PublishedTable, base_dir: Path, log: IssueLog) -> tuple[dict[str, float], str]:
    """Partner area code -> the sum of the population columns, as published (a missing cell: no population)."""
    given = block.own.population if block.own is not None else None
    if given is None:
        return {}, ""
    path = source_path(spec, base_dir, given.source)
    data = read_table(given.source, spec.sources[given.source], path, log)
    frame = data.frame
    require_columns(frame, [given.code, *given.value], path, f"published table {block.id!r}'s population", data.sheet)
    labels = label_of(spec, given.source)
    population = {}
    for i in range(len(frame)):
        parts = [_number(frame[c].iat[i], path, int(data.rows[i]), labels.get(c, c), data.sheet) for c in given.value]
        if all(p is not None for p in parts):
            population[str(frame[given.code].iat[i]).strip()] = float(sum(parts))
    return population, spec.sources[given.source].title or given.source
