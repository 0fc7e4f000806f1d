"""Write synthetic extracts the way partner systems do: xlsx (xlsxwriter) and CSV (stdlib rules).

A :class:`Table` is one sheet or one CSV: notes above the header (title, "Source:", run date),
a header of one row or two (a top row of merged group labels), the data, and notes below.
Writers are deterministic (fixed document dates; xlsxwriter fixes zip timestamps) and atomic.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xlsxwriter

from engine.atomic import write_bytes_atomic

SEPARATOR = " / "  # how multi-row header labels are joined (as engine.ingest flattens them)
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "nan_inf_to_errors": True}


@dataclass
class Table:
    """One sheet or CSV file; ``groups`` are (label, first column, last column) of a two-row header."""

    preamble: list[str]
    header: list[str]
    columns: list[np.ndarray]
    footer: list[str] = field(default_factory=list)
    groups: list[tuple[str, int, int]] = field(default_factory=list)
    formats: dict[int, str] = field(default_factory=dict)  # column index -> Excel number format

    @property
    def header_row(self) -> int:
        """1-based row of the (first) header row: after the notes and one blank row."""
        return len(self.preamble) + 2 if self.preamble else 1

    @property
    def header_rows(self) -> int:
        return 2 if self.groups else 1

    @property
    def first_data_row(self) -> int:
        return self.header_row + self.header_rows

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    @property
    def column_names(self) -> list[str]:
        """Names a reader gets by joining a group label and the name under it (``2021/22 / Admissions``)."""
        names = list(self.header)
        for label, first, last in self.groups:
            for col in range(first, last + 1):
                names[col] = f"{label}{SEPARATOR}{self.header[col]}"
        return names

    def without(self, names: set[str]) -> "Table":
        """The table with the named columns (flattened names) left out: a "missing column" extract."""
        keep = [col for col, name in enumerate(self.column_names) if name not in names]
        position = {old: new for new, old in enumerate(keep)}
        groups = []
        for label, first, last in self.groups:
            inside = [position[col] for col in range(first, last + 1) if col in position]
            if inside:
                groups.append((label, inside[0], inside[-1]))
        return Table(self.preamble, [self.header[c] for c in keep], [self.columns[c] for c in keep], self.footer,
                     groups, {position[c]: f for c, f in self.formats.items() if c in position})

    def header_cells(self) -> list[list[str | None]]:
        """The header exactly as written: merged labels in their first cell, None elsewhere."""
        if not self.groups:
            return [list(self.header)]
        top: list[str | None] = [None] * len(self.header)
        bottom: list[str | None] = list(self.header)
        grouped = set()
        for label, first, last in self.groups:
            top[first] = label
            grouped.update(range(first, last + 1))
        for col in range(len(self.header)):
            if col not in grouped:  # merged down across both rows
                top[col], bottom[col] = self.header[col], None
        return [top, bottom]


def _quoted(value: str) -> str:
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_column(values: np.ndarray) -> list[str]:
    """Text cells quoted as RFC 4180 (minimal) requires, each distinct value quoted once."""
    cells = values.tolist()
    try:
        joined = "\x00".join(cells)  # fast path: a column of text only
    except TypeError:
        cells = ["" if value is None else str(value) for value in cells]
        joined = "\x00".join(cells)
    if not any(ch in joined for ch in ',"\r\n'):
        return cells
    distinct = {cell: _quoted(cell) for cell in set(cells)}
    return [distinct[cell] for cell in cells]


def csv_bytes(table: Table, encoding: str) -> bytes:
    """The file's bytes: notes lines, a blank line, header, rows; CRLF like Windows exports."""
    lines = [_quoted(text) for text in table.preamble]
    if table.preamble:
        lines.append("")
    lines.append(",".join(map(_quoted, table.header)))
    lines.extend(map(",".join, zip(*(_csv_column(c) for c in table.columns))))
    if table.footer:
        lines.append("")
        lines.extend(_quoted(text) for text in table.footer)
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def write_csv(path: Path, table: Table, encoding: str) -> None:
    write_bytes_atomic(path, csv_bytes(table, encoding))


class _Styles:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.title = workbook.add_format({"bold": True, "font_size": 13})
        self.note = workbook.add_format({"italic": True, "font_color": "#404040"})
        self.header = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
        self.group = workbook.add_format({"bold": True, "align": "center", "border": 1, "bg_color": "#DDEBF7"})
        self._workbook = workbook
        self._numbers: dict[str, object] = {}

    def number(self, pattern: str) -> object:
        if pattern not in self._numbers:
            self._numbers[pattern] = self._workbook.add_format({"num_format": pattern})
        return self._numbers[pattern]


def _write_cell(sheet, row: int, col: int, value: object, style: object | None) -> None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value, style)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        sheet.write_number(row, col, float(value), style)
    else:
        raise TypeError(f"cannot write {type(value).__name__} to a cell")


def _write_sheet(sheet, table: Table, styles: _Styles) -> None:
    for row, text in enumerate(table.preamble):
        sheet.write_string(row, 0, text, styles.title if row == 0 else styles.note)
    if not table.header:  # a notes sheet: text only
        return
    top = table.header_row - 1
    if table.groups:
        for label, first, last in table.groups:
            if first == last:
                sheet.write_string(top, first, label, styles.group)
            else:
                sheet.merge_range(top, first, top, last, label, styles.group)
        upper, lower = table.header_cells()
        for col, (above, below) in enumerate(zip(upper, lower)):
            if below is None:
                sheet.merge_range(top, col, top + 1, col, above, styles.header)
            else:
                sheet.write_string(top + 1, col, below, styles.header)
    else:
        for col, name in enumerate(table.header):
            sheet.write_string(top, col, name, styles.header)
    first = table.first_data_row - 1
    for col, values in enumerate(table.columns):
        style = styles.number(table.formats[col]) if col in table.formats else None
        for offset, value in enumerate(values.tolist()):
            _write_cell(sheet, first + offset, col, value, style)
    footer_top = first + table.n_rows + 1
    for offset, text in enumerate(table.footer):
        sheet.write_string(footer_top + offset, 0, text, styles.note)
    sheet.set_column(0, len(table.header) - 1, 16)


def xlsx_bytes(sheets: dict[str, Table], created: dt.datetime, title: str) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    workbook.set_properties({"title": title, "author": "Saferbook synthetic data", "created": created,
                             "comments": "SYNTHETIC DATA generated for the Saferbook demo; not real partner records."})
    styles = _Styles(workbook)
    for name, table in sheets.items():
        _write_sheet(workbook.add_worksheet(name), table, styles)
    workbook.close()
    return buffer.getvalue()


def write_xlsx(path: Path, sheets: dict[str, Table], created: dt.datetime, title: str) -> None:
    write_bytes_atomic(path, xlsx_bytes(sheets, created, title))
