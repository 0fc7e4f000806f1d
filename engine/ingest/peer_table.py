"""Read a peer-group export (e.g. iQuanta's most similar groups): one row per group member and measure.

The result is tidy and placed on the spec's geography: each row's partner area (the group it
belongs to), member, measure, count, and the member's events per resident (from its population,
or from its rate). Rows of the area itself are dropped (its own rate comes from its own data),
groups of areas that are not partner areas are left out and counted, and a partner area with
no group is named, so the workbook can say it was ranked among the partner areas instead.
Nothing here knows about indicators: which measure serves which indicator is the spec's map.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from engine.errors import DataError, Problem
from engine.ingest.columns import DATE_FORMATS, MONTH_FORMATS, parse_dates
from engine.ingest.geography import Geography, source_path
from engine.ingest.issues import IssueLog
from engine.ingest.markers import marker_set
from engine.ingest.partner_places import PARTNER_CODE_COLUMN, PARTNER_NAME_COLUMN, normalised_name, partner_positions
from engine.ingest.table_source import read_table
from engine.ingest.tables import require_columns
from engine.months import month_number
from engine.spec.models import Spec
from engine.stats import rates
from engine.suggest import did_you_mean

MAX_LISTED = 20


@dataclass(frozen=True)
class PeerTable:
    """The export's usable rows (arrays aligned by row) and what could not be used."""

    source: str
    path: Path
    description: str
    partner: np.ndarray  # index into Geography.partner_names
    peer: np.ndarray  # member names, as written
    measure: np.ndarray  # measure names, as written
    count: np.ndarray  # float, NaN where not available
    per_resident: np.ndarray  # events per resident (count ÷ population, or rate ÷ rate_per); NaN where unknown
    population: np.ndarray  # float, NaN where unknown (a zero rate with no population column)
    period_end: np.ndarray  # month numbers (engine.months), −1 where blank
    rows: np.ndarray  # 1-based file rows, for messages
    period_column: str  # as the file's header has it
    sheet: str | None
    missing_partners: list[str] = field(default_factory=list)  # partner areas the export has no group for


def _numbers(frame: pd.DataFrame, column: str, rows: np.ndarray, markers: frozenset[str], file: str,
             sheet: str | None) -> np.ndarray:
    """A number column as floats; status markers are missing; anything else that is not a number is an error."""
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=float, na_value=np.nan)
    text = values.astype(str).str.strip()
    numbers = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(numbers) & ~text.isin(markers | {"", "nan", "None", "<NA>"}).to_numpy()
    if bad.any():
        raise DataError([Problem("not a number", file=file, sheet=sheet, row=int(row), column=column, value=value)
                         for row, value in zip(rows[bad][:MAX_LISTED], text[bad][:MAX_LISTED])])
    return numbers


def _months(frame: pd.DataFrame, column: str, rows: np.ndarray, file: str, sheet: str | None) -> np.ndarray:
    """Month numbers of a month column (YYYY-MM once typed) or of dates and month texts (Oct-22, 31/10/2022)."""
    text = frame[column].astype(str).str.strip()
    distinct = [t for t in text.unique() if t not in ("", "nan", "None", "<NA>")]
    parsed = dict(zip(distinct, parse_dates(distinct, MONTH_FORMATS + DATE_FORMATS)))
    bad = [t for t, value in parsed.items() if value is None]
    if bad:
        where = text.isin(bad).to_numpy()
        raise DataError([Problem("not a month (e.g. 2022-10, Oct-22 or 31/10/2022)", file=file, sheet=sheet,
                                 row=int(row), column=column, value=value)
                         for row, value in zip(rows[where][:MAX_LISTED], text[where][:MAX_LISTED])])
    to_month = {t: month_number(str(np.datetime64(v, "M"))) for t, v in parsed.items()}
    return text.map(to_month).fillna(-1).to_numpy(dtype=np.int64)


def _check_measures(spec: Spec, measures: pd.Series, column: str, file: str, sheet: str | None) -> None:
    """Every measure the spec maps must be one the export holds (a misspelling would silently rank nothing)."""
    present = sorted(set(measures.astype(str)))
    problems = [Problem(f"measure {name!r} (peer_groups.measures.{indicator_id}) is not in the export"
                        f"{did_you_mean(name, present)}", file=file, sheet=sheet, column=column, value=name)
                for indicator_id, name in spec.peer_groups.measures.items() if name not in present]
    if problems:
        raise DataError(problems)


def _check_duplicates(partner: np.ndarray, peer: pd.Series, measure: pd.Series, rows: np.ndarray, file: str,
                      sheet: str | None, column: str) -> None:
    keys = pd.DataFrame({"p": partner, "peer": peer.astype(str).map(normalised_name).to_numpy(),
                         "m": measure.astype(str).to_numpy()})
    twice = keys.duplicated(keep="first").to_numpy()
    if twice.any():
        raise DataError([Problem(f"{peer.iloc[i]!r} is listed twice in the same group for measure {measure.iloc[i]!r}",
                                 file=file, sheet=sheet, row=int(rows[i]), column=column, value=str(peer.iloc[i]))
                         for i in np.flatnonzero(twice)[:MAX_LISTED]])


