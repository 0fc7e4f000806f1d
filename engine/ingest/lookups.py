"""Lookups: code vintages (LSOA 2011 <-> 2021), the analysts' local names, population by year.

police.uk moved from 2011 to 2021 LSOA codes in 2023, so a spec whose geography is 2011 LSOAs
may meet 2021 codes in newer data (and the other way round). :func:`recode_table` builds the
translation from an ONS best-fit lookup: a code that maps to exactly one geography code is
translated; one that maps to several (LSOAs merged in 2021) cannot be placed and is reported.
"""
from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.errors import DataError, Problem
from engine.ingest.issues import IssueLog
from engine.ingest.tables import require_columns
from engine.quality import EXCLUDED

AMBIGUOUS = None  # a code that maps to several geography codes


@dataclass(frozen=True)
class Recoding:
    """Data code -> geography code (``AMBIGUOUS`` where it maps to several)."""

    to: dict[str, str | None]
    description: str

    def target(self, code: str) -> str | None:
        return self.to.get(code, AMBIGUOUS)

    def translations(self, codes: Iterable[str], known: Container[str]) -> dict[str, str | None]:
        """Each of ``codes`` that is not a ``known`` (geography) code but is of the other vintage -> its geography
        code, or ``AMBIGUOUS``; every source kind that carries small-area codes translates through this."""
        return {code: self.target(code) for code in codes if code not in known and code in self.to}


def recode_table(frame: pd.DataFrame, from_column: str, to_column: str, description: str) -> Recoding:
    pairs = frame[[from_column, to_column]].astype(str)
    pairs = pairs[(pairs[from_column] != "") & (pairs[to_column] != "")].drop_duplicates()
    targets = pairs.groupby(from_column, sort=False)[to_column].agg(list)
    return Recoding({code: (found[0] if len(found) == 1 else AMBIGUOUS) for code, found in targets.items()}, description)


def local_names(frame: pd.DataFrame, code: str, name: str, small_area_codes: np.ndarray, official: np.ndarray,
                source: str, file: str, rows: np.ndarray, log: IssueLog) -> np.ndarray:
    """Each small area's local name where the analysts gave one, its official name otherwise.

    Codes in the local-names table that are not small areas of the geography are reported (a
    typo there would otherwise silently leave an area with its official name).
    """
    given = frame[[code, name]].astype(str)
    known = set(small_area_codes.tolist())
    stray = ~given[code].isin(known)
    if stray.any():
        log.add(source, file, None, rows[stray.to_numpy()], code, given.loc[stray, code].to_numpy(dtype=object), EXCLUDED,
                "local name for a code that is not a small area of the geography")
    named = given.loc[~stray & (given[name].str.strip() != "")].drop_duplicates(code).set_index(code)[name]
    result = np.array([named.get(c, o) for c, o in zip(small_area_codes, official)], dtype=object)
    log.note(source, "small areas shown by their local name", int(len(set(named.index) & known)))
    missing = len(known - set(named.index))
    if missing:
        log.note(source, "small areas with no local name: shown by their official name", missing)
    return result


def population_column(frame: pd.DataFrame, code: str, value: str | None, values_by_year: dict[int, str] | None,
                      year_column: str | None, year: int | str, file: str) -> tuple[pd.Series, int | None]:
    """The chosen year's population per code (as read) and the year; ``year='latest'`` takes the newest."""
    if values_by_year is not None:
        chosen = max(values_by_year) if year == "latest" else int(year)
        column = values_by_year[chosen]
        require_columns(frame, [code, column], file, "population denominators")
        return frame.drop_duplicates(code).set_index(code)[column], chosen
    require_columns(frame, [code, value] + ([year_column] if year_column else []), file, "population denominators")
    if year_column is None:
        return frame.drop_duplicates(code).set_index(code)[value], None
    years = pd.to_numeric(frame[year_column].astype(str).str.extract(r"(\d{4})")[0], errors="coerce")
    if years.isna().all():
        raise DataError(Problem(f"no four-digit years in column {year_column!r}", file=file, column=year_column))
    chosen = int(years.max()) if year == "latest" else int(year)
    rows = frame.loc[years == chosen]
    if rows.empty:
        raise DataError(Problem(f"no population rows for {chosen} (years found: "
                                f"{', '.join(str(int(y)) for y in sorted(years.dropna().unique()))})", file=file,
                                column=year_column))
    return rows.drop_duplicates(code).set_index(code)[value], chosen
