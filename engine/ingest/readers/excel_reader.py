"""Workbooks: xlsx, xlsm, xls, xlsb and ods, read by calamine (through fastexcel, into Arrow).

Never openpyxl for bulk reads (12k rows/s against calamine's 200k+). calamine reads the values
Excel cached for formulas and never runs macros. Number columns are asked for as float64: a cell
that is not a number (a status marker such as ``..``, text, an error such as ``#DIV/0!``) comes
back empty, and fastexcel reports it with its raw content, which we keep for the data-quality
report. Text columns are asked for as text, so a code such as ``00250`` typed as text keeps its
zeros (a code typed as a number was already 250 in the file).
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.errors import DataError, Problem
from engine.ingest.layout import Cell, Merge
from engine.ingest.markers import EXCEL_ERRORS
from engine.ingest.readers import NUMBER, SAMPLE, Body, TableFile, repeats_enough
from engine.ingest.readers.xlsx_extent import check_sheet_extent
from engine.ingest.readers.xlsx_head import read_head, read_merges, sheet_parts
from engine.ingest.safety import Limits, check_file
from engine.suggest import did_you_mean

STREAMED_HEAD = {".xlsx", ".xlsm"}
_DETAIL = re.compile(r"got '(\w+)\((.*)\)'$", re.DOTALL)
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|.)")


def _unescape(text: str) -> str:
    """A Rust debug string literal (``"a\\"b"``) back to its text."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    simple = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}

    def one(match: re.Match) -> str:
        code = match.group(1)
        if code.startswith("u{"):
            return chr(int(code[2:-1], 16))
        return simple.get(code, code)
    return _ESCAPE.sub(one, text)


def cell_error_text(detail: str) -> str:
    """The raw content fastexcel reports for a cell it could not convert: ``..``, ``#DIV/0!``, ``TRUE``."""
    match = _DETAIL.search(detail)
    if not match:
        return detail
    kind, payload = match.groups()
    if kind == "String":
        return _unescape(payload)
    if kind == "Error":
        return EXCEL_ERRORS.get(payload, f"#{payload.upper()}")
    if kind == "Bool":
        return payload.upper()
    return payload


def _problem(path: Path, exc: Exception, sheet: str | None = None) -> DataError:
    message = str(exc).split("\n")[0].strip() or type(exc).__name__
    return DataError(Problem(f"cannot read the workbook: {message}", file=str(path), sheet=sheet))


def _open(path: Path, limits: Limits) -> tuple[object, list[str]]:
    check_file(path, limits)
    try:
        reader = fastexcel.read_excel(path)
        return reader, list(reader.sheet_names)
    except (fastexcel.FastExcelError, OSError) as exc:
        raise _problem(path, exc) from None


def _matching(names: list[str], pattern: str) -> list[str]:
    """Sheets whose name (trailing and leading spaces forgiven) matches ``pattern``, case ignored."""
    return [n for n in names if re.search(pattern, n.strip(), re.IGNORECASE)]


