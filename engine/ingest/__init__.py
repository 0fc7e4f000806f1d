"""Ingest: read every source a spec names into tidy rows placed on the spec's geography.

The result knows nothing of indicators or workbooks: it is rows with a month and a small-area
position each, plus every row that could not be placed or was rejected or cleaned, and why (the
data-quality log). police.uk folders and generic tables (csv, excel) arrive in the same shape.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from engine.errors import DataError, Problem, SpecError
from engine.ingest.area_groups import SmallAreaGroups, load_area_groups
from engine.ingest.benchmark_areas import benchmark_members
from engine.ingest.boundaries import Boundaries, load_boundaries
from engine.ingest.cache import (IngestCache, area_groups_key, boundaries_key, comparators_key, geography_files,
                                 geography_key, peer_table_key, published_key, source_files, source_key)
from engine.ingest.generated import require_generated
from engine.ingest.geography import Geography, load_geography, source_path
from engine.ingest.groups import grouped
from engine.ingest.issues import UNPLACED, IssueLog, IssueOwners
from engine.ingest.partner_places import PARTNER_KEY_COLUMNS, partner_key_column, partner_positions
from engine.ingest.comparator_table import ComparatorRows, read_comparator_rows
from engine.ingest.published_table import PublishedRows, read_published_rows
from engine.ingest.peer_table import PeerTable, read_peer_table
from engine.ingest.periods import PERIOD_MONTHS
from engine.ingest.police_columns import columns_kept
from engine.ingest.police_uk import CRIME_TYPES, other_forces, quirks, read_police_uk
from engine.ingest.safety import Limits
from engine.ingest.table_source import read_table
from engine.months import month_number
from engine.quality import EXCLUDED, QualityNote
from engine.spec.models import Spec

NO_LOCATION = -1
OUTSIDE_AREA = -2
NOT_COUNTED = -3  # placed nowhere on purpose: a repeat, or a code that maps to several small areas
MONTH_COLUMN = "month"
AREA_COLUMN = "small_area_code"


SMALL_AREA = "small_area"
PARTNER_AREA = "partner_area"


@dataclass
class SourceRows:
    """One source's tidy rows, each row's month number and its place on the geography.

    ``level`` says what ``area`` indexes: the Geography's small areas (``small_area``: police.uk,
    LSOA-coded extracts) or its partner areas (``partner_area``: extracts that record only the
    district). ``dated`` is False for a snapshot with no month column (a caseload at the period
    end): every row's month is then -1 and the source takes no part in the period checks.
    """

    name: str
    description: str
    path: Path
    rows: pd.DataFrame
    month: np.ndarray  # month numbers (see engine.months); -1 where unknown
    area: np.ndarray  # index into Geography arrays (see level), or NO_LOCATION / OUTSIDE_AREA / NOT_COUNTED
    files: list[Path] = field(default_factory=list)
    level: str = SMALL_AREA
    dated: bool = True
    period_months: int = 1  # 3: quarterly, 12: annual (each row's month is its period's last month)
    rejected: "RejectedRows | None" = None  # rows rejected for a bad cell: where they were (see RejectedRows)

    @property
    def months_present(self) -> set[int]:
        """The months rows are dated by (for quarterly or annual data, the last month of each period)."""
        if not self.dated:
            return set()
        return set(np.unique(self.month).tolist()) - {-1}

    @property
    def months_covered(self) -> set[int]:
        """Every month some row's period covers: a quarter's three months, a year's twelve."""
        return {m - k for m in self.months_present for k in range(self.period_months)}

    def missing_periods(self, first: int, last: int) -> list[int]:
        """The periods (by their last month) that touch the months ``first``..``last`` but have no rows.

        Monthly data needs every month; quarterly data every quarter the months touch (a window ending
        in the middle of a quarter needs that whole quarter), annual data every year.
        """
        present = self.months_present
        step = self.period_months
        if step == 1 or not present:
            return [m for m in range(first, last + 1) if m not in present]
        anchor = min(present) % step
        return [m for m in range(first, last + step) if m % step == anchor and m not in present]

    @property
    def period_word(self) -> str:
        return {1: "month", 3: "quarter", 12: "year"}.get(self.period_months, f"{self.period_months}-month period")

    def partner_of_rows(self, small_area_partner: np.ndarray) -> np.ndarray:
        """Each row's partner-area index (or a negative placement code), whatever the level."""
        if self.level == PARTNER_AREA:
            return self.area
        placed = self.area >= 0
        partner = self.area.copy()
        partner[placed] = small_area_partner[self.area[placed]]
        return partner


