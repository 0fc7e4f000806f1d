"""Area groups: the group (a deprivation decile, an area classification) each small area belongs to.

A spec's ``area_groups`` name a lookup source with one row per small area. Reading it is
geography, not counting, so it lives here: the result is one group position per small area,
which :mod:`engine.indicators.counted.area_groups` sums counts and residents over.

What can go wrong, and what happens:

- a group value that is not a number (``order: numeric``) or not one of the spec's ``values``,
  or is blank, for a small area of the geography: an error naming the file, sheet, row, column
  and value (every such row, up to :data:`MAX_LISTED`, in one run);
- a small area listed twice with different groups: an error naming both rows;
- a small area of the geography that the source does not list: kept in its partner area's and
  the benchmark's totals, in no group, and reported in the data-quality log (file and row of the
  small-area lookup that lists it), never silently dropped.

Rows for codes outside the geography (a national file) are ignored.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from engine.errors import DataError, Problem
from engine.ingest.geography import Geography, source_path
from engine.ingest.issues import IssueLog
from engine.ingest.table_source import TableData, read_table
from engine.ingest.tables import require_columns
from engine.quality import EXCLUDED
from engine.spec.models import AreaGroup, Scalar, Spec
from engine.suggest import did_you_mean

NO_GROUP = -1
MAX_LISTED = 20


@dataclass(frozen=True)
class SmallAreaGroups:
    """One area group's reading: its groups in display order and each small area's position among them."""

    group_id: str
    labels: list[Scalar]  # the groups as shown: numbers for numeric groups, else text
    of_small_area: np.ndarray  # index into labels per small area; NO_GROUP where the source does not list it
    description: str  # the source, in words (its description or its name)
    file: str
    missing: list[str]  # codes of the geography's small areas the source does not list


def group_key(value: object) -> str | None:
    """A value's identity for matching: whole numbers without ``.0`` (``1``, ``1.0`` and ``"1"`` are one
    group), other text trimmed; None for a blank or missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    number = _number(text)
    if number is not None and number.is_integer():
        return str(int(number))
    return text


def _number(text: str) -> float | None:
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _label(key: str, numeric: bool) -> Scalar:
    """How a group is shown: a number for numeric groups (so Excel sorts and charts it as one)."""
    if not numeric:
        return key
    number = float(key)
    return int(number) if number.is_integer() else number


def _ordered_groups(group: AreaGroup, found: list[str]) -> tuple[list[str], list[Scalar]]:
    """(keys, labels) in display order: the spec's values as listed, else the values found, sorted."""
    if group.values is not None:
        keys = [group_key(v) or "" for v in group.values]
        numeric = all(_number(k) is not None for k in keys)
        return keys, [_label(k, numeric) for k in keys]
    distinct = sorted(set(found))
    if group.order == "numeric":
        distinct.sort(key=lambda k: float(k))
        return distinct, [_label(k, True) for k in distinct]
    distinct.sort(key=str.casefold)
    return distinct, [_label(k, False) for k in distinct]


def _value_problems(group: AreaGroup, data: TableData, rows: pd.Index, keys: pd.Series) -> list[Problem]:
    """Blank values, non-numbers (numeric order) and values not listed in the spec, for the given rows."""
    allowed = None if group.values is None else {group_key(v) for v in group.values}
    problems = []
    for index in rows:
        key, value = keys[index], data.frame[group.column][index]
        if key is None:
            reason = f"no {group.label} value for this {group.code}"
        elif allowed is not None and key not in allowed:
            reason = (f"{key!r} is not one of the groups area_groups {group.id!r} lists"
                      f"{did_you_mean(key, [str(v) for v in group.values or []])}")
        elif allowed is None and group.order == "numeric" and _number(key) is None:
            reason = f"{key!r} is not a number (area group {group.id!r} has order: numeric)"
        else:
            continue
        problems.append(Problem(reason, file=str(data.files[0]), sheet=data.sheet, row=int(data.rows[index]),
                                column=group.column, value=None if value is None or value != value else value))
        if len(problems) >= MAX_LISTED:
            break
    return problems


def _conflicts(group: AreaGroup, data: TableData, inside: pd.DataFrame) -> list[Problem]:
    """A small area listed more than once with different groups: name its rows."""
    varied = inside.groupby("code")["key"].nunique(dropna=False)
    problems = []
    for code in varied[varied > 1].index[:MAX_LISTED]:
        listed = inside[inside["code"] == code]
        where = ", ".join(f"row {int(data.rows[i])} ({data.frame[group.column][i]!r})" for i in listed.index)
        problems.append(Problem(f"{group.code} {code} is listed with different groups: {where}", file=str(data.files[0]),
                                sheet=data.sheet, column=group.column, value=code))
    return problems