class ExcelFile(TableFile):
    def __init__(self, path: Path, sheet: str | None = None, sheet_pattern: str | None = None, limits: Limits = Limits(),
                 *, opened: tuple[object, list[str]] | None = None):
        self.file = path
        self._reader, names = opened or _open(path, limits)
        self.sheet = self._choose_sheet(names, sheet, sheet_pattern)
        self._streamed = path.suffix.lower() in STREAMED_HEAD
        self._part: str | None = None
        part = self._sheet_part()
        if part is not None:
            check_sheet_extent(path, part, self.sheet)  # before calamine allocates the sheet's whole range

    def _choose_sheet(self, names: list[str], sheet: str | None, pattern: str | None) -> str:
        shown = str(self.file)
        listing = ", ".join(repr(n) for n in names)
        if sheet is not None:
            if sheet in names:
                return sheet
            loose = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
            if len(loose) == 1:
                return loose[0]
            raise DataError(Problem(f"no sheet named {sheet!r}{did_you_mean(sheet, names)}", file=shown, sheet=sheet))
        if pattern is not None:
            matches = _matching(names, pattern)
            if len(matches) == 1:
                return matches[0]
            found = "no sheet matches" if not matches else f"{len(matches)} sheets match ({', '.join(map(repr, matches))})"
            raise DataError(Problem(f"{found} sheet_pattern {pattern!r}; sheets: {listing}", file=shown))
        if len(names) == 1:
            return names[0]
        raise DataError(Problem(f"the workbook has {len(names)} sheets: name one with sheet: or sheet_pattern: "
                                f"(sheets: {listing})", file=shown))

    @classmethod
    def every_matching(cls, path: Path, pattern: str, limits: Limits = Limits()) -> list["ExcelFile"]:
        """One reader per sheet matching ``pattern`` (the workbook is opened once); none matching is an error."""
        reader, names = _open(path, limits)
        matches = _matching(names, pattern)
        if not matches:
            listing = ", ".join(repr(n) for n in names)
            raise DataError(Problem(f"no sheet matches sheet_pattern {pattern!r}; sheets: {listing}", file=str(path)))
        return [cls(path, sheet=name, opened=(reader, names)) for name in matches]

    def _sheet_part(self) -> str | None:
        if self._part is None and self._streamed:
            try:
                with zipfile.ZipFile(self.file) as archive:
                    self._part = sheet_parts(archive).get(self.sheet)
            except (zipfile.BadZipFile, KeyError, OSError, SyntaxError):
                self._part = None
        return self._part

    def head(self, rows: int) -> list[list[Cell]]:
        part = self._sheet_part()
        if part is not None:
            try:
                return read_head(self.file, part, rows)
            except zipfile.BadZipFile as exc:
                raise _problem(self.file, exc, self.sheet) from None
            except (KeyError, OSError, SyntaxError, ValueError):
                pass  # unusual packaging: fall back to calamine, which reads everything
        try:
            sheet = self._reader.load_sheet(self.sheet, header_row=None, skip_rows=0, n_rows=rows, dtypes="string")
            table = sheet.to_arrow()
            positions = [c.absolute_index for c in sheet.selected_columns]
        except fastexcel.FastExcelError as exc:
            raise _problem(self.file, exc, self.sheet) from None
        width = max(positions) + 1 if positions else 0
        columns = {p: table.column(k).to_pylist() for k, p in enumerate(positions)}
        return [[columns[j][i] if j in columns else None for j in range(width)] for i in range(table.num_rows)]

    def merges(self) -> list[Merge] | None:
        part = self._sheet_part()
        if part is None:
            return None
        try:
            return read_merges(self.file, part)
        except zipfile.BadZipFile as exc:
            raise _problem(self.file, exc, self.sheet) from None
        except (KeyError, OSError, ValueError):
            return None

    def body(self, start: int, first_col: int, last_col: int, kinds: dict[int, str]) -> Body:
        dtypes = {j: ("float" if kinds.get(j) == NUMBER else "string") for j in range(first_col, last_col + 1)}
        try:
            sheet = self._reader.load_sheet(
                self.sheet, header_row=None, skip_rows=start,
                use_columns=lambda column: first_col <= column.absolute_index <= last_col,
                dtypes=dtypes, dtype_coercion="coerce")
            table, errors = sheet.to_arrow_with_errors()
        except fastexcel.FastExcelError as exc:
            raise _problem(self.file, exc, self.sheet) from None
        selected = sheet.selected_columns
        by_relative = {c.index: c.absolute_index for c in selected}
        columns: dict[int, pa.Array] = {}
        for k, column in enumerate(selected):
            values = table.column(k)
            if isinstance(values, pa.ChunkedArray):
                values = values.combine_chunks()
            if kinds.get(column.absolute_index) == NUMBER and values.type != pa.float64():
                values = values.cast(pa.float64())
            elif pa.types.is_string(values.type):
                sample = values.slice(0, SAMPLE)
                if repeats_enough(pc.count_distinct(sample).as_py(), len(sample)):
                    values = values.dictionary_encode()
            columns[column.absolute_index] = values
        for j in range(first_col, last_col + 1):  # columns past the sheet's used range are empty
            columns.setdefault(j, pa.nulls(table.num_rows, pa.float64() if kinds.get(j) == NUMBER else pa.string()))
        found: dict[int, tuple[list[int], list[str]]] = {}
        for error in (errors.errors if errors else []):
            row, relative = error.offset_position
            target = found.setdefault(by_relative.get(relative, relative), ([], []))
            target[0].append(row)
            target[1].append(cell_error_text(error.detail))
        cell_errors = {j: (np.array(rows, dtype=np.int64), texts) for j, (rows, texts) in found.items()}
        rows = np.arange(start + 1, start + 1 + table.num_rows, dtype=np.int64)
        return Body(dict(sorted(columns.items())), rows, cell_errors)