@dataclass(frozen=True)
class RejectedRows:
    """Rows a table source rejected for a bad cell, with their other cells, month and place (as SourceRows).

    A measure uses them to show the (area, period) a rejected value belonged to as missing, not as a smaller total.
    """

    rows: pd.DataFrame
    month: np.ndarray
    area: np.ndarray


@dataclass
class Inputs:
    geography: Geography
    sources: dict[str, SourceRows]
    quality: list[QualityNote]
    issues: IssueLog = field(default_factory=IssueLog)
    area_groups: dict[str, SmallAreaGroups] = field(default_factory=dict)  # by area group id
    peer_table: PeerTable | None = None  # the spec's peer-group export, when it names one
    boundaries: Boundaries | None = None  # the small areas' shapes, when the spec has maps
    comparators: ComparatorRows | None = None  # the spec's published comparator rows (force, region, England)
    published: list[PublishedRows] = field(default_factory=list)  # the spec's published long tables, in spec order

    def issue_owners(self) -> IssueOwners:
        """Each logged issue's partner area under this geography, worked out once for every workbook's use."""
        geo = self.geography
        return self.issues.owners(geo.partner_codes, geo.partner_names, geo.small_area_codes, geo.small_area_partner)


def _codes_to_positions(categorical: pd.Series, mapping: dict[str, int], default: int) -> np.ndarray:
    """Map a categorical column through ``mapping`` once per category, not once per row."""
    table = np.array([mapping.get(c, default) for c in categorical.cat.categories] + [default], dtype=np.int64)
    return table[categorical.cat.codes.to_numpy()]  # code -1 (missing) picks the trailing default


def _month_or_none(text: str) -> int:
    try:
        return month_number(text)
    except ValueError:
        return -1  # readers reject bad months before this; a row that slips through is counted nowhere


@dataclass
class _Origin:
    """Where each row came from, for the data-quality report."""

    files: list[Path]
    file_index: np.ndarray
    line: np.ndarray
    sheets: list[str | None] | None = None  # workbook sources: the sheets, and each row's index into them
    sheet_index: np.ndarray | None = None

    def log(self, log: IssueLog, source: str, mask: np.ndarray, column: str, values, action: str, reason: str) -> None:
        """Log the rows in ``mask``; ``values`` is one text for all, or one per masked row."""
        at = np.flatnonzero(mask)
        part = self.file_index[at] if self.sheet_index is None else \
            self.file_index[at] * (len(self.sheets or ()) + 1) + self.sheet_index[at]
        for _, here in grouped(part):
            first = at[here][0]
            sheet = self.sheets[self.sheet_index[first]] if self.sheets and self.sheet_index is not None else None
            # rows logged here could not be placed in one partner area: no partner is shown them
            log.add(source, str(self.files[self.file_index[first]]), sheet, self.line[at[here]], column,
                    values if isinstance(values, str) else np.asarray(values, dtype=object)[here], action, reason,
                    places=np.full(len(here), UNPLACED, dtype=object))


def _texts(categorical: pd.Series, mask: np.ndarray) -> np.ndarray:
    """The masked rows of a categorical column as text, without converting the whole column."""
    categories = np.append(categorical.cat.categories.to_numpy(dtype=object).astype(str), "")
    return categories[categorical.cat.codes.to_numpy()[mask]]


def _place(name: str, rows: pd.DataFrame, origin: _Origin, geography: Geography, log: IssueLog,
           area_label: str) -> tuple[np.ndarray, np.ndarray]:
    """Month numbers and small-area positions of every row; what cannot be placed is logged."""
    for column in (MONTH_COLUMN, AREA_COLUMN):
        if not isinstance(rows[column].dtype, pd.CategoricalDtype):
            rows[column] = rows[column].astype(str).astype("category")
    month_of = {text: _month_or_none(text) for text in rows[MONTH_COLUMN].cat.categories}
    month = _codes_to_positions(rows[MONTH_COLUMN], month_of, -1)

    position = {code: i for i, code in enumerate(geography.small_area_codes)}
    position[""] = NO_LOCATION
    recoded: dict[str, int] = {}
    if geography.recoding is not None:
        for code, target in geography.recoding.translations(rows[AREA_COLUMN].cat.categories, position).items():
            recoded[code] = position.get(target, OUTSIDE_AREA) if target is not None else NOT_COUNTED
    area = _codes_to_positions(rows[AREA_COLUMN], {**position, **recoded}, OUTSIDE_AREA)
    codes = rows[AREA_COLUMN]

    if recoded:
        moved = codes.isin([c for c, p in recoded.items() if p >= 0]).to_numpy()
        if moved.any():
            log.note(name, f"small-area codes of another vintage translated ({geography.recoding.description})",
                     int(moved.sum()), example=", ".join(str(c) for c in codes[moved].value_counts().head(3).index))
        ambiguous = codes.isin([c for c, p in recoded.items() if p == NOT_COUNTED]).to_numpy()
        if ambiguous.any():
            origin.log(log, name, ambiguous, area_label, _texts(codes, ambiguous), EXCLUDED,
                       "code maps to several small areas of the geography (areas merged between vintages): not placed")
    no_location = area == NO_LOCATION
    if no_location.any():
        origin.log(log, name, no_location, area_label, "", EXCLUDED,
                   "no location (blank small-area code): counted in no area, nor in the benchmark")
    outside = area == OUTSIDE_AREA
    if outside.any():
        origin.log(log, name, outside, area_label, _texts(codes, outside), EXCLUDED,
                   "small-area code outside the partner areas")
        distinct = codes[outside].value_counts()
        log.note(name, "distinct small-area codes outside the partner areas", len(distinct[distinct > 0]),
                 example=", ".join(f"{c} ({n})" for c, n in distinct.head(3).items()))
    return month, area