def _recoded(group: AreaGroup, data: TableData, rows: pd.DataFrame, known: set[str], listed: set[str],
             geography: Geography, log: IssueLog) -> pd.DataFrame:
    """Rows whose code is of the other vintage (2021 LSOAs for a 2011 geography, say), translated.

    A small area the source lists under its own code keeps that row. A code that maps to several
    small areas (areas merged between vintages), or several codes of one small area (an area split)
    that disagree on the group, place nothing; each such row is listed with why.
    """
    if geography.recoding is None:
        return rows.iloc[:0]
    targets = geography.recoding.translations(rows["code"].dropna().unique(), known)
    if not targets:
        return rows.iloc[:0]
    other = rows[rows["code"].isin(targets.keys())].copy()
    other["code"] = other["code"].map(targets)
    file = str(data.files[0])

    def excluded(which: pd.DataFrame, reason: str) -> None:
        if len(which):
            log.add(group.source, file, data.sheet, data.rows[which.index.to_numpy()], group.code,
                    rows.loc[which.index, "code"].to_numpy(dtype=object), EXCLUDED, reason)

    excluded(other[other["code"].isna()], f"{geography.recoding.description}: the code maps to several "
                                          f"{geography.small_area_label}s (merged between vintages), so it places none "
                                          f"in a '{group.label}' group")
    other = other[other["code"].notna() & other["code"].isin(known) & ~other["code"].isin(listed)]
    if len(other):
        problems = _value_problems(group, data, other.index, other["key"])
        if problems:
            raise DataError(problems)
    varied = other.groupby("code")["key"].nunique(dropna=False)
    split = other["code"].isin(varied[varied > 1].index)
    excluded(other[split], f"{geography.recoding.description}: the codes this {geography.small_area_label} was split "
                           f"into are in different '{group.label}' groups, so it is in none")
    kept = other[~split]
    if len(kept):
        log.note(group.source, f"small-area codes of another vintage translated ({geography.recoding.description})",
                 len(kept), example=", ".join(rows.loc[kept.index[:3], "code"]))
    return kept


def _lookup_rows(spec: Spec, base_dir: Path, codes: list[str]) -> tuple[str, np.ndarray]:
    """The small-area lookup's file and the row listing each code (for the data-quality log)."""
    small = spec.geography.small_areas
    data = read_table(small.source, spec.sources[small.source], source_path(spec, base_dir, small.source), IssueLog())
    listed = pd.Series(data.rows, index=data.frame[small.code].astype(str)).groupby(level=0).first()
    return str(data.files[0]), listed.reindex(codes).fillna(0).to_numpy(dtype=np.int64)


def _one_group(spec: Spec, base_dir: Path, group: AreaGroup, data: TableData, geography: Geography,
               log: IssueLog) -> SmallAreaGroups:
    require_columns(data.frame, [group.code, group.column], data.files[0], f"area group {group.id!r}", data.sheet)
    codes = data.frame[group.code].astype("string").str.strip()
    keys = pd.Series([group_key(v) for v in data.frame[group.column].astype(object)], index=data.frame.index,
                     dtype=object)  # object: None stays None (a str column would make it NaN)
    known = set(geography.small_area_codes.tolist())
    inside = pd.DataFrame({"code": codes, "key": keys}, dtype=object)
    direct = inside[inside["code"].isin(known)]
    problems = _value_problems(group, data, direct.index, keys) + _conflicts(group, data, direct)
    if problems:
        raise DataError(problems)
    inside = pd.concat([direct, _recoded(group, data, inside, known, set(direct["code"]), geography, log)])
    key_of = inside.drop_duplicates("code").set_index("code")["key"]
    ordered, labels = _ordered_groups(group, key_of.tolist())
    position = {key: i for i, key in enumerate(ordered)}
    of_small_area = np.array([position[key_of[c]] if c in key_of.index else NO_GROUP for c in geography.small_area_codes],
                             dtype=np.int64)
    missing = [str(c) for c, g in zip(geography.small_area_codes, of_small_area) if g == NO_GROUP]
    description = spec.sources[group.source].description or group.source
    if missing:
        lookup_file, rows = _lookup_rows(spec, base_dir, missing)
        log.add(group.source, lookup_file, None, rows, spec.geography.small_areas.code, np.array(missing, dtype=object),
                EXCLUDED, f"{geography.small_area_label} not in {group.source} (column {group.code!r}): in no "
                          f"'{group.label}' group, still counted in its {geography.partner_label.lower()} and the "
                          f"benchmark")
    log.note(group.source, f"{group.label}: {geography.small_area_label}s placed in a group",
             len(geography.small_area_codes) - len(missing))
    return SmallAreaGroups(group.id, labels, of_small_area, description, str(data.files[0]), missing)


def load_area_groups(spec: Spec, base_dir: Path, geography: Geography, log: IssueLog) -> dict[str, SmallAreaGroups]:
    """Every area group of the spec, by id; all broken groups reported together."""
    tables: dict[str, TableData] = {}
    groups: dict[str, SmallAreaGroups] = {}
    problems: list[Problem] = []
    for group in spec.area_groups:
        try:
            if group.source not in tables:
                tables[group.source] = read_table(group.source, spec.sources[group.source],
                                                  source_path(spec, base_dir, group.source), log)
            groups[group.id] = _one_group(spec, base_dir, group, tables[group.source], geography, log)
        except DataError as error:
            problems += error.problems
    if problems:
        raise DataError(problems)
    return groups
