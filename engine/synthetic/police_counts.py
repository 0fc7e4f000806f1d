"""Crime counts per LSOA, month and police.uk crime type, from a police.uk folder.

The synthetic police extract copies these counts (police.uk is published from the same force
records, so a partner extract should agree with it), and every other source uses them as the
map of where incidents concentrate. Only three columns are read; nothing here is an ingest
path for the engine (that is :mod:`engine.ingest`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from engine.errors import DataError, Problem
from engine.months import month_number, month_text
from engine.synthetic.geography import DemoGeography
from engine.synthetic.period import Period

FILE_PATTERN = re.compile(r"^(\d{4}-\d{2})-.+-street\.csv(\.gz)?$")
COLUMNS = ["Month", "LSOA code", "Crime type"]


@dataclass(frozen=True)
class PoliceCounts:
    """``counts[lsoa, month, type]`` inside the geography; ``no_location[month, type]`` for blank LSOAs."""

    crime_types: tuple[str, ...]
    counts: np.ndarray
    no_location: np.ndarray

    @property
    def per_lsoa(self) -> np.ndarray:
        return self.counts.sum(axis=(1, 2))


def _files(folder: Path, period: Period) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if (m := FILE_PATTERN.match(p.name))
                   and period.first_month <= month_number(m.group(1)) <= period.last_month)
    if not files:
        raise DataError(Problem("no police.uk monthly street files for the period", file=str(folder)))
    return files


def _positions(column: pa.ChunkedArray, labels) -> np.ndarray:
    """Each value's position in ``labels`` (-1 if absent), looked up once per distinct value."""
    encoded = column.combine_chunks().dictionary_encode()
    table = pd.Index(list(labels)).get_indexer(encoded.dictionary.to_pylist())
    return table[encoded.indices.to_numpy(zero_copy_only=False)]


def read_police_counts(folder: Path, geography: DemoGeography, period: Period,
                       crime_types: tuple[str, ...]) -> PoliceCounts:
    """Count rows of the named crime types; other types (anti-social behaviour) are left out."""
    if not folder.is_dir():
        raise DataError(Problem("police.uk folder not found", file=str(folder)))
    table = pa.concat_tables([pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        include_columns=COLUMNS, column_types={c: pa.string() for c in COLUMNS}, strings_can_be_null=False))
        for path in _files(folder, period)])
    month_labels = [month_text(m) for m in range(period.first_month, period.last_month + 1)]
    month = _positions(table.column("Month"), month_labels)
    kind = _positions(table.column("Crime type"), crime_types)
    lsoa = _positions(table.column("LSOA code"), geography.lsoa_codes)
    blank_lsoa = _positions(table.column("LSOA code"), [""]) == 0
    months = period.last_month - period.first_month + 1
    wanted = (kind >= 0) & (month >= 0)
    placed = wanted & (lsoa >= 0)
    counts = _tally((lsoa[placed], month[placed], kind[placed]), (len(geography.lsoa_codes), months, len(crime_types)))
    blank = wanted & blank_lsoa
    no_location = _tally((month[blank], kind[blank]), (months, len(crime_types)))
    return PoliceCounts(crime_types, counts, no_location)


def _tally(index: tuple[np.ndarray, ...], shape: tuple[int, ...]) -> np.ndarray:
    """How many rows fall in each cell of an array of ``shape``."""
    flat = np.ravel_multi_index(index, shape)
    return np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape)


def simulated_counts(geography: DemoGeography, period: Period, rates: dict[str, float],
                     intensity: np.ndarray, rng: np.random.Generator) -> PoliceCounts:
    """Poisson counts at ``rates`` per 1,000 a year scaled by intensity: when no police.uk data is given."""
    crime_types = tuple(rates)
    months = period.last_month - period.first_month + 1
    per_month = np.outer(geography.lsoa_population * intensity / 1000 / 12, np.array(list(rates.values())))
    counts = rng.poisson(np.repeat(per_month[:, None, :], months, axis=1))
    return PoliceCounts(crime_types, counts, np.zeros((months, len(crime_types)), dtype=np.int64))
