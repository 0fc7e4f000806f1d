"""Small areas, the partner areas that contain them, the benchmark, and their populations.

Everything is selected through lookups named in the spec (never by code ranges), so the same
code serves any force or county. The benchmark is all partner areas together.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from engine.errors import DataError, Problem
from engine.ingest.tables import read_text_table, require_columns
from engine.spec.filters import where_mask
from engine.spec.models import Spec

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

    @property
    def partner_population(self) -> np.ndarray:
        return np.bincount(self.small_area_partner, weights=self.small_area_population, minlength=len(self.partner_names))

    @property
    def benchmark_population(self) -> float:
        return float(self.small_area_population.sum())


def source_path(spec: Spec, base_dir: Path, source_name: str) -> Path:
    return (base_dir / spec.sources[source_name].path).resolve()


def load_geography(spec: Spec, base_dir: Path) -> Geography:
    geo = spec.geography
    partner_path = source_path(spec, base_dir, geo.partner_areas.source)
    partners = read_text_table(partner_path)
    require_columns(partners, [geo.partner_areas.code, geo.partner_areas.name, *geo.partner_areas.where], partner_path, "partner areas")
    partners = partners.loc[where_mask(partners, geo.partner_areas.where)]
    partners = partners.drop_duplicates(geo.partner_areas.code).sort_values(geo.partner_areas.name)
    if partners.empty:
        raise DataError(Problem("no partner areas match geography.partner_areas.where", file=str(partner_path)))

    small_path = source_path(spec, base_dir, geo.small_areas.source)
    small = read_text_table(small_path)
    sa = geo.small_areas
    require_columns(small, [sa.code, sa.name, sa.partner_area_code], small_path, "the small-area lookup")
    small = small.drop_duplicates(sa.code)
    partner_codes = partners[geo.partner_areas.code].to_numpy()
    small = small.loc[small[sa.partner_area_code].isin(partner_codes)].sort_values(sa.code)
    if small.empty:
        raise DataError(Problem(f"no small areas belong to the partner areas ({', '.join(partner_codes)})",
                                file=str(small_path), column=sa.partner_area_code))

    pop_path = source_path(spec, base_dir, geo.population.source)
    pops = read_text_table(pop_path)
    require_columns(pops, [geo.population.code, geo.population.value], pop_path, "population denominators")
    pops = pops.drop_duplicates(geo.population.code).set_index(geo.population.code)[geo.population.value]
    population = _population_values(small[sa.code], pops, pop_path, geo.population.value)

    position = {code: i for i, code in enumerate(partner_codes)}
    return Geography(
        small_area_codes=small[sa.code].to_numpy(dtype=object),
        small_area_names=small[sa.name].to_numpy(dtype=object),
        small_area_partner=small[sa.partner_area_code].map(position).to_numpy(dtype=np.int64),
        small_area_population=population,
        partner_codes=partner_codes.astype(object),
        partner_names=partners[geo.partner_areas.name].to_numpy(dtype=object),
        benchmark_name=geo.benchmark.name,
        small_area_label=sa.label,
        partner_label=geo.partner_areas.label,
    )


def _population_values(codes: pd.Series, pops: pd.Series, path: Path, column: str) -> np.ndarray:
    """Each small area's population; a missing, non-numeric or non-positive one is an error."""
    raw = codes.map(pops)
    numbers = pd.to_numeric(raw.str.replace(",", "", regex=False), errors="coerce")
    problems = []
    for code, text, number in zip(codes, raw, numbers):
        if pd.isna(text):
            problems.append(Problem(f"no population for small area {code}", file=str(path), column=column))
        elif pd.isna(number) or number <= 0:
            problems.append(Problem(f"population of {code} must be a positive number", file=str(path), column=column, value=text))
        if len(problems) >= MAX_LISTED:
            break
    if problems:
        raise DataError(problems)
    return numbers.to_numpy(dtype=float)
