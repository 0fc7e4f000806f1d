"""Read police.uk monthly street-level files (``YYYY-MM-<force>-street.csv[.gz]``).

Which files (a folder, its ``YYYY-MM/`` subfolders or the download's .zip; which forces) is
:mod:`engine.ingest.police_files`'s job; which rows repeat a crime is :mod:`engine.ingest.police_repeats`'s.

police.uk files are published one a month with a fixed header. We read only the columns the
engine uses (pyarrow's CSV reader, all as text), tolerate the optional ones being absent (our
bundled demo copies are trimmed to five columns), and keep every row, with the file and line it
came from. The real files' quirks are handled on purpose, each counted (:func:`quirks`):

- anti-social behaviour rows have no Crime ID (police.uk publishes none): kept;
- ASB rows that repeat another row exactly are distinct incidents at the same snapped location:
  kept — never de-duplicate on whole rows;
- a crime ID republished in a later month (its outcome changed) is the same crime: counted once,
  in its first month, unless the source says ``repeated_crime_ids: keep_all``;
- a crime ID repeated within one month (a whole-row duplicate, or a differing row): counted once;
- rows with no location and rows in LSOAs outside the partner areas are placed (or not) by
  :mod:`engine.ingest` and listed in the data-quality report.
"""
from __future__ import annotations

import csv
import ctypes
import ctypes.util
import functools
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from engine.errors import DataError, Problem
from engine.ingest.groups import by_chunk, grouped
from engine.ingest.id_codes import BLANK, id_codes, on_several_rows
from engine.ingest.issues import IssueLog
from engine.ingest.police_files import MonthlyFile, check_one_file_per_force_month, discover, select_forces
from engine.ingest.police_repeats import KEPT, LATER_MONTH, REASONS, repeat_kinds
from engine.ingest.safety import Limits, check_file
from engine.quality import EXCLUDED
from engine.vocabulary.police_uk import COLUMN_NAMES, CRIME_TYPES, KNOWN_VALUES, TIDY_COLUMNS  # noqa: F401 - re-exported

#: the columns with few distinct values (read as categoricals); the rest are nearly unique per row
CATEGORY_COLUMNS = frozenset({"month", "reported_by", "falls_within", "small_area_code", "small_area_name",
                              "crime_type", "last_outcome"})
REQUIRED = ("Month", "LSOA code", "Crime type")
ENCODED = pa.dictionary(pa.int32(), pa.string())  # how the few-valued columns are read
HEADER_BYTES = 1 << 16  # enough for police.uk's header line
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter: the size from which an allocation gets its own mapping

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MAX_LISTED = 20


ASB = "Anti-social behaviour"


@dataclass
class PoliceUkData:
    """Every row of every monthly file, as categorical text columns with tidy names."""

    rows: pd.DataFrame
    files: list[Path]
    rows_per_file: dict[str, int] = field(default_factory=dict)
    file_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))  # per row
    line: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # 1-based line in its file
    other_forces: set[str] = field(default_factory=set)  # forces present but not chosen by the spec
    other_force_rows: dict[str, int] = field(default_factory=dict)  # their files -> rows, set aside


def _memory_pool() -> pa.MemoryPool:
    """Where the files' Arrow data is allocated: jemalloc where pyarrow has it, since it hands freed memory back to
    the system (the default mimalloc kept about a third more at national scale, the CSV reader's buffers), else
    the default. It is made Arrow's default pool too: the CSV reader allocates the blocks it reads and parses in the
    default pool whatever pool it is given, and mimalloc kept about 650 MB of them after a national read, freed
    but never handed back (a third of the build's peak memory)."""
    _large_arrays_handed_back()
    try:
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(0)  # hand freed pages back at once, not seconds later (after the peak)
        if pa.default_memory_pool() is not pool:
            pa.set_memory_pool(pool)
        return pool
    except (NotImplementedError, pa.ArrowNotImplementedError):
        return pa.default_memory_pool()


