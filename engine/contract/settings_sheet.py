"""The hidden settings sheet: what Refresh in Excel needs to update a workbook in place.

Part of the workbook contract (:mod:`engine.contract`): render writes this sheet
(:mod:`engine.render.settings_sheet`), the add-in reads it. It names the project, the spec, the
partner area and the period, and tells the engine's cells from the analyst's: every range the
engine wrote is listed, so that a refresh replaces exactly those and nothing else.

A workbook travels (it is e-mailed to partners), so it carries no path of the machine that built
it and no user name: the project is named by its identifier, and the spec and data by their paths
relative to the project's root folder. Which folder that is, and whether the project may run at
all, is decided on the analyst's computer (the add-in's user config, ``saferbook addin register``),
never by the workbook.

Contract, format 2 (keep it when changing layouts; the add-in depends on it):

- sheet ``_saferbook``, hidden, after the engine's sheets; every value is written as text;
- row 1: ``Saferbook settings`` | format version (``2``) | a note for people;
- then one ``key | value | note`` row per setting, up to the first empty row: ``project`` (the
  project's identifier; empty when the spec lies in no project), ``spec`` (the spec's path relative to the project root, ``/``-separated),
  ``kind`` (``partner``: a partner area's workbook; ``dashboard``: the spec's dashboard, whose
  ``partner_area`` is the dashboard's subject), ``partner_area``, ``period_end`` (what Refresh asks for: ``latest`` or ``YYYY-MM``; people may
  edit it), ``shows_period_end`` (what the engine's ranges hold), ``protected`` (``yes``: built with
  ``--suppress``, so Refresh hides small numbers too; ``no``; missing in workbooks built before it was recorded,
  which Refresh refuses for a partner area's workbook), ``engine_version``,
  ``spec_version``, and ``data:<source>`` (each source's path relative to the project root);
- after the empty row, the header ``owned | sheet | name | range | total row`` and one row per
  engine-owned thing, in sheet order:

  - ``sheet | <sheet>``: a sheet the engine made;
  - ``table | <sheet> | <table name> | <A1 range, header and total row included> | yes or empty``;
  - ``cells | <sheet> | | <A1 cells and ranges written outside tables, comma-separated>``;
  - ``link | <sheet> | <target: #'Sheet'!A1 inside the workbook, else the URL> | <cell>``.

Format 1 (before Saferbook 0.2) recorded absolute paths; it is refused, with the advice to build
the workbook again.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from engine.errors import Problem, SaferbookError

SHEET_SETTINGS = "_saferbook"
TITLE = "Saferbook settings"
FORMAT_VERSION = 2
#: The ``protected`` setting's values: built with small-number suppression (``--suppress``), or not.
PROTECTED, NOT_PROTECTED = "yes", "no"
KIND_PARTNER, KIND_DASHBOARD = "partner", "dashboard"
OWNED_HEADER = ["owned", "sheet", "name", "range", "total row"]
MAX_CELLS_TEXT = 8000  # characters of cell addresses per row (a cell holds 32,767)
MAX_OWNED_CELLS = 1_000_000  # a partner workbook's engine cells outside tables number about 10,000

Rect = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based, inclusive)


@dataclass(frozen=True)
class OwnedTable:
    sheet: str
    name: str
    ref: str  # A1 range including the header and the total row
    total_row: bool = False

    @property
    def rect(self) -> Rect:
        return parse_range(self.ref)


@dataclass(frozen=True)
class OwnedLink:
    sheet: str
    cell: str
    target: str  # "#'Top 10'!A5" inside the workbook, else the URL


@dataclass
class WorkbookSettings:
    """Everything on the settings sheet."""

    project: str = ""  # the project's identifier, resolved to a folder on the analyst's computer
    spec: str = ""  # relative to the project root, "/"-separated
    kind: str = KIND_PARTNER  # KIND_PARTNER or KIND_DASHBOARD
    partner_area: str = ""
    period_end: str = "latest"
    shows_period_end: str = ""
    protected: str = ""  # PROTECTED or NOT_PROTECTED; "" in a workbook built before this was recorded
    engine_version: str = ""
    spec_version: str = ""
    data_locations: list[tuple[str, str]] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    tables: list[OwnedTable] = field(default_factory=list)
    cells: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # sheet -> engine cells outside tables
    links: list[OwnedLink] = field(default_factory=list)

    def rows(self) -> list[list[str]]:
        """The sheet's contents, row by row (ragged)."""
        rows = [
            [TITLE, str(FORMAT_VERSION), "Refresh (Saferbook tab) reads this sheet. You may edit period_end."],
            ["project", self.project, "the Saferbook project; registered on each computer that refreshes"],
            ["spec", self.spec, "the spec, relative to the project's folder"],
            ["kind", self.kind, "a partner area's workbook, or the spec's dashboard"],
            ["partner_area", self.partner_area, ""],
            ["period_end", self.period_end, "what Refresh asks for: latest, or a month as YYYY-MM (editable)"],
            ["shows_period_end", self.shows_period_end, "the period the engine's tables show now"],
            ["protected", self.protected, "yes: small numbers are hidden (built with --suppress); Refresh hides them too"],
            ["engine_version", self.engine_version, ""],
            ["spec_version", self.spec_version, ""],
        ]
        rows += [[f"data:{name}", path, "where this source's data was read, relative to the project's folder"] for name, path in self.data_locations]
        rows += [[], list(OWNED_HEADER)]
        rows += [["sheet", name] for name in self.sheets]
        rows += [["table", t.sheet, t.name, t.ref, "yes" if t.total_row else ""] for t in self.tables]
        for sheet, cells in self.cells.items():
            rows += [["cells", sheet, "", text] for text in _cells_text(cells)]
        rows += [["link", link.sheet, link.target, link.cell] for link in self.links]
        return rows

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]]) -> WorkbookSettings:
        """Parse the sheet's values (as read from Excel: numbers may come back as floats)."""
        grid = [[_text(v) for v in row] for row in rows]
        if not grid or not grid[0] or grid[0][0] != TITLE:
            raise _problem(1, f"not a Saferbook settings sheet (A1 should say {TITLE!r})")
        version = grid[0][1] if len(grid[0]) > 1 else ""
        if version.split(".")[0] == "1":
            raise _problem(1, "this workbook was built by an earlier Saferbook, which recorded the builder's folders; "
                              "build it again with 'saferbook build' to refresh it")
        if version.split(".")[0] != str(FORMAT_VERSION):
            raise _problem(1, f"settings format {version!r} is not one this version reads ({FORMAT_VERSION})")
        settings = cls()
        position = 1
        while position < len(grid) and any(grid[position]):
            key, value = (grid[position] + ["", ""])[:2]
            if key.startswith("data:"):
                settings.data_locations.append((key[5:], value))
            elif key in ("project", "spec", "kind", "partner_area", "period_end", "shows_period_end", "protected",
                         "engine_version", "spec_version"):
                setattr(settings, key, value)
            position += 1
        while position < len(grid) and not any(grid[position]):
            position += 1
        if position >= len(grid) or grid[position][:2] != OWNED_HEADER[:2]:
            raise _problem(position + 1, "the list of engine-owned ranges is missing")
        for number, row in enumerate(grid[position + 1:], start=position + 2):
            kind, sheet, name, ref, total = (row + [""] * 5)[:5]
            try:
                if kind == "sheet":
                    settings.sheets.append(sheet)
                elif kind == "table":
                    parse_range(ref)
                    settings.tables.append(OwnedTable(sheet, name, ref, total == "yes"))
                elif kind == "cells":
                    settings.cells.setdefault(sheet, []).extend(parse_cells(ref))
                    if sum(map(len, settings.cells.values())) > MAX_OWNED_CELLS:
                        raise ValueError(f"more than {MAX_OWNED_CELLS:,} engine cells claimed, which no build writes")
                elif kind == "link":
                    parse_range(ref)
                    settings.links.append(OwnedLink(sheet, ref, name))
                elif kind:
                    raise ValueError(f"unknown kind {kind!r}")
            except ValueError as error:
                raise _problem(number, f"engine-owned range list: {error}") from None
        if settings.kind not in (KIND_PARTNER, KIND_DASHBOARD):
            raise _problem(None, f"kind {settings.kind!r} is not {KIND_PARTNER!r} or {KIND_DASHBOARD!r}")
        for missing in ("spec", "partner_area"):  # project: empty for a spec outside any project
            if not getattr(settings, missing):
                raise _problem(None, f"the setting {missing} is empty")
        return settings


