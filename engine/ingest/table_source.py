"""Read one ``csv`` / ``excel`` / ``table`` source of a spec: reader -> layout -> columns -> tidy rows.

The result has the shape the rest of the engine uses for police.uk: a DataFrame with the spec's
column names (``month`` and ``small_area_code`` when the source is counted by indicators), each
row's file and row number (for the data-quality report), and every rejected or cleaned cell
logged in the :class:`~engine.ingest.issues.IssueLog`.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from engine.errors import DataError
from engine.ingest.columns import body_kinds, convert, match_columns
from engine.ingest.issues import IssueLog
from engine.ingest.layout import HEAD_ROWS, Layout, find_layout, footer_start
from engine.ingest.markers import marker_set
from engine.ingest.label_columns import constant_column, label_value, match_groups
from engine.ingest.readers import Body, TableFile, open_tables
from engine.ingest.safety import Limits
from engine.quality import REJECTED
from engine.spec.models import Source


@dataclass
class TableData:
    """Tidy rows of one source, with where each came from."""

    name: str
    frame: pd.DataFrame
    files: list[Path]
    file_index: np.ndarray  # index into files, per row
    rows: np.ndarray  # 1-based row (line) in that file, per row
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    sheets: list[str | None] = field(default_factory=list)  # every sheet read (one table may stack several)
    sheet_index: np.ndarray | None = None  # index into sheets, per row
    rejected: pd.DataFrame | None = None  # rows rejected for a bad cell: their other cells, the bad one empty

    def __post_init__(self) -> None:
        if not self.sheets:
            self.sheets = [self.sheet]
        if self.sheet_index is None:
            self.sheet_index = np.zeros(len(self.frame), dtype=np.int32)


def _filled(array: pa.Array) -> np.ndarray:
    """Which cells hold something other than spaces (dictionary columns: decided once per value)."""
    if pa.types.is_dictionary(array.type):
        per_value = np.append(_filled(array.dictionary), False)
        return per_value[np.asarray(array.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)]
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        filled = pc.not_equal(pc.utf8_trim_whitespace(array), "")
    else:
        filled = pc.is_valid(array)
    return np.asarray(filled.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _data_rows(body: Body, layout: Layout, log: IssueLog, name: str) -> np.ndarray:
    """Rows that hold data: not blank, not in the notes block after the table."""
    n = len(body)
    first = layout.first_col
    counts = np.zeros(n, dtype=np.int32)
    first_filled = np.zeros(n, dtype=bool)
    for col, array in body.columns.items():
        filled = _filled(array)
        errors = body.cell_errors.get(col)
        if errors is not None and len(errors[0]):
            filled[errors[0][[bool(t.strip()) for t in errors[1]]]] = True
        counts += filled
        if col == first:
            first_filled = filled
    first_errors = dict(zip(*body.cell_errors[first])) if first in body.cell_errors else {}

    def first_text(i: int) -> str | None:
        if not first_filled[i]:
            return None
        value = body.columns[first][i].as_py()
        return str(value) if value is not None else first_errors.get(i)

    labelled = sum(1 for text in layout.labels.values() if text)
    end = footer_start(counts, first_text, single_column=labelled < 2)
    keep = counts > 0
    keep[end:] = False
    blank = int((counts[:end] == 0).sum())
    if blank:
        log.note(name, "blank rows inside the table skipped", blank)
    footer = int((counts[end:] > 0).sum())
    if footer:
        first_note = end + int(np.argmax(counts[end:] > 0))
        log.note(name, "notes and footnote rows after the table skipped", footer,
                 example=f"row {body.rows[first_note]}: {first_text(first_note) or ''}"[:120])
    return keep


def _one_field(text: str, delimiter: str) -> bool:
    return len(next(csv.reader([text], delimiter=delimiter), [])) <= 1


def _invalid_rows(body: Body, keep: np.ndarray, log: IssueLog, name: str, delimiter: str) -> list[tuple[int | None, str]]:
    """CSV rows with the wrong number of fields, except one-field notes after the last data row ("Records: 1,234"):
    a line of text below the table is a footnote, not a broken record (a truncated record has several fields)."""
    last = int(body.rows[keep].max()) if keep.any() else 0
    trailing = [(line, text) for line, text in body.invalid_rows
                if line is not None and line > last and _one_field(text, delimiter)]
    if trailing:
        log.note(name, "notes and footnote rows after the table skipped", len(trailing),
                 example=f"row {trailing[0][0]}: {trailing[0][1]}"[:120])
    return [row for row in body.invalid_rows if row not in trailing]


@dataclass
class _Sheet:
    """The tidy rows read from one sheet (or one CSV file)."""

    sheet: str | None
    frame: pd.DataFrame
    rows: np.ndarray
    notes: list[str]
    rejected: pd.DataFrame | None = None  # rows rejected for a bad cell, their other cells (see convert)


def read_table(name: str, source: Source, path: Path, log: IssueLog) -> TableData:
    """Read a table source — one sheet, or every matching sheet stacked (``all_sheets``); a file that cannot be read
    at all is one DataError naming it. A matching sheet that does not fit the spec is skipped and noted."""
    readers = open_tables(path, source.type, sheet=source.sheet, sheet_pattern=source.sheet_pattern,
                          all_sheets=source.all_sheets, encoding=source.encoding, delimiter=source.delimiter,
                          limits=Limits(max_file_mb=source.max_file_mb))
    parts: list[_Sheet] = []
    problems = []
    for reader in readers:
        try:
            parts.append(_read_sheet(name, source, path, reader, log))
        except DataError as error:
            if not source.all_sheets:
                raise
            problems += error.problems
            log.note(name, f"sheet {reader.sheet!r} skipped: {error.problems[0].message}", 1)
    if not parts:
        raise DataError(problems)
    return _stacked(name, path, parts)


def _stacked(name: str, path: Path, parts: list[_Sheet]) -> TableData:
    """One table from the sheets' rows; each row keeps its sheet (and row) for the data-quality report."""
    sheets = [part.sheet for part in parts]
    notes = list(dict.fromkeys(note for part in parts for note in part.notes))
    rejected_parts = [part.rejected for part in parts if part.rejected is not None and len(part.rejected)]
    rejected = pd.concat(rejected_parts, ignore_index=True) if rejected_parts else None
    if len(parts) == 1:
        part = parts[0]
        return TableData(name, part.frame, [path], np.zeros(len(part.frame), dtype=np.int32), part.rows, part.sheet,
                         notes, rejected=rejected)
    frame = _concat([part.frame for part in parts])
    sheet_index = np.concatenate([np.full(len(part.frame), i, dtype=np.int32) for i, part in enumerate(parts)])
    rows = np.concatenate([part.rows for part in parts])
    return TableData(name, frame, [path], np.zeros(len(frame), dtype=np.int32), rows, sheets[0], notes, sheets,
                     sheet_index, rejected=rejected)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames stacked; a column that is categorical in any of them stays categorical (the readers' text columns)."""
    if len(frames) == 1:
        return frames[0]
    frame = pd.concat(frames, ignore_index=True)
    for column in frame.columns:
        if any(isinstance(f[column].dtype, pd.CategoricalDtype) for f in frames):
            frame[column] = frame[column].astype("category")
    return frame


def _read_sheet(name: str, source: Source, path: Path, reader: TableFile, log: IssueLog) -> _Sheet:
    """reader -> layout -> columns (one set per period when unpivoting) -> tidy rows of one sheet."""
    file, sheet = str(path), reader.sheet
    layout = find_layout(reader.head(HEAD_ROWS), source.header_row, reader.merges(), file, sheet)
    if layout.skipped_rows:
        log.note(name, "units or notes rows between the header and the data skipped", len(layout.skipped_rows),
                 example=", ".join(f"row {r + 1}" for r in layout.skipped_rows[:3]))
    mapped = match_columns(layout, source.column_specs(), file, sheet)
    groups = match_groups(layout, source.unpivot, file, sheet) if source.unpivot else {None: []}
    every = mapped + [m for fields in groups.values() for m in fields]
    sheet_value = None
    if source.sheet_name_column is not None:
        sheet_value = label_value(str(sheet).strip(), source.sheet_name_column, "sheet name", file, sheet)
    body = reader.body(layout.data_start, layout.first_col, layout.last_col, body_kinds(every))
    keep = _data_rows(body, layout, log, name)
    invalid = _invalid_rows(body, keep, log, name, getattr(reader, "delimiter", ","))
    for line, text in invalid:
        log.add(name, file, sheet, line if line is not None else 0, "", text, REJECTED,
                "the row has a different number of fields from the header")
    if invalid:
        log.count_rejected(name, len(invalid))
    for note in body.notes:
        log.note(name, note, int(keep.sum()))
    markers = marker_set(source.missing_markers)
    text_markers = markers if source.missing_markers is not None else frozenset()
    zeros = frozenset(m.strip() for m in source.zero_markers or ())
    frames, rows, rejected = [], [], []
    for period, fields in groups.items():
        columns = sorted(mapped + fields, key=lambda m: m.col)
        before = len(rejected)
        frame, kept = convert(body, columns, keep, markers, log, name, file, sheet, zeros, text_markers, source.max_value,
                              rejected)
        if period is not None:
            spec = source.unpivot.period
            value = label_value(period, spec, "column group", file, sheet)
            frame[spec.name] = constant_column(value, spec, len(frame))
            if len(rejected) > before:
                rejected[-1][spec.name] = constant_column(value, spec, len(rejected[-1]))
        frames.append(frame)
        rows.append(kept)
    frame = _concat(frames)
    dropped = pd.concat(rejected, ignore_index=True) if rejected else None
    if sheet_value is not None:
        frame[source.sheet_name_column.name] = constant_column(sheet_value, source.sheet_name_column, len(frame))
        if dropped is not None:
            dropped[source.sheet_name_column.name] = constant_column(sheet_value, source.sheet_name_column, len(dropped))
    read = int(keep.sum()) * len(groups)
    log.count_read(name, read + len(invalid))
    log.note(name, f"rows read from {path.name}" + (f", sheet {sheet!r}" if sheet else "")
             + (f" ({int(keep.sum())} rows × {len(groups)} column groups)" if source.unpivot else ""), read)
    return _Sheet(sheet, frame, np.concatenate(rows), list(body.notes), dropped)
