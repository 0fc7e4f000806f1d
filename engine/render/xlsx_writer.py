"""The xlsxwriter workbook every renderer writes into: the options that keep partner text as text, and a
worksheet class that prepares each distinct formula once.

Why a subclass: when a sheet is written out, xlsxwriter passes every conditional-format criterion, table
formula and cell formula through ``Worksheet._prepare_formula``, which runs about 150 regular-expression
substitutions (one per Excel "future function" name) over it, every time. A workbook carries thousands of
identical criteria (each band rule's ``"Very Significantly High"``, each direction-of-travel test), so this was
a quarter of a partner workbook's render. The preparation depends only on the formula text, whether future
functions are expanded and the workbook's ``use_future_functions`` option, so its result is kept per process
and the bytes written are exactly xlsxwriter's own. xlsxwriter's documented hook for this is the
``worksheet_class`` of a :class:`xlsxwriter.Workbook` subclass.
"""
from __future__ import annotations

from typing import IO, Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

WORKBOOK_OPTIONS: dict[str, Any] = {
    "in_memory": True,
    # Partner text is data: never turn "=…" into a formula or "http…" into a link, nor "00250" into 250.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}

#: (formula, expand future functions, workbook's use_future_functions) -> the text xlsxwriter writes.
#: Bounded: a build's distinct formulas number in the hundreds; the cap only guards a pathological spec.
_PREPARED: dict[tuple[str, bool, bool], str] = {}
_PREPARED_LIMIT = 65_536


class RenderWorksheet(Worksheet):
    """xlsxwriter's worksheet, with the formula preparation remembered per distinct formula."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        key = (formula, bool(expand_future_functions), bool(self.use_future_functions))
        prepared = _PREPARED.get(key)
        if prepared is None:
            prepared = super()._prepare_formula(formula, expand_future_functions)
            if len(_PREPARED) < _PREPARED_LIMIT:
                _PREPARED[key] = prepared
        return prepared


class RenderWorkbook(xlsxwriter.Workbook):
    """A workbook whose worksheets are :class:`RenderWorksheet`."""

    worksheet_class = RenderWorksheet


def new_workbook(buffer: IO[bytes]) -> RenderWorkbook:
    """A workbook written into ``buffer`` with :data:`WORKBOOK_OPTIONS`."""
    return RenderWorkbook(buffer, WORKBOOK_OPTIONS)
