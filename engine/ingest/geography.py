"""Small areas, the partner areas that contain them, the benchmark, and their populations.

Everything is selected through lookups named in the spec (never by code ranges), so the same
code serves any force or county. The benchmark is all partner areas together.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from engine.errors import DataError, Problem, SpecError
from engine.ingest.issues import IssueLog
from engine.ingest.partner_groups import grouped_partners
from engine.ingest.lookups import Recoding, local_names, population_column, recode_table
from engine.ingest.table_source import TableData, read_table
from engine.ingest.tables import require_columns
from engine.spec.filters import where_mask
from engine.spec.models import Spec
from engine.spec.suggest import did_you_mean

MAX_LISTED = 20


@dataclass(frozen=True)
class Geography:
    """Arrays aligned by small area (sorted by code) and by partner area (sorted by name)."""

    small_area_codes: np.ndarray
    small_area_names: np.ndarray
    small_area_partner: np.ndarray  # index into partner_names for each small area
    small_area_population: np.ndarray
    partner_codes: np.ndarray
    partner_names: np.ndarray
    benchmark_name: str
    small_area_label: str
    partner_label: str
    population_year: int | None = None
    recoding: Recoding | None = None
    partner_rows: pd.DataFrame | None = None  # the lookup's row of each partner area, in partner order (every column)

    @property
    def partner_population(self) -> np.ndarray:
        return np.bincount(self.small_area_partner, weights=self.small_area_population, minlength=len(self.partner_names))

    @property
    def benchmark_population(self) -> float:
        return float(self.small_area_population.sum())


def source_path(spec: Spec, base_dir: Path, source_name: str) -> Path:
    return (base_dir / spec.sources[source_name].path).resolve()


class _Lookups:
    """Each lookup source read once, however many parts of the geography use it."""

    def __init__(self, spec: Spec, base_dir: Path, log: IssueLog):
        self.spec, self.base_dir, self.log = spec, base_dir, log
        self._read: dict[str, TableData] = {}

    def __call__(self, name: str) -> TableData:
        if name not in self._read:
            source = self.spec.sources[name]
            if source.type == "police_uk":
                raise SpecError(Problem(f"source {name!r} is a police_uk folder, not a lookup table", key_path=f"sources.{name}"))
            data = read_table(name, source, source_path(self.spec, self.base_dir, name), self.log)
            categorical = [c for c in data.frame.columns if isinstance(data.frame[c].dtype, pd.CategoricalDtype)]
            data.frame = data.frame.astype({c: object for c in categorical})  # lookups sort and map by value
            self._read[name] = data
        return self._read[name]


def _partner_rows(spec: Spec, lookup: _Lookups) -> tuple[pd.DataFrame, pd.DataFrame, dict, Path]:
    """The partner-area lookup's rows that the spec's ``partner_areas.where`` picks: the partner areas (one per code,
    by name), every picked row (a CSP or force has one per district it spans), the group each code falls in, and
    the lookup's file."""
    geo = spec.geography
    partner_data = lookup(geo.partner_areas.source)
    partner_path, partners = partner_data.files[0], partner_data.frame
    require_columns(partners, [geo.partner_areas.code, geo.partner_areas.name, *geo.partner_areas.where], partner_path,
                    "partner areas", partner_data.sheet)
    partners = partners.loc[where_mask(partners, geo.partner_areas.where)]
    members = partners  # every row: a CSP or force has one per district it spans
    partners, group_of = grouped_partners(partners, geo.partner_areas.groups, geo.partner_areas.code,
                                          geo.partner_areas.name)
    partners = partners.drop_duplicates(geo.partner_areas.code).sort_values(geo.partner_areas.name)
    if partners.empty:
        raise DataError(Problem("no partner areas match geography.partner_areas.where", file=str(partner_path)))
    return partners, members, group_of, partner_path


def partner_area_names(spec: Spec, base_dir: Path) -> list[str]:
    """The partner areas' names, from the partner-area lookup alone (a small table): to check a build's
    ``--area`` names before any data is read."""
    partners = _partner_rows(spec, _Lookups(spec, base_dir, IssueLog()))[0]
    return [str(name) for name in partners[spec.geography.partner_areas.name]]