@functools.cache
def _large_arrays_handed_back() -> None:
    """Have glibc's malloc give every large array (numpy's working arrays) its own mapping, handed back when freed.

    By default glibc raises that size to 32 MB as arrays are freed, and the arrays of a few million rows
    (tens of MB each) made while finding repeats were then kept in its heap after use, about 100 MB under the next
    step's peak at national scale. Elsewhere (another C library) nothing is changed."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, 1 << 20)
    except (OSError, AttributeError):
        pass


def _open_csv(file: MonthlyFile, archive: zipfile.ZipFile | None, **options) -> pa.Table:
    source = file.open(archive)
    try:
        return pacsv.read_csv(source, memory_pool=_memory_pool(), **options)
    finally:
        if not isinstance(source, Path):
            source.close()


def _header(file: MonthlyFile, archive: zipfile.ZipFile | None) -> list[str]:
    """The file's column names, from its first line (a gzipped file is decompressed only that far)."""
    source = file.open(archive)
    stream = pa.input_stream(source, compression="detect") if isinstance(source, Path) else source
    try:
        start = stream.read(HEADER_BYTES)
    finally:
        stream.close()
    line = start.decode("utf-8-sig").splitlines()[0] if start else ""
    return next(csv.reader([line]), [])


def _read_one(file: MonthlyFile, limits: Limits, archive: zipfile.ZipFile | None) -> pa.Table:
    """One monthly file's columns the engine uses: few-valued ones dictionary-encoded as Arrow reads them (no
    string per row is ever made for them), the nearly unique ones (Crime ID, coordinates, location) as text."""
    path = file.shown
    if archive is None:
        check_file(file.path, limits)
    try:
        present = _header(file, archive)
        missing = [c for c in REQUIRED if c not in present]
        if missing:
            raise DataError([Problem(f"required police.uk column {c!r} is missing (columns found: {', '.join(present)})",
                                     file=str(path), row=1, column=c) for c in missing])
        wanted = [c for c in COLUMN_NAMES if c in present]
        table = _open_csv(file, archive, convert_options=pacsv.ConvertOptions(
            include_columns=wanted, strings_can_be_null=False,
            column_types={c: (ENCODED if COLUMN_NAMES[c] in CATEGORY_COLUMNS else pa.string()) for c in wanted}))
    except (pa.ArrowInvalid, OSError, EOFError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise DataError(Problem(f"cannot read police.uk file: {exc}".split("\n")[0], file=str(path))) from None
    return table.rename_columns([COLUMN_NAMES[c] for c in table.column_names])


def _row_count(file: MonthlyFile, archive: zipfile.ZipFile | None) -> int:
    """Data rows of a file that is not counted (another force's), for the data-quality report."""
    try:
        return _open_csv(file, archive, convert_options=pacsv.ConvertOptions(include_columns=["Month"])).num_rows
    except (pa.ArrowInvalid, OSError, EOFError, KeyError):
        return 0


def _categorical(column: pa.ChunkedArray) -> pd.Categorical:
    """A dictionary-encoded column (its files' dictionaries unified) as a pandas categorical, its categories sorted
    as ``astype("category")`` sorts them."""
    encoded = column.combine_chunks(memory_pool=_memory_pool()) if column.num_chunks else pa.array([], ENCODED)
    values = encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
    order = np.argsort(values, kind="stable")
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    codes = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    return pd.Categorical.from_codes(codes, categories=values[order], validate=False)  # valid by construction


def _frame(holder: list[pa.Table]) -> pd.DataFrame:
    """The rows as pandas: the columns with few distinct values (month, LSOA, crime type, force, outcome) as
    categoricals; Crime IDs, coordinates and location text, nearly one value a row, stay Arrow strings (a
    categorical of 6.5 million distinct IDs costs more than the strings, and its encoding was a fifth of a
    national build). The table is taken from ``holder`` and each column dropped from it as it is converted, so
    the files' Arrow buffers go column by column (a caller holding the table kept about 200 MB of indices)."""
    table = holder.pop()  # ``holder`` is emptied so that no caller keeps the table (a few hundred MB of indices)
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        table = table.drop_columns([name])  # the last reference to the column's Arrow data is ``column`` now
        columns[name] = pd.Series(_categorical(column) if name in CATEGORY_COLUMNS
                                  else pd.arrays.ArrowExtensionArray(column))
        del column  # a categorical's dictionary-encoded chunks go here, not when every column is converted
    return pd.DataFrame(columns)


def _check_months(path: Path, table: pa.Table) -> list[Problem]:
    """Month must be YYYY-MM; report the first bad cells with their row numbers. Checked on each distinct month
    text (a file has one or two), and row by row only when one is bad."""
    months = table.column("month")
    if all(pc.all(pc.match_substring_regex(chunk.dictionary, MONTH_PATTERN)).as_py() is not False
           for chunk in months.chunks):
        return []
    texts = months.cast(pa.string()).to_pandas()
    bad = ~texts.str.match(MONTH_PATTERN)
    return [Problem("month is not YYYY-MM", file=str(path), row=int(i) + 2, column="Month", value=texts.iat[i])
            for i in bad.to_numpy().nonzero()[0][:MAX_LISTED]]


def read_police_uk(path: Path, limits: Limits = Limits(), source: str = "police_uk",
                   forces: list[str] | None = None) -> PoliceUkData:
    """Read every monthly file of the chosen forces under ``path`` (folder or .zip) into one table.

    Raise one DataError listing all problems.
    """
    found = discover(path, limits)
    files, others = select_forces(found, forces, source, path)
    check_one_file_per_force_month(files)
    archive = zipfile.ZipFile(path) if path.is_file() else None
    try:
        tables, problems, counts = [], [], {}
        for file in files:
            try:
                table = _read_one(file, limits, archive)
            except DataError as exc:
                problems += exc.problems
                continue
            problems += _check_months(file.shown, table)
            counts[str(file.shown)] = table.num_rows
            tables.append(table)
        other_rows = {str(f.shown): _row_count(f, archive) for f in others}
    finally:
        if archive is not None:
            archive.close()
    if problems:
        raise DataError(problems)
    columns = set.intersection(*(set(t.column_names) for t in tables))
    sizes = [t.num_rows for t in tables]
    joined = [pa.concat_tables([t.select([c for c in TIDY_COLUMNS if c in columns]) for t in tables])]
    del tables  # the joined table alone holds the files' buffers, so each column's go as soon as it is converted
    frame = _frame(joined)
    file_index = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    line = np.concatenate([np.arange(2, n + 2, dtype=np.int64) for n in sizes]) if sizes else np.zeros(0, np.int64)
    return PoliceUkData(rows=frame, files=[f.shown for f in files], rows_per_file=counts, file_index=file_index,
                        line=line, other_forces={f.force for f in others}, other_force_rows=other_rows)


def quirks(name: str, data: PoliceUkData, repeated_crime_ids: str, log: IssueLog) -> np.ndarray:
    """Count police.uk's known quirks; return a mask of rows to keep out of every count (repeats,
    by the rules of :mod:`engine.ingest.police_repeats`), each listed with its file and line."""
    rows = data.rows
    excluded = np.zeros(len(rows), dtype=bool)
    is_asb = (rows["crime_type"] == ASB).to_numpy() if "crime_type" in rows else None
    if is_asb is None or "crime_id" not in rows:
        log.note(name, "no Crime ID column (a trimmed extract): crime IDs republished in a later month cannot be "
                       "detected, so every row is counted", len(rows))
        if is_asb is not None:
            _identical_asb(name, rows, log, is_asb)
        return excluded
    ids = id_codes(pa.array(rows["crime_id"].array))  # an ArrowExtensionArray hands over its Arrow data, no copy
    blank = ids == BLANK
    log.note(name, "anti-social behaviour rows without a Crime ID (police.uk publishes none for ASB): kept",
             int((blank & is_asb).sum()))
    if (blank & ~is_asb).any():
        log.note(name, "crime rows without a Crime ID: kept", int((blank & ~is_asb).sum()))
    _identical_asb(name, rows, log, is_asb)
    months = rows["month"].cat.codes.to_numpy()
    several = on_several_rows(ids)  # the only rows that can repeat another
    kinds = repeat_kinds(ids, months, _whole_row_repeats(rows, ids, months, several), several)
    if repeated_crime_ids == "keep_all" and (kinds == LATER_MONTH).any():
        log.note(name, "crime IDs already published in an earlier month: counted again (repeated_crime_ids: keep_all)",
                 int((kinds == LATER_MONTH).sum()))
        kinds[kinds == LATER_MONTH] = KEPT
    repeats = np.flatnonzero(kinds != KEPT)
    shown = _taken(pa.array(rows["crime_id"].array), repeats).to_numpy().astype(object)  # the repeats' IDs, once
    places = rows["small_area_code"].take(repeats).astype(str).to_numpy(dtype=object)  # and their LSOAs
    for kind, of_kind in grouped(kinds[repeats]):
        for index, in_file in grouped(data.file_index[repeats[of_kind]]):
            here = of_kind[in_file]
            log.add(name, str(data.files[index]), None, data.line[repeats[here]], "Crime ID", shown[here], EXCLUDED,
                    REASONS[kind], places=places[here])
    return kinds != KEPT


def _whole_row_repeats(rows: pd.DataFrame, ids: np.ndarray, months: np.ndarray, several: np.ndarray) -> np.ndarray:
    """Rows equal in every column to an earlier row, among the rows whose Crime ID is on ``several`` rows. Two equal
    rows share their ID and month, so only rows whose (ID, month) occurs more than once are compared (a few in a
    national year, where comparing every column of every row was most of the reading time)."""
    repeated = np.zeros(len(rows), dtype=bool)
    pairs = pd.DataFrame({"id": ids[several], "month": months[several]})
    candidates = several[pairs.duplicated(keep=False).to_numpy()]
    repeated[candidates] = _equal_to_earlier(rows, candidates)
    return repeated


def other_forces(name: str, data: PoliceUkData, log: IssueLog) -> None:
    """Files of forces the spec did not choose: set aside, their rows counted per file."""
    for file, rows in data.other_force_rows.items():
        log.add(name, file, None, 1, "", "", EXCLUDED,
                f"file of another force (not in the source's forces): its {rows:,} rows are not counted")
    if data.other_force_rows:
        log.note(name, f"rows in files of other forces ({', '.join(sorted(data.other_forces))}), not counted",
                 sum(data.other_force_rows.values()))


def _identical_asb(name: str, rows: pd.DataFrame, log: IssueLog, is_asb: np.ndarray) -> None:
    """Count ASB rows equal in every column to an earlier one, compared as integer codes per column (the text
    columns of the ASB rows encoded in the reader's pool, not copied into a pandas frame: a national year has over
    a million ASB rows)."""
    repeats = int(_equal_to_earlier(rows, np.flatnonzero(is_asb)).sum())
    if repeats:
        log.note(name, "ASB rows identical to another (distinct incidents at the same snapped location): kept, "
                       "never de-duplicated", repeats)


def _equal_to_earlier(rows: pd.DataFrame, at: np.ndarray) -> np.ndarray:
    """Which of the rows ``at`` (ascending) equal an earlier one of them in every column.

    The categorical columns are compared first, all at once (their codes cost nothing), then the text columns one
    by one, each only on the rows still equal to another in every column compared so far: a row unlike every other
    in one column cannot repeat, and after the coordinates few rows are left, so the location text (and any other
    text column) of a million anti-social behaviour rows is never encoded."""
    categorical = [c for c in rows.columns if isinstance(rows[c].dtype, pd.CategoricalDtype)]
    stages = [categorical] + [[c] for c in rows.columns if c not in categorical]
    still = np.arange(len(at))  # positions in ``at`` of the rows still equal to another in every column compared
    codes: dict[str, np.ndarray] = {}
    for stage in [s for s in stages if s]:
        codes.update({c: _column_codes(rows[c], at[still]) for c in stage})
        shared = pd.DataFrame(codes).duplicated(keep=False).to_numpy()
        still, codes = still[shared], {c: v[shared] for c, v in codes.items()}
    repeated = np.zeros(len(at), dtype=bool)
    if codes:
        repeated[still] = pd.DataFrame(codes).duplicated().to_numpy()
    return repeated


def _column_codes(column: pd.Series, at: np.ndarray) -> np.ndarray:
    """Integer codes of ``column``'s rows ``at``, equal exactly where the values are equal."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy()[at]
    pool = _memory_pool()
    taken = _taken(pa.array(column.array), at)
    return pc.dictionary_encode(taken, memory_pool=pool).combine_chunks(memory_pool=pool).indices.to_numpy(
        zero_copy_only=False)


def _taken(values: pa.ChunkedArray, at: np.ndarray) -> pa.ChunkedArray:
    """The rows ``at`` (ascending) of a text column, taken chunk by chunk: Arrow's take on a chunked column first
    joins every chunk into one copy (at national scale, hundreds of MB for a few rows)."""
    values = values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    return pa.chunked_array([values.chunk(i).take(pa.array(inside))
                             for i, _, inside in by_chunk([len(c) for c in values.chunks], at)], type=values.type)
