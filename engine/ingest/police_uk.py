"""Read a folder of police.uk monthly street-level files (``YYYY-MM-<force>-street.csv[.gz]``).

police.uk files are published one a month with a fixed header. We read only the columns the
engine uses (pyarrow's CSV reader, all as text), tolerate the optional ones being absent (our
bundled demo copies are trimmed to five columns), and keep every row, with the file and line it
came from. The real files' quirks are handled on purpose, each counted (:func:`quirks`):

- anti-social behaviour rows have no Crime ID (police.uk publishes none): kept;
- ASB rows that repeat another row exactly are distinct incidents at the same snapped location:
  kept — never de-duplicate on whole rows;
- a crime ID republished in a later month (its outcome changed) is the same crime: counted once,
  in its first month, unless the source says ``repeated_crime_ids: keep_all``;
- rows with no location and rows in LSOAs outside the partner areas are placed (or not) by
  :mod:`engine.ingest` and listed in the data-quality report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from engine.errors import DataError, Problem
from engine.ingest.issues import IssueLog
from engine.ingest.safety import Limits, check_file
from engine.quality import EXCLUDED
from engine.vocabulary.police_uk import COLUMN_NAMES, CRIME_TYPES, KNOWN_VALUES, TIDY_COLUMNS  # noqa: F401 - re-exported

REQUIRED = ("Month", "LSOA code", "Crime type")

FILE_PATTERN = re.compile(r"^(\d{4}-\d{2})-.+-street\.csv(\.gz)?$")
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MAX_LISTED = 20


ASB = "Anti-social behaviour"
REPEAT = "repeat"  # marks a row whose crime ID already appeared in an earlier month


@dataclass
class PoliceUkData:
    """Every row of every monthly file, as categorical text columns with tidy names."""

    rows: pd.DataFrame
    files: list[Path]
    rows_per_file: dict[str, int] = field(default_factory=dict)
    file_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))  # per row
    line: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # 1-based line in its file


def monthly_files(folder: Path) -> list[Path]:
    """The folder's monthly street files in month order; an error if there are none."""
    if not folder.is_dir():
        raise DataError(Problem("police.uk folder not found", file=str(folder)))
    files = sorted(p for p in folder.iterdir() if FILE_PATTERN.match(p.name))
    if not files:
        raise DataError(Problem("no police.uk monthly files (YYYY-MM-<force>-street.csv) in this folder", file=str(folder)))
    return files


def _read_one(path: Path, limits: Limits) -> pa.Table:
    check_file(path, limits)
    try:
        with pacsv.open_csv(path) as reader:  # reads only the header and the first block
            present = reader.schema.names
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        raise DataError(Problem(f"cannot read police.uk file: {exc}".split("\n")[0], file=str(path))) from None
    missing = [c for c in REQUIRED if c not in present]
    if missing:
        raise DataError([Problem(f"required police.uk column {c!r} is missing (columns found: {', '.join(present)})",
                                 file=str(path), row=1, column=c) for c in missing])
    wanted = [c for c in COLUMN_NAMES if c in present]
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            include_columns=wanted,
            column_types={c: pa.string() for c in wanted},
            strings_can_be_null=False,
        ),
    )
    return table.rename_columns([COLUMN_NAMES[c] for c in table.column_names])


def _check_months(path: Path, table: pa.Table) -> list[Problem]:
    """Month must be YYYY-MM; report the first bad cells with their row numbers."""
    months = table.column("month").to_pandas()
    bad = ~months.str.match(MONTH_PATTERN)
    return [Problem("month is not YYYY-MM", file=str(path), row=int(i) + 2, column="Month", value=months.iat[i])
            for i in bad.to_numpy().nonzero()[0][:MAX_LISTED]]


def read_police_uk(folder: Path, limits: Limits = Limits()) -> PoliceUkData:
    """Read every monthly file in ``folder`` into one table; raise one DataError listing all problems."""
    files = monthly_files(folder)
    tables, problems, counts = [], [], {}
    for path in files:
        try:
            table = _read_one(path, limits)
        except DataError as exc:
            problems += exc.problems
            continue
        problems += _check_months(path, table)
        counts[path.name] = table.num_rows
        tables.append(table)
    if problems:
        raise DataError(problems)
    columns = set.intersection(*(set(t.column_names) for t in tables))
    combined = pa.concat_tables([t.select([c for c in TIDY_COLUMNS if c in columns]) for t in tables])
    frame = combined.to_pandas()
    for column in frame.columns:
        frame[column] = frame[column].astype("category")
    sizes = [t.num_rows for t in tables]
    file_index = np.repeat(np.arange(len(tables), dtype=np.int32), sizes)
    line = np.concatenate([np.arange(2, n + 2, dtype=np.int64) for n in sizes]) if sizes else np.zeros(0, np.int64)
    return PoliceUkData(rows=frame, files=files, rows_per_file=counts, file_index=file_index, line=line)


def quirks(name: str, data: PoliceUkData, repeated_crime_ids: str, log: IssueLog) -> np.ndarray:
    """Count police.uk's known quirks; return a mask of rows to keep out of every count (repeats)."""
    rows = data.rows
    excluded = np.zeros(len(rows), dtype=bool)
    if "crime_type" not in rows or "crime_id" not in rows:
        log.note(name, "no Crime ID column (a trimmed extract): crime IDs republished in a later month cannot be "
                       "detected, so every row is counted", len(rows))
        if "crime_type" in rows:
            _identical_asb(name, rows, log)
        return excluded
    ids = rows["crime_id"].astype(str).to_numpy(dtype=object)
    is_asb = (rows["crime_type"] == ASB).to_numpy()
    blank = ids == ""
    log.note(name, "anti-social behaviour rows without a Crime ID (police.uk publishes none for ASB): kept",
             int((blank & is_asb).sum()))
    if (blank & ~is_asb).any():
        log.note(name, "crime rows without a Crime ID: kept", int((blank & ~is_asb).sum()))
    _identical_asb(name, rows, log)
    months = rows["month"].astype(str).to_numpy(dtype=object)
    named = ~blank
    frame = pd.DataFrame({"id": ids[named], "month": months[named], "at": np.flatnonzero(named)})
    frame = frame.sort_values(["month", "at"], kind="stable")
    first_month = frame.groupby("id", sort=False)["month"].transform("first")
    later = frame.loc[frame["month"] != first_month]
    if len(later):
        at = later["at"].to_numpy()
        if repeated_crime_ids == "keep_all":
            log.note(name, "crime IDs already published in an earlier month: counted again (repeated_crime_ids: keep_all)",
                     len(at))
            return excluded
        excluded[at] = True
        for index in np.unique(data.file_index[at]):
            here = at[data.file_index[at] == index]
            log.add(name, str(data.files[index]), None, data.line[here], "Crime ID", ids[here], EXCLUDED,
                    "crime ID already published in an earlier month (its outcome was updated): counted once, "
                    "in its first month")
    return excluded


def _identical_asb(name: str, rows: pd.DataFrame, log: IssueLog) -> None:
    asb = rows.loc[rows["crime_type"] == ASB]
    repeats = int(asb.duplicated().sum()) if len(asb) else 0
    if repeats:
        log.note(name, "ASB rows identical to another (distinct incidents at the same snapped location): kept, "
                       "never de-duplicated", repeats)
