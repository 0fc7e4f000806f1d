"""The renderers' worksheet class remembers xlsxwriter's formula preparation; the file must be xlsxwriter's own.

Each workbook below is written twice, by stock ``xlsxwriter.Workbook`` and by ``RenderWorkbook``, with the same
calls: band rules repeated over many ranges (what the partner workbooks do), a formula-type conditional format,
a cell formula and a table total that use an Excel "future function" (which xlsxwriter rewrites as
``_xlfn.…`` or not, by the workbook's ``use_future_functions`` option), and a dynamic-array function it always
rewrites. Every part of the two files must be equal, for both settings of the option, written one after the
other in one process (the remembered preparations must not cross from one setting to the other).
"""
from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
import xlsxwriter

from engine.render.xlsx_writer import WORKBOOK_OPTIONS, RenderWorkbook

BANDS = ("Significantly High", "Average", "Significantly Low")


def _write(workbook_class: type, future_functions: bool) -> bytes:
    buffer = io.BytesIO()
    book = workbook_class(buffer, {**WORKBOOK_OPTIONS, "use_future_functions": future_functions})
    book.set_properties({"created": datetime(2022, 10, 31)})  # else the file carries the second it was made
    sheet = book.add_worksheet("Bands")
    fill = book.add_format({"bg_color": "#FFC7CE"})
    for block in range(40):
        top = block * 5
        sheet.write_column(top, 0, [BANDS[(block + i) % 3] for i in range(4)])
        for band in BANDS:
            sheet.conditional_format(top, 0, top + 3, 0, {"type": "cell", "criteria": "equal to",
                                                          "value": f'"{band}"', "format": fill})
        sheet.conditional_format(top, 1, top + 3, 1, {"type": "formula", "criteria": f'=$A{top + 1}="Average"',
                                                      "format": fill})
    sheet.write_formula(0, 3, "=STDEV.S(B1:B4)", None, 0)
    sheet.write_formula(1, 3, "=SORT(A1:A4)", None, "")
    sheet.add_table(300, 0, 303, 1, {"name": "sb_totals", "total_row": True, "data": [[1, 2], [3, 4]],
                                     "columns": [{"header": "n"},
                                                 {"header": "spread", "total_function": "STDEV.S(B302:B303)",
                                                  "total_value": 1.414}]})
    book.close()
    return buffer.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("order", [(False, True), (True, False)])
def test_render_workbooks_write_the_bytes_xlsxwriter_writes(order):
    for future_functions in order:
        stock, ours = _parts(_write(xlsxwriter.Workbook, future_functions)), _parts(_write(RenderWorkbook, future_functions))
        assert ours.keys() == stock.keys()
        for name in stock:
            assert ours[name] == stock[name], (future_functions, name)
        sheet = stock["xl/worksheets/sheet1.xml"].decode()
        assert ("<f>_xlfn.STDEV.S(B1:B4)</f>" in sheet) == future_functions  # the option matters: a real case
        assert "_xlfn.STDEV.S(B302:B303)" in sheet  # a table's total is always expanded
        assert "_xlfn._xlws.SORT" in sheet