def load_geography(spec: Spec, base_dir: Path, log: IssueLog | None = None) -> Geography:
    log = log if log is not None else IssueLog()
    lookup = _Lookups(spec, base_dir, log)
    geo = spec.geography
    partners, members, group_of, partner_path = _partner_rows(spec, lookup)

    small_data = lookup(geo.small_areas.source)
    small_path, small = small_data.files[0], small_data.frame
    sa = geo.small_areas
    require_columns(small, [sa.code, sa.name, sa.partner_area_code], small_path, "the small-area lookup", small_data.sheet)
    small = small.drop_duplicates(sa.code)
    partner_codes = partners[geo.partner_areas.code].to_numpy()
    small_partner = partner_of_small_areas(small[sa.partner_area_code], members, geo.partner_areas.code,
                                           geo.partner_areas.via, str(partner_path), group_of)
    small = small.assign(**{sa.partner_area_code: small_partner})
    small = small.loc[small[sa.partner_area_code].isin(partner_codes)].sort_values(sa.code)
    if small.empty:
        raise DataError(Problem(f"no small areas belong to the partner areas ({', '.join(map(str, partner_codes))})",
                                file=str(small_path), column=sa.partner_area_code))
    codes = small[sa.code].to_numpy(dtype=object)
    names = small[sa.name].to_numpy(dtype=object)

    pop = geo.population
    pop_data = lookup(pop.source)
    pops, year = population_column(pop_data.frame, pop.code, pop.value, pop.values_by_year, pop.year_column, pop.year,
                                   str(pop_data.files[0]))
    population = _population_values(small[sa.code], pops, pop_data.files[0],
                                     pop.value or (pop.values_by_year or {}).get(year, ""),
                                     spec.quality.max_small_area_population, _rows_by_code(pop_data, pop.code))

    if sa.local_names is not None:
        local = lookup(sa.local_names.source)
        require_columns(local.frame, [sa.local_names.code, sa.local_names.name], local.files[0], "local names", local.sheet)
        names = local_names(local.frame, sa.local_names.code, sa.local_names.name, codes, names, sa.local_names.source,
                            str(local.files[0]), local.rows, log)
    recoding = None
    if sa.recode is not None:
        table = lookup(sa.recode.source)
        require_columns(table.frame, [sa.recode.from_, sa.recode.to], table.files[0], "recoding small-area codes", table.sheet)
        about = spec.sources[sa.recode.source].description or sa.recode.source
        recoding = recode_table(table.frame, sa.recode.from_, sa.recode.to, f"{sa.recode.from_} to {sa.recode.to} ({about})")

    position = {code: i for i, code in enumerate(partner_codes)}
    return Geography(
        small_area_codes=codes,
        small_area_names=names,
        small_area_partner=small[sa.partner_area_code].map(position).to_numpy(dtype=np.int64),
        small_area_population=population,
        partner_codes=partner_codes.astype(object),
        partner_names=partners[geo.partner_areas.name].to_numpy(dtype=object),
        benchmark_name=geo.benchmark.name,
        small_area_label=sa.label,
        partner_label=geo.partner_areas.label,
        population_year=year,
        recoding=recoding,
        partner_rows=partners.reset_index(drop=True),
    )


def _rows_by_code(data: TableData, code: str) -> dict[str, int]:
    """The file row of each code's first listing (for messages)."""
    rows: dict[str, int] = {}
    for value, row in zip(data.frame[code].astype(str), data.rows):
        rows.setdefault(value, int(row))
    return rows


def partner_of_small_areas(containing: pd.Series, members: pd.DataFrame, code: str, via: str | None, file: str,
                           group_of: dict[str, str] | None = None) -> pd.Series:
    """Each small area's partner-area code, from the code of the area that contains it in the small-area lookup.

    Partner areas may be those areas themselves (districts), or groups of them listed in the partner-area lookup
    (a Community Safety Partnership or a police force area of several districts): the lookup's ``via`` column
    (default: the column holding most of the containing codes) leads from district to partner area, so an LSOA
    joins LSOA → district → CSP or force. ``group_of``: a spec-defined group's code for each of its members' codes.
    """
    group_of = group_of or {}

    def grouped(codes: pd.Series) -> pd.Series:
        return codes.astype(str).map(lambda c: group_of.get(c, c))

    given = set(containing.astype(str))
    if via is None:
        if given & set(members[code].astype(str)):
            return grouped(containing)
        overlap = {c: len(given & set(members[c].astype(str))) for c in members.columns if c != code}
        via = max(overlap, key=overlap.get) if overlap and max(overlap.values()) else None
        if via is None:
            return containing  # nothing links them: the caller's "no small areas belong" error explains
    elif via not in members.columns:
        raise SpecError(Problem(f"geography.partner_areas.via: no column {via!r} in {file}"
                                f"{did_you_mean(via, members.columns)}", key_path="geography.partner_areas.via"))
    pairs = pd.DataFrame({via: members[via].astype(str), code: grouped(members[code])}).drop_duplicates()
    split = pairs[pairs[via].duplicated(keep=False) & pairs[via].isin(given)]
    if not split.empty:
        first = split[split[via] == split[via].iloc[0]]
        raise DataError(Problem(
            f"{via} {first[via].iloc[0]} is split between partner areas {', '.join(first[code])} (and "
            f"{split[via].nunique() - 1} more {via} so split): each of these partner areas is smaller than a {via} "
            f"area (a partnership that follows districts abolished when a unitary authority was formed), so its "
            f"small areas cannot be told apart through {via}. Use a small-area lookup that names each small area's "
            f"partner area directly (Saferbook ships one for every CSP of England and Wales: "
            f"data/ons/lsoa11_csp23_pfa23_ew.csv.gz), or build them together (geography.partner_areas.groups)", file=file, column=via))
    return containing.astype(str).map(dict(zip(pairs[via], pairs[code])))


def _population_values(codes: pd.Series, pops: pd.Series, path: Path, column: str, most: float = float("inf"),
                       rows: dict[str, int] | None = None) -> np.ndarray:
    """Each small area's population; a missing, non-numeric, non-positive or implausible one is an error.

    Implausible: over ``quality.max_small_area_population`` (a typed 1e9 would make every rate near zero).
    """
    raw = codes.map(pops)
    text = raw.where(raw.isna(), raw.astype(str).str.replace(",", "", regex=False))
    numbers = pd.to_numeric(text, errors="coerce")
    present = pops.index.get_indexer(codes) >= 0  # as map() found them (isin of Arrow text goes value by value)
    problems = []
    for code, found, value, number in zip(codes, present, raw, numbers):
        if not found:
            problems.append(Problem(f"no population for small area {code}", file=str(path), column=column))
        elif pd.isna(number) or number <= 0:
            problems.append(Problem(f"population of {code} must be a positive number", file=str(path), column=column,
                                    value=None if pd.isna(value) else value))
        elif not number <= most:
            problems.append(Problem(f"population of {code} is implausible: over {most:,.0f} "
                                    "(quality.max_small_area_population)", file=str(path),
                                    row=(rows or {}).get(str(code)), column=column, value=value))
        if len(problems) >= MAX_LISTED:
            break
    if problems:
        raise DataError(problems)
    return numbers.to_numpy(dtype=float)
