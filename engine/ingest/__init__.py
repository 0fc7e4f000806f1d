"""Ingest: read every source a spec names into tidy rows placed on the spec's geography.

The result knows nothing of indicators or workbooks: it is rows with a month and a small-area
position each, plus counts of what could not be placed and why (the data-quality notes).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from engine.errors import SpecError
from engine.ingest.geography import Geography, load_geography, source_path
from engine.ingest.police_uk import CRIME_TYPES, read_police_uk
from engine.months import month_number
from engine.quality import QualityNote
from engine.spec.models import Spec

NO_LOCATION = -1
OUTSIDE_AREA = -2


@dataclass
class SourceRows:
    """One incident source: its rows, each row's month number and small-area position."""

    name: str
    description: str
    path: Path
    rows: pd.DataFrame
    month: np.ndarray  # month numbers (see engine.months)
    area: np.ndarray  # index into Geography arrays, or NO_LOCATION / OUTSIDE_AREA
    files: list[Path] = field(default_factory=list)

    @property
    def months_present(self) -> set[int]:
        return set(np.unique(self.month).tolist())


@dataclass
class Inputs:
    geography: Geography
    sources: dict[str, SourceRows]
    quality: list[QualityNote]


def _codes_to_positions(categorical: pd.Series, mapping: dict[str, int], default: int) -> np.ndarray:
    """Map a categorical column through ``mapping`` once per category, not once per row."""
    table = np.array([mapping.get(c, default) for c in categorical.cat.categories] + [default], dtype=np.int64)
    return table[categorical.cat.codes.to_numpy()]  # code -1 (missing) picks the trailing default


def _place_police_uk(name: str, spec: Spec, base_dir: Path, geography: Geography) -> tuple[SourceRows, list[QualityNote]]:
    source = spec.sources[name]
    path = source_path(spec, base_dir, name)
    data = read_police_uk(path)
    rows = data.rows
    month_of = {text: month_number(text) for text in rows["month"].cat.categories}
    month = _codes_to_positions(rows["month"], month_of, -1)

    position = {code: i for i, code in enumerate(geography.small_area_codes)}
    position[""] = NO_LOCATION
    area = _codes_to_positions(rows["small_area_code"], position, OUTSIDE_AREA)

    notes = [QualityNote(name, f"rows read from {len(data.files)} monthly files", len(rows))]
    no_location = int((area == NO_LOCATION).sum())
    notes.append(QualityNote(name, "no location (blank LSOA): counted in no area, nor in the benchmark", no_location))
    outside = area == OUTSIDE_AREA
    if outside.any():
        codes = rows["small_area_code"][outside].value_counts()
        notes.append(QualityNote(name, "LSOA outside the partner areas: excluded", int(outside.sum()),
                                 example=", ".join(f"{c} ({n})" for c, n in codes.head(3).items())))
    unknown = ~rows["crime_type"].isin(CRIME_TYPES)
    if unknown.any():
        values = rows["crime_type"][unknown].value_counts()
        notes.append(QualityNote(name, "crime type not in police.uk's list: kept, counted only by filters that include it",
                                 int(unknown.sum()), example=", ".join(map(str, values.index[:3]))))
    return SourceRows(name, source.description, path, rows, month, area, data.files), notes


def load_inputs(spec: Spec, base_dir: Path) -> Inputs:
    """Read the geography and every source an indicator counts from."""
    geography = load_geography(spec, base_dir)
    sources: dict[str, SourceRows] = {}
    quality: list[QualityNote] = []
    for name in dict.fromkeys(indicator.source for indicator in spec.indicators):
        if spec.sources[name].type != "police_uk":
            raise SpecError(f"source {name!r}: indicators can count rows of police_uk sources only")
        sources[name], notes = _place_police_uk(name, spec, base_dir, geography)
        quality += notes
    return Inputs(geography, sources, quality)
