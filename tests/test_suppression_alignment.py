"""In a protected build every hidden figure's word sits where its number would: right-aligned in a number column of
every table (Top 10, Trends, and any other), so that a column of figures reads as one.

The tiny fixture spec with its one indicator, Fires, made sensitive below 10 and given a trend table: its small
areas' counts and rates on the Top 10 sheet, and its small quarterly, monthly and yearly counts on the Trends sheet
are hidden. A table column is a number column when a cell of it holds a number or the table declares a number
format for it (read by openpyxl from the file, not from the engine). The figures shown beside a hidden one (the
trend table's Grand Total row, written as values when a cell is hidden) are numbers, not text that looks like one.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from engine.api import prepare, render_all
from engine.report import SUPPRESSED
from hostile_support import copy_fixture

BELOW = 10
TEXT_FORMATS = {None, "", "General", "@"}


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("alignment")
    spec = copy_fixture(root)
    text = spec.read_text(encoding="utf-8")
    assert text.rstrip().endswith("unit: incidents") and text.count("\nindicators:\n") == 1  # Fires: the only one
    text = text.replace("\nindicators:\n", "\ntrend_table:\n  rows: [fires]\nindicators:\n")
    spec.write_text(text.rstrip() + f"\n    sensitive: true\n    suppress: {{below: {BELOW}}}\n", encoding="utf-8")
    return render_all(prepare(spec, suppress=True), root / "out")


def _declared_formats(sheet: Worksheet, table) -> list[str | None]:
    """Each table column's data format as the file declares it (the table column's differential format)."""
    styles = sheet.parent._differential_styles
    return [styles[c.dataDxfId].numFmt.formatCode if c.dataDxfId is not None and styles[c.dataDxfId].numFmt else None
            for c in table.tableColumns]


def number_columns(path: Path):
    """(sheet, table name, header, the column's data cells) for every number column of every table."""
    workbook = load_workbook(path)
    for sheet in workbook.worksheets:
        for table in sheet.tables.values():
            rows = list(sheet[table.ref])
            headers = [c.value for c in rows[0]]
            declared = _declared_formats(sheet, table)
            for position, header in enumerate(headers):
                cells = [row[position] for row in rows[1:]]
                if declared[position] not in TEXT_FORMATS or any(
                        isinstance(c.value, (int, float)) and not isinstance(c.value, bool) for c in cells):
                    yield sheet.title, table.displayName, header, cells


def _hidden_cells(path: Path) -> list[tuple[str, str, str, str, bool]]:
    """(sheet, table, header, cell, right-aligned?) for every hidden figure's word in a table's number column."""
    return [(sheet, table, header, c.coordinate, c.alignment.horizontal == "right")
            for sheet, table, header, cells in number_columns(path) for c in cells if c.value == SUPPRESSED]


@pytest.mark.filterwarnings("ignore:Sparkline Group extension")
def test_every_hidden_figure_in_a_number_column_is_right_aligned(workbooks):
    cells = [cell for path in workbooks for cell in _hidden_cells(path)]
    sheets = {sheet for sheet, *_ in cells}
    assert {"Top 10", "Trends"} <= sheets, sheets  # the build hides figures on both sheets: the test sees them
    assert {"sb_trend", "sb_trend_quarterly", "sb_trend_monthly"} <= {table for _, table, *_ in cells}
    assert [cell for cell in cells if not cell[-1]] == []


@pytest.mark.filterwarnings("ignore:Sparkline Group extension")
def test_no_figure_in_a_number_column_is_text(workbooks):
    looks_like_a_number = re.compile(r"^[-+]?[\d,]+(\.\d+)?%?$")
    text = [(path.name, sheet, table, header, c.coordinate, c.value) for path in workbooks
            for sheet, table, header, cells in number_columns(path) for c in cells
            if isinstance(c.value, str) and looks_like_a_number.match(c.value.strip())]
    assert text == []
