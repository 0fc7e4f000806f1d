"""Most similar groups: each partner area's ~15 similar community safety partnerships and their crime.

Mimics an iQuanta-style "most similar group" (MSG) export, which analysts receive and no one
publishes: per partner area, the group's members (the area itself and its peers), the offence
group, the 12 months' recorded crimes and the population. The peers are REAL partnerships of
England and Wales (the ONS district -> CSP -> police force lookup) chosen by similarity of
their real mid-2020 population, but their crime counts are SIMULATED at rates near the partner
area's own police.uk rates: the bundled police.uk data cover one force only, and real
most-similar groups cross forces. The area's own row copies its police.uk counts.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field

from engine.errors import DataError, Problem
from engine.months import month_text
from engine import stats
from engine.synthetic.config import Strict
from engine.synthetic.context import Context
from engine.synthetic.geography import read_csv_columns
from engine.synthetic.manifest import publish
from engine.synthetic.output import Table

SOURCE_ID = "peer_groups"
FILE_NAME = "most_similar_groups.xlsx"
SHEET = "MSG comparison"
NOT_AVAILABLE = ".."
HEADER = ["Most Similar Group Of", "MSG Member", "MSG Member Code", "Offence Group", "12 Months To",
          "Recorded Crimes", "Population (mid-2020)", "Crimes per 1,000 Population"]
AREA, MEMBER, CODE, MEASURE, PERIOD, COUNT, POPULATION, RATE = range(len(HEADER))
PROVENANCE = (
    "Most similar groups (SYNTHETIC). Mimics an iQuanta-style export of each partnership's most similar group of "
    "community safety partnerships: per group member, offence group, recorded crimes in the 12 months and "
    "population. The peers are real partnerships of England and Wales, chosen by their ONS mid-2020 population; "
    "their crime counts are simulated at rates near the partner area's own police.uk rates (the bundled police.uk "
    "data cover one force only). The partner area's own row copies its police.uk counts."
)


class Columns(Strict):
    """Column names of the ONS files the peers come from (kept in settings: no file layout in code)."""

    district: str
    csp_code: str
    csp_name: str
    population_district: str
    population: str


class Settings(Strict):
    csp_lookup: str = Field(description="District -> CSP lookup, relative to the settings file.")
    district_population: str = Field(description="Population by district, relative to the settings file.")
    columns: Columns
    population_label: str
    group_size: int = Field(ge=2)
    window_months: int = Field(ge=1)
    similarity_noise: float = Field(ge=0)
    area_level_sd: float = Field(ge=0)
    measure_sd: float = Field(ge=0)
    not_available: int = Field(ge=0)
    measures: dict[str, list[str]]


def candidate_partnerships(settings: Settings, data_dir: Path, exclude: set[str]) -> pd.DataFrame:
    """Every CSP whose districts all have a population, summed (code, name, population), by code.

    CSPs holding an ``exclude``d district (the partner areas themselves, whose crime is in the
    bundled data) are left out, and so are CSPs of districts the population file does not
    know (authorities created after it).
    """
    cols = settings.columns
    lookup = read_csv_columns(data_dir / settings.csp_lookup, [cols.district, cols.csp_code, cols.csp_name])
    pops = read_csv_columns(data_dir / settings.district_population, [cols.population_district, cols.population])
    population = pd.to_numeric(pops.set_index(cols.population_district)[cols.population].str.replace(",", ""),
                               errors="coerce")
    lookup = lookup.assign(_pop=lookup[cols.district].map(population))
    grouped = lookup.groupby(cols.csp_code).agg(name=(cols.csp_name, "first"), population=("_pop", "sum"),
                                                complete=("_pop", lambda p: bool(p.notna().all())),
                                                excluded=(cols.district, lambda d: bool(set(d) & exclude)))
    keep = grouped["complete"] & ~grouped["excluded"] & (grouped["population"] > 0)
    return grouped.loc[keep, ["name", "population"]].rename_axis("code").reset_index().sort_values("code")


def csp_codes(settings: Settings, data_dir: Path) -> dict[str, str]:
    """District code -> its CSP's code, for the area's own row (a district of several CSPs keeps its own code)."""
    cols = settings.columns
    lookup = read_csv_columns(data_dir / settings.csp_lookup, [cols.district, cols.csp_code])
    single = lookup.groupby(cols.district)[cols.csp_code].agg(lambda c: c.iloc[0] if c.nunique() == 1 else None)
    return {district: code for district, code in single.items() if code is not None}


def _check_measures(settings: Settings, crime_types: tuple[str, ...]) -> np.ndarray:
    """measure x crime type membership; an unknown crime type names its measure."""
    unknown = {name: sorted(set(types) - set(crime_types)) for name, types in settings.measures.items()}
    unknown = {name: types for name, types in unknown.items() if types}
    if unknown:
        raise ValueError(f"sources.{SOURCE_ID}.measures: unknown crime types {unknown}; known: {list(crime_types)}")
    return np.array([[t in types for t in crime_types] for types in settings.measures.values()], dtype=float)


def generate(ctx: Context) -> dict:
    settings = ctx.settings(SOURCE_ID, Settings)
    rng = ctx.rng(SOURCE_ID)
    geo = ctx.geography
    data_dir = ctx.config.path.resolve().parent
    candidates = candidate_partnerships(settings, data_dir, set(geo.district_codes.tolist()))
    own_codes = csp_codes(settings, data_dir)
    membership = _check_measures(settings, ctx.police.crime_types)
    window = ctx.police.counts[:, -settings.window_months:, :].sum(axis=1)  # [lsoa, type]
    n_districts, n_types = len(geo.district_names), len(ctx.police.crime_types)
    own = np.zeros((n_districts, n_types))
    np.add.at(own, geo.lsoa_district, window)
    population = geo.district_population
    whole_area = stats.rates(own.sum(axis=0), population.sum(), 1.0)
    n_peers = min(settings.group_size - 1, len(candidates))
    if n_peers < 1:
        raise DataError(Problem("no partnership outside the partner areas has a population to be a peer",
                                file=str(data_dir / settings.csp_lookup)))
    cand_pop = candidates["population"].to_numpy(dtype=float)
    period = month_text(ctx.period.last_month)
    period_label = dt.date(int(period[:4]), int(period[5:]), 1).strftime("%b-%y")
    rows: list[list[object]] = []
    for d in np.argsort(geo.district_names.astype(str), kind="stable"):
        distance = np.abs(np.log(cand_pop / population[d])) + rng.normal(0, settings.similarity_noise, len(cand_pop))
        chosen = np.sort(np.argsort(distance, kind="stable")[:n_peers])
        # Each peer's overall crime level and each crime type's departure from it, around the area's own rates
        # (the whole area's where the area has none of a type, so that peers are not all zero).
        rates = np.where(own[d] > 0, stats.rates(own[d], population[d], 1.0), whole_area)
        level = rng.normal(0, settings.area_level_sd, (n_peers, 1)) + rng.normal(0, settings.measure_sd, (n_peers, n_types))
        counts = rng.poisson(rates * cand_pop[chosen, None] * np.exp(level))
        members = [(str(candidates["name"].iloc[i]), str(candidates["code"].iloc[i]), float(cand_pop[i]), counts[k])
                   for k, i in enumerate(chosen)]
        code = str(geo.district_codes[d])
        members.append((str(geo.district_names[d]), own_codes.get(code, code), float(population[d]), own[d]))
        members.sort(key=lambda member: member[0])
        for measure, weights in zip(settings.measures, membership):
            for name, member_code, pop, type_counts in members:
                total = int(round(float(type_counts @ weights)))
                rows.append([str(geo.district_names[d]), name, member_code, measure, period_label, total, pop,
                             round(float(stats.rates(total, pop, 1000)), 1)])
    grid = np.array(rows, dtype=object)
    peer_rows = np.flatnonzero(grid[:, AREA] != grid[:, MEMBER])
    missing = np.sort(rng.choice(peer_rows, size=min(settings.not_available, len(peer_rows)), replace=False))
    grid[missing, COUNT] = NOT_AVAILABLE
    grid[missing, RATE] = NOT_AVAILABLE
    columns = [grid[:, i].copy() for i in range(len(HEADER))]
    header = list(HEADER)
    header[POPULATION] = settings.population_label
    table = Table(
        preamble=[f"Most Similar Group comparison: recorded crime, {settings.window_months} months to "
                  f"{dt.date(int(period[:4]), int(period[5:]), 1):%B %Y} (SYNTHETIC DEMO DATA)",
                  "Source: iQuanta-style export simulated by Saferbook. Peers are real community safety partnerships; "
                  "their crime counts are simulated.",
                  f"Extracted {ctx.created:%d/%m/%Y}"],
        header=header, columns=columns,
        footer=[f"Notes: {NOT_AVAILABLE} = not available for this partnership and offence group.",
                "Source: population, ONS mid-2020 estimates; recorded crime, simulated (SYNTHETIC)."],
        formats={COUNT: "#,##0", POPULATION: "#,##0", RATE: "0.0"})
    return publish(ctx, SOURCE_ID, FILE_NAME, {SHEET: table},
                   description="most similar groups: members, offence group, 12 months' crimes and population",
                   provenance=PROVENANCE, date_forms={"12 Months To": "mmm-yy text (Oct-22)"},
                   markers={NOT_AVAILABLE: "not available"}, bad_rows={},
                   group_size=n_peers + 1, period_end=period, measures=list(settings.measures),
                   candidates=len(candidates))
