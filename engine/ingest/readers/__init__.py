"""Readers: one per file family, all with the same two-step shape.

1. ``head()`` (and ``merges()``): the first rows as text, cheaply, for :mod:`engine.ingest.layout`;
2. ``body(start, first_col, last_col, kinds)``: the data rows of the table's columns as Arrow
   arrays — text, or float64 for the columns asked for as numbers — with each value's row
   number in the file and the cells the reader could not read as asked (kept for the
   data-quality report, never silently dropped).

Column and row positions are 0-based sheet positions; ``Body.rows`` holds 1-based row numbers as
a person sees them in Excel (or line numbers in a CSV file).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from engine.errors import DataError, Problem
from engine.ingest.layout import Cell, Merge
from engine.ingest.safety import EXCEL_FORMATS, Limits

TEXT = "text"
NUMBER = "number"


@dataclass
class Body:
    columns: dict[int, pa.Array]  # sheet column -> values (string, or float64 for NUMBER columns); null = empty
    rows: np.ndarray  # 1-based row (CSV: line) of each value
    cell_errors: dict[int, tuple[np.ndarray, list[str]]] = field(default_factory=dict)  # col -> (positions, raw text)
    invalid_rows: list[tuple[int | None, str]] = field(default_factory=list)  # CSV lines with the wrong field count
    notes: list[str] = field(default_factory=list)  # how the file was read, e.g. its encoding

    def __len__(self) -> int:
        return len(self.rows)


class TableFile:
    """One table-shaped file (or sheet of a workbook)."""

    file: Path
    sheet: str | None = None

    def head(self, rows: int) -> list[list[Cell]]:
        raise NotImplementedError

    def merges(self) -> list[Merge] | None:
        return None

    def body(self, start: int, first_col: int, last_col: int, kinds: dict[int, str]) -> Body:
        raise NotImplementedError


CSV_SUFFIXES = {".csv", ".txt", ".tsv", ".tab", ".gz"}
SAMPLE = 20_000
MIN_SAMPLE = 20
REPEATING = 0.5  # at most this share of distinct values in a sample: dictionary-encode the column


def repeats_enough(distinct: int, sampled: int) -> bool:
    """Whether a text column's values repeat enough to be worth dictionary encoding (months, codes, types)."""
    return sampled >= MIN_SAMPLE and distinct <= REPEATING * sampled


def open_tables(path: Path, kind: str = "table", *, sheet: str | None = None, sheet_pattern: str | None = None,
                all_sheets: bool = False, encoding: str = "auto", delimiter: str = "auto",
                limits: Limits = Limits()) -> list[TableFile]:
    """The readers of one source: one, or (``all_sheets``) one per sheet matching ``sheet_pattern``."""
    if not all_sheets:
        return [open_table(path, kind, sheet=sheet, sheet_pattern=sheet_pattern, encoding=encoding, delimiter=delimiter,
                           limits=limits)]
    from engine.ingest.readers.excel_reader import ExcelFile

    if kind == "csv" or path.suffix.lower() not in EXCEL_FORMATS:
        raise DataError(Problem("all_sheets reads the sheets of a workbook; this file is not one", file=str(path)))
    return list(ExcelFile.every_matching(path, sheet_pattern or "", limits))


def open_table(path: Path, kind: str = "table", *, sheet: str | None = None, sheet_pattern: str | None = None,
               encoding: str = "auto", delimiter: str = "auto", limits: Limits = Limits()) -> TableFile:
    """The reader for ``path``: by the source's ``type`` (csv/excel) or, for ``table``, by extension."""
    from engine.ingest.readers.csv_reader import CsvFile
    from engine.ingest.readers.excel_reader import ExcelFile

    suffix = path.suffix.lower()
    if kind == "table":
        if suffix in EXCEL_FORMATS:
            kind = "excel"
        elif suffix in CSV_SUFFIXES:
            kind = "csv"
        else:
            raise DataError(Problem(f"cannot tell the format of {path.name!r} from its extension: use type csv or excel, "
                                    "or one of .csv .tsv .txt .gz .xlsx .xlsm .xls .xlsb .ods", file=str(path)))
    if kind == "excel":
        if suffix not in EXCEL_FORMATS:
            raise DataError(Problem(f"type excel reads .xlsx, .xlsm, .xls, .xlsb and .ods files, not {suffix or 'this file'}",
                                    file=str(path)))
        return ExcelFile(path, sheet=sheet, sheet_pattern=sheet_pattern, limits=limits)
    if suffix in EXCEL_FORMATS:
        raise DataError(Problem(f"type csv cannot read a {suffix} workbook: use type excel (or table)", file=str(path)))
    return CsvFile(path, encoding=encoding, delimiter=delimiter, limits=limits)