def _police_uk_rows(name: str, spec: Spec, base_dir: Path, geography: Geography, log: IssueLog) -> SourceRows:
    source = spec.sources[name]
    path = source_path(spec, base_dir, name)
    data = read_police_uk(path, Limits(max_file_mb=source.max_file_mb), name, source.forces)
    rows = data.rows
    log.note(name, f"rows read from {len(data.files)} monthly files", len(rows))
    other_forces(name, data, log)
    log.count_read(name, len(rows))
    repeats = quirks(name, data, source.repeated_crime_ids, log)
    month, area = _place(name, rows, _Origin(data.files, data.file_index, data.line), geography, log, "LSOA code")
    area[repeats] = NOT_COUNTED
    files = data.files
    del data  # its frame holds every column; only the ones a count can read are kept (see police_columns)
    rows = rows[[c for c in columns_kept(spec) if c in rows.columns]]
    unknown = ~rows["crime_type"].isin(CRIME_TYPES)
    if unknown.any():
        values = rows["crime_type"][unknown].value_counts()
        log.note(name, "crime type not in police.uk's list: kept, counted only by filters that include it",
                 int(unknown.sum()), example=", ".join(map(str, values.index[:3])))
    return SourceRows(name, source.description, path, rows, month, area, files)


def _place_partner_rows(name: str, spec: Spec, rows: pd.DataFrame, origin: _Origin, geography: Geography,
                        log: IssueLog, key: str, label: str) -> np.ndarray:
    """Partner-area positions of a partner-keyed table's rows; blanks and unknown areas are logged."""
    aliases = spec.geography.partner_areas.aliases
    area = partner_positions(rows[key], key, geography.partner_codes, geography.partner_names, aliases,
                             NO_LOCATION, OUTSIDE_AREA)
    values = rows[key].astype("string").fillna("").to_numpy(dtype=object)
    blank = area == NO_LOCATION
    if blank.any():
        origin.log(log, name, blank, label, "", EXCLUDED, f"no {geography.partner_label.lower()} given: counted nowhere")
    outside = area == OUTSIDE_AREA
    if outside.any():
        origin.log(log, name, outside, label, values[outside], EXCLUDED,
                   f"not one of the spec's {geography.partner_label.lower()}s (e.g. out of area, a total row): "
                   f"counted nowhere (if it is another spelling of one, the spec can name it as that one's alias)")
        distinct = pd.Series(values[outside]).value_counts()
        log.note(name, f"values that are not one of the spec's {geography.partner_label.lower()}s",
                 len(distinct), example=", ".join(f"{v} ({n})" for v, n in distinct.head(3).items()))
    return area


