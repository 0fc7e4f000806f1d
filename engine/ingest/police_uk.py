"""Read a folder of police.uk monthly street-level files (``YYYY-MM-<force>-street.csv[.gz]``).

police.uk files are published one a month with a fixed header. We read only the columns the
engine uses (pyarrow's CSV reader, all as text), tolerate the optional ones being absent (our
bundled demo copies are trimmed), and keep every row: ASB rows legitimately have blank IDs and
legitimately repeat each other, so nothing is de-duplicated here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from engine.errors import DataError, Problem

#: police.uk header -> tidy column name used in specs' ``where:`` filters.
COLUMN_NAMES: dict[str, str] = {
    "Crime ID": "crime_id",
    "Month": "month",
    "Reported by": "reported_by",
    "Falls within": "falls_within",
    "Location": "location",
    "LSOA code": "small_area_code",
    "LSOA name": "small_area_name",
    "Crime type": "crime_type",
    "Last outcome category": "last_outcome",
}
TIDY_COLUMNS = tuple(COLUMN_NAMES.values())
REQUIRED = ("Month", "LSOA code", "Crime type")

#: The crime types police.uk publishes (its fixed vocabulary since May 2017).
CRIME_TYPES = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
    "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery",
    "Shoplifting", "Theft from the person", "Vehicle crime", "Violence and sexual offences",
)
KNOWN_VALUES: dict[str, tuple[str, ...]] = {"crime_type": CRIME_TYPES}

FILE_PATTERN = re.compile(r"^(\d{4}-\d{2})-.+-street\.csv(\.gz)?$")
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MAX_LISTED = 20


@dataclass
class PoliceUkData:
    """Every row of every monthly file, as categorical text columns with tidy names."""

    rows: pd.DataFrame
    files: list[Path]
    rows_per_file: dict[str, int] = field(default_factory=dict)


def monthly_files(folder: Path) -> list[Path]:
    """The folder's monthly street files in month order; an error if there are none."""
    if not folder.is_dir():
        raise DataError(Problem("police.uk folder not found", file=str(folder)))
    files = sorted(p for p in folder.iterdir() if FILE_PATTERN.match(p.name))
    if not files:
        raise DataError(Problem("no police.uk monthly files (YYYY-MM-<force>-street.csv) in this folder", file=str(folder)))
    return files


def _read_one(path: Path) -> pa.Table:
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


def read_police_uk(folder: Path) -> PoliceUkData:
    """Read every monthly file in ``folder`` into one table; raise one DataError listing all problems."""
    files = monthly_files(folder)
    tables, problems, counts = [], [], {}
    for path in files:
        try:
            table = _read_one(path)
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
    return PoliceUkData(rows=frame, files=files, rows_per_file=counts)