def _problem(row: int | None, message: str) -> SaferbookError:
    return SaferbookError(Problem(message, sheet=SHEET_SETTINGS, row=row))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- A1 addresses ----------------------------------------------------------------------------


def parse_range(ref: str) -> Rect:
    """``"A7:K25"`` or ``"B8"`` (``$`` allowed) -> 0-based inclusive rectangle; ValueError if malformed."""
    parts = ref.replace("$", "").strip().split(":")
    if len(parts) not in (1, 2) or not all(_is_cell(p) for p in parts):
        raise ValueError(f"not a cell range: {ref!r}")
    from xlsxwriter.utility import xl_cell_to_rowcol  # here: the add-in imports this module before it needs xlsxwriter

    (r0, c0), (r1, c1) = xl_cell_to_rowcol(parts[0]), xl_cell_to_rowcol(parts[-1])
    return min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)


def _is_cell(text: str) -> bool:
    letters = text.rstrip("0123456789")
    digits = text[len(letters):]
    return letters.isalpha() and letters.isascii() and len(letters) <= 3 and digits.isdigit() and int(digits) > 0


def range_ref(rect: Rect) -> str:
    """0-based inclusive rectangle -> ``"B8"`` or ``"A7:K25"``, as ``xlsxwriter.utility.xl_range`` writes it (a
    settings sheet lists thousands of them: each column's letters are worked out once)."""
    first_row, first_col, last_row, last_col = rect
    if min(rect) < 0:
        from xlsxwriter.utility import xl_range

        return xl_range(*rect)  # (its warning and empty answer)
    first = _column_letters(first_col) + str(first_row + 1)
    if first_row == last_row and first_col == last_col:
        return first
    return f"{first}:{_column_letters(last_col)}{last_row + 1}"