def _table_rows(name: str, spec: Spec, base_dir: Path, geography: Geography, log: IssueLog,
                counted: bool = True) -> SourceRows:
    """A csv/excel source as tidy rows, placed on small areas or (partner-keyed extracts) partner areas.

    A source that indicators count needs a month column; one used only by breakdowns may be an
    undated snapshot (a caseload at the period end).
    """
    source = spec.sources[name]
    path = source_path(spec, base_dir, name)
    data = read_table(name, source, path, log)
    columns = data.frame.columns
    partner_key = None if AREA_COLUMN in columns else partner_key_column(columns)
    missing = [c for c in ((MONTH_COLUMN,) if counted else ()) if c not in columns]
    if partner_key is None and AREA_COLUMN not in columns:
        missing.append(AREA_COLUMN)
    if missing:
        keys = " or ".join((AREA_COLUMN,) + PARTNER_KEY_COLUMNS)
        needs = [f"one column {MONTH_COLUMN}" if c == MONTH_COLUMN else f"one column {keys}" for c in missing]
        raise SpecError(Problem(f"source {name!r} is used by indicators or breakdowns, so its columns: must name "
                                f"{' and '.join(needs)} (e.g. 'Incident date': {{name: month, type: date}})",
                                key_path=f"sources.{name}.columns"))
    origin = _Origin(data.files, data.file_index, data.rows, data.sheets, data.sheet_index)
    label_of = {column.name: partner for partner, column in (source.column_specs() or {}).items()}
    frame = data.frame
    dated = MONTH_COLUMN in columns
    if not dated:
        frame[MONTH_COLUMN] = pd.Categorical([""] * len(frame))
    if partner_key is None:
        month, area = _place(name, frame, origin, geography, log, label_of.get(AREA_COLUMN, AREA_COLUMN))
        level = SMALL_AREA
    else:
        if not isinstance(frame[MONTH_COLUMN].dtype, pd.CategoricalDtype):
            frame[MONTH_COLUMN] = frame[MONTH_COLUMN].astype(str).astype("category")
        month_of = {text: _month_or_none(text) for text in frame[MONTH_COLUMN].cat.categories}
        month = _codes_to_positions(frame[MONTH_COLUMN], month_of, -1)
        area = _place_partner_rows(name, spec, frame, origin, geography, log, partner_key,
                                   label_of.get(partner_key, partner_key))
        level = PARTNER_AREA
    month_spec = next((c for c in source.tidy_columns() if c.name == MONTH_COLUMN), None)
    period_months = PERIOD_MONTHS.get(month_spec.type, 1) if month_spec is not None else 1
    rejected = _rejected_rows(spec, data.rejected, geography, partner_key, dated)
    return SourceRows(name, source.description, path, frame, month, area, data.files, level, dated, period_months,
                      rejected)


def _rejected_rows(spec: Spec, rows: pd.DataFrame | None, geography: Geography, partner_key: str | None,
                   dated: bool) -> RejectedRows | None:
    """Where each row rejected for a bad cell was (its month and area, when those cells were readable)."""
    if rows is None or rows.empty:
        return None
    rows = rows.reset_index(drop=True)
    if dated and MONTH_COLUMN in rows.columns:
        month = np.array([_month_or_none(str(m)) for m in rows[MONTH_COLUMN].astype("string").fillna("")], dtype=np.int64)
    else:
        month = np.full(len(rows), -1, dtype=np.int64)
    if partner_key is not None and partner_key in rows.columns:
        area = partner_positions(rows[partner_key], partner_key, geography.partner_codes, geography.partner_names,
                                 spec.geography.partner_areas.aliases, NO_LOCATION, OUTSIDE_AREA)
    elif AREA_COLUMN in rows.columns:
        position = {code: i for i, code in enumerate(geography.small_area_codes)}
        area = np.array([position.get(str(c), OUTSIDE_AREA) for c in rows[AREA_COLUMN].astype("string").fillna("")],
                        dtype=np.int64)
    else:
        return None
    return RejectedRows(rows, month, np.asarray(area, dtype=np.int64))


def _check_threshold(spec: Spec, log: IssueLog) -> None:
    limit = spec.quality.max_rejected_percent
    if limit is None:
        return
    problems = []
    for name, counts in log.counts.items():
        if counts.read and counts.rejected / counts.read * 100 > limit:
            frame = log.frame()
            reasons = frame.loc[(frame["source"] == name) & (frame["action"] == "rejected"), "reason"].value_counts()
            top = "; ".join(f"{reason} ({n:,})" for reason, n in reasons.head(3).items())
            problems.append(Problem(
                f"source {name!r} rejected {counts.rejected:,} of {counts.read:,} rows "
                f"({counts.rejected / counts.read:.1%}), more than quality.max_rejected_percent ({limit:g}%): {top}",
                file=str(spec.sources[name].path), key_path="quality.max_rejected_percent"))
    if problems:
        raise DataError(problems)


def sources_in_use(spec: Spec) -> dict[str, bool]:
    """Every source the spec's indicators, breakdowns or hotspots read, in spec order -> whether indicators count it
    (counted sources need a month; the rest, and sources read only by indicators with a measure block, may be
    undated snapshots)."""
    counted = {indicator.source for indicator in spec.indicators if indicator.measure is None}
    used = ([indicator.source for indicator in spec.indicators] + [b.source for b in spec.breakdowns]
            + [h.source for h in spec.hotspots] + [t.own.source for t in spec.published if t.own is not None])
    return {name: name in counted for name in dict.fromkeys(used)}


