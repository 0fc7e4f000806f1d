"""The demo geography: LSOAs, the districts (partner areas) that contain them, populations.

Read from the repository's own lookup and population CSVs (never from outside the project),
and nothing else: whatever districts the lookup lists are the partner areas the synthetic
partners report on.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from engine.errors import DataError, Problem
from engine.synthetic.config import REPO_ROOT

ONS_DIR = REPO_ROOT / "data" / "ons"


@dataclass(frozen=True)
class GeographyFiles:
    """Where the lookup and populations are and what their columns are called."""

    lookup_csv: Path = ONS_DIR / "lsoa11_lad22_leicestershire.csv"
    population_csv: Path = ONS_DIR / "population20_lsoa11_leicestershire.csv"
    lsoa_code: str = "LSOA11CD"
    lsoa_name: str = "LSOA11NM"
    district_code: str = "LAD22CD"
    district_name: str = "LAD22NM"
    population: str = "All Ages (mid-2020)"


@dataclass(frozen=True)
class DemoGeography:
    """Arrays aligned by LSOA (sorted by code) and by district (sorted by name)."""

    lsoa_codes: np.ndarray
    lsoa_names: np.ndarray
    lsoa_district: np.ndarray  # index into district_names
    lsoa_population: np.ndarray
    district_codes: np.ndarray
    district_names: np.ndarray

    @property
    def district_population(self) -> np.ndarray:
        return np.bincount(self.lsoa_district, weights=self.lsoa_population, minlength=len(self.district_names))

    def lsoas_of(self, district: int) -> np.ndarray:
        return np.flatnonzero(self.lsoa_district == district)


def read_csv_columns(path: Path, columns: list[str]) -> pd.DataFrame:
    """A CSV as text, every named column required (an error names the file and column)."""
    if not path.is_file():
        raise DataError(Problem("file not found", file=str(path)))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [Problem(f"column {name!r} is missing", file=str(path), row=1, column=name)
               for name in columns if name not in frame.columns]
    if missing:
        raise DataError(missing)
    return frame


def load_geography(files: GeographyFiles = GeographyFiles()) -> DemoGeography:
    """LSOAs of the lookup that have a positive population, and their districts."""
    lookup = read_csv_columns(files.lookup_csv,
                              [files.lsoa_code, files.lsoa_name, files.district_code, files.district_name])
    pops = read_csv_columns(files.population_csv, [files.lsoa_code, files.population])
    lookup = lookup.drop_duplicates(files.lsoa_code).sort_values(files.lsoa_code)
    population = pd.to_numeric(pops.drop_duplicates(files.lsoa_code).set_index(files.lsoa_code)[files.population]
                               .str.replace(",", "", regex=False), errors="coerce")
    lookup = lookup.assign(_pop=lookup[files.lsoa_code].map(population))
    lookup = lookup.loc[lookup["_pop"] > 0]
    if lookup.empty:
        raise DataError(Problem("no LSOA of the lookup has a population", file=str(files.population_csv)))
    districts = lookup.drop_duplicates(files.district_code).sort_values(files.district_name)
    position = {code: i for i, code in enumerate(districts[files.district_code])}
    return DemoGeography(
        lsoa_codes=lookup[files.lsoa_code].to_numpy(dtype=object),
        lsoa_names=lookup[files.lsoa_name].to_numpy(dtype=object),
        lsoa_district=lookup[files.district_code].map(position).to_numpy(dtype=np.int64),
        lsoa_population=lookup["_pop"].to_numpy(dtype=float),
        district_codes=districts[files.district_code].to_numpy(dtype=object),
        district_names=districts[files.district_name].to_numpy(dtype=object),
    )