@functools.lru_cache(maxsize=None)  # a sheet has 16,384 columns at most
def _column_letters(col: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(col)


def parse_cells(text: str) -> list[tuple[int, int]]:
    """``"A1,B4:D4"`` -> the cells; each range lies within one row, as a build writes them (:func:`row_runs`):
    a settings sheet edited to claim blocks of the analyst's rows as the engine's is refused, not obeyed."""
    cells = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        r0, c0, r1, c1 = parse_range(part)
        if r0 != r1:
            raise ValueError(f"the cells {part!r} span rows: a build lists engine cells row by row")
        cells += [(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
    return cells


def row_runs(cells: Iterable[tuple[int, int]]) -> list[Rect]:
    """Cells grouped into horizontal runs of neighbours, row by row."""
    runs: list[Rect] = []
    ordered = sorted(set(cells))
    if not ordered:
        return runs
    run_row, first = ordered[0]
    last = first
    for row, col in ordered[1:]:
        if row == run_row and col == last + 1:
            last = col
            continue
        runs.append((run_row, first, run_row, last))
        run_row, first, last = row, col, col
    runs.append((run_row, first, run_row, last))
    return runs


def inside(cell: tuple[int, int], rect: Rect) -> bool:
    return rect[0] <= cell[0] <= rect[2] and rect[1] <= cell[1] <= rect[3]


def _cells_text(cells: Iterable[tuple[int, int]]) -> list[str]:
    """Cells as row runs (``A1``, ``B4:D4``), comma-separated, in chunks that fit a cell comfortably."""
    chunks: list[str] = []
    for run in row_runs(cells):
        ref = range_ref(run)
        if chunks and len(chunks[-1]) + len(ref) < MAX_CELLS_TEXT:
            chunks[-1] += "," + ref
        else:
            chunks.append(ref)
    return chunks