def _check_aliases(spec: Spec, geography: Geography) -> None:
    """Every alias must name one of the partner areas: a typo there would silently drop rows."""
    names = {str(n) for n in geography.partner_names}
    wrong = [Problem(f"alias {alias!r} points to {target!r}, which is not one of the partner areas "
                     f"({', '.join(sorted(names))})", key_path=f"geography.partner_areas.aliases.{alias}")
             for alias, target in spec.geography.partner_areas.aliases.items() if target not in names]
    if wrong:
        raise SpecError(wrong)


def load_inputs(spec: Spec, base_dir: Path, cache: IngestCache | None = None) -> Inputs:
    """Read the geography and every source an indicator or breakdown uses; all broken sources reported together.

    With a ``cache`` (one command building several specs, or the add-in between clicks), a source or geography
    already read the same way, from files that have not changed since, is not read again (see
    :mod:`engine.ingest.cache`).
    """
    cache = cache if cache is not None else IngestCache()
    cache.start(scope=json.dumps({"spec": spec.model_dump(mode="json"), "base_dir": str(base_dir.resolve())},
                                 sort_keys=True, default=str))
    log = IssueLog()
    geography = cache.read(geography_key(spec, base_dir), log, lambda own_log: load_geography(spec, base_dir, own_log),
                           geography_files(spec, base_dir))
    members = None if spec.geography.benchmark.areas is None else benchmark_members(
        spec, geography.partner_codes, geography.partner_names)
    geography = replace(geography, benchmark_name=spec.geography.benchmark.name, benchmark_members=members)
    _check_aliases(spec, geography)
    sources: dict[str, SourceRows] = {}
    problems: list[Problem] = []
    for name, counted in sources_in_use(spec).items():
        try:
            require_generated(spec, name, source_path(spec, base_dir, name))
            reader = _police_uk_rows if spec.sources[name].type == "police_uk" else partial(_table_rows, counted=counted)
            sources[name] = cache.read(source_key(spec, base_dir, name, counted), log,
                                       lambda own_log: reader(name, spec, base_dir, geography, own_log),
                                       source_files(spec, base_dir, [name]) + geography_files(spec, base_dir))
        except DataError as error:
            problems += error.problems
    area_groups, peer_table, boundaries = {}, None, None
    try:
        for group in spec.area_groups:
            require_generated(spec, group.source, source_path(spec, base_dir, group.source))
        if spec.area_groups:
            key, files = area_groups_key(spec, base_dir)
            area_groups = cache.read(key, log, lambda own_log: load_area_groups(spec, base_dir, geography, own_log),
                                     files)
    except DataError as error:
        problems += error.problems
    try:
        if spec.peer_groups is not None:
            require_generated(spec, spec.peer_groups.source, source_path(spec, base_dir, spec.peer_groups.source))
            key, files = peer_table_key(spec, base_dir)
            peer_table = cache.read(key, log, lambda own_log: read_peer_table(spec, base_dir, geography, own_log), files)
    except DataError as error:
        problems += error.problems
    comparators = None
    try:
        if spec.comparators is not None:
            require_generated(spec, spec.comparators.source, source_path(spec, base_dir, spec.comparators.source))
            key, files = comparators_key(spec, base_dir)
            comparators = cache.read(key, log, lambda own_log: read_comparator_rows(spec, base_dir, own_log), files)
    except DataError as error:
        problems += error.problems
    published = []
    for block in spec.published:
        try:
            for name in [block.source] + ([block.own.population.source] if block.own and block.own.population else []):
                require_generated(spec, name, source_path(spec, base_dir, name))
            key, files = published_key(spec, base_dir, block)
            published.append(cache.read(key, log, lambda own_log: read_published_rows(spec, block, base_dir, own_log),
                                        files))
        except DataError as error:
            problems += error.problems
    try:
        if spec.maps is not None:
            key, files = boundaries_key(spec, base_dir)
            boundaries = cache.read(key, log, lambda own_log: load_boundaries(spec.maps, base_dir, geography, own_log),
                                    files)
    except DataError as error:
        problems += error.problems
    if problems:
        raise DataError(problems)
    _check_threshold(spec, log)
    return Inputs(geography, sources, log.summary(), log, area_groups, peer_table, boundaries, comparators,
                  published)