def _own_rows(area: pd.Series, member: pd.Series, partner: np.ndarray, geography: Geography,
              aliases: dict[str, str]) -> np.ndarray:
    """Rows listing the group's own area as a member: by the same label, or by the partner's name (or alias) or code."""
    same_label = (member.astype(str).map(normalised_name) == area.astype(str).map(normalised_name)).to_numpy()
    codes, names = geography.partner_codes, geography.partner_names
    by_name = partner_positions(member, PARTNER_NAME_COLUMN, codes, names, aliases, -1, -1)
    by_code = partner_positions(member, PARTNER_CODE_COLUMN, codes, names, {}, -1, -1)
    return same_label | ((partner >= 0) & ((by_name == partner) | (by_code == partner)))


def read_peer_table(spec: Spec, base_dir: Path, geography: Geography, log: IssueLog) -> PeerTable | None:
    """The spec's peer-group export, or None when the spec names none."""
    groups = spec.peer_groups
    if groups is None:
        return None
    name = groups.source
    source = spec.sources[name]
    path = source_path(spec, base_dir, name)
    data = read_table(name, source, path, log)
    frame, file, sheet = data.frame, str(path), data.sheet
    value_column = groups.population or groups.rate
    require_columns(frame, [groups.area, groups.peer, groups.measure, groups.count, value_column, groups.period_end],
                    path, "the peer groups", sheet)
    # From here on columns go by the file's own headers, so that every message names what the analyst sees.
    labels = {column.name: partner for partner, column in (source.column_specs() or {}).items()}
    frame = frame.rename(columns=labels)
    area, peer, measure, count_column, value_column, period = (
        labels.get(c, c) for c in (groups.area, groups.peer, groups.measure, groups.count, value_column, groups.period_end))
    _check_measures(spec, frame[measure], measure, file, sheet)
    markers = marker_set(source.missing_markers)
    rows = data.rows
    key = PARTNER_NAME_COLUMN if groups.match_on == "name" else PARTNER_CODE_COLUMN
    partner = partner_positions(frame[area], key, geography.partner_codes, geography.partner_names,
                                spec.geography.partner_areas.aliases, -1, -1)
    itself = _own_rows(frame[area], frame[peer], partner, geography, spec.geography.partner_areas.aliases)
    outside = partner < 0
    if outside.any():
        areas = frame.loc[outside, area].astype(str).value_counts()
        log.note(name, "rows of groups whose area is not a partner area: not used", int(outside.sum()),
                 example=", ".join(areas.index[:3]))
    if (itself & ~outside).any():
        log.note(name, "rows of a partner area itself in its own group: left out (its own data gives its rate)",
                 int((itself & ~outside).sum()))
    keep = ~outside & ~itself
    frame, rows, partner = frame.loc[keep], rows[keep], partner[keep]
    _check_duplicates(partner, frame[peer], frame[measure], rows, file, sheet, peer)
    count = _numbers(frame, count_column, rows, markers, file, sheet)
    value = _numbers(frame, value_column, rows, markers, file, sheet)
    for column, numbers in ((count_column, count), (value_column, value)):
        negative = numbers < 0
        if negative.any():
            raise DataError([Problem("a count, population or rate cannot be negative", file=file, sheet=sheet,
                                     row=int(row), column=column, value=float(v))
                             for row, v in zip(rows[negative][:MAX_LISTED], numbers[negative][:MAX_LISTED])])
    if groups.population is not None:
        population = np.where(value > 0, value, np.nan)
        per_resident = rates(count, population, 1.0)
    else:
        per_resident = value / groups.rate_per
        with np.errstate(divide="ignore", invalid="ignore"):
            population = np.where(per_resident > 0, count / per_resident, np.nan)
    unusable = np.isnan(per_resident) | np.isnan(count)
    if unusable.any():
        log.note(name, "group members with no count or population for a measure: left out of that measure's group",
                 int(unusable.sum()), example=", ".join(frame.loc[unusable, peer].astype(str).unique()[:3]))
    missing = [str(n) for i, n in enumerate(geography.partner_names) if i not in set(partner.tolist())]
    if missing:
        log.note(name, "partner areas with no group in the export: ranked among the partner areas instead",
                 len(missing), example=", ".join(missing[:3]))
    return PeerTable(name, path, source.description, partner, frame[peer].astype(str).to_numpy(dtype=object),
                     frame[measure].astype(str).to_numpy(dtype=object), count, per_resident, population,
                     _months(frame, period, rows, file, sheet), rows, period, sheet, missing)
