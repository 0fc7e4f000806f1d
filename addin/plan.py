"""From the workbook as it is to the workbook the engine would build now: every shift and write.

The plan is computed in full before anything is written, from three things: the settings sheet as
the last build or refresh left it (what the engine owns, and where), the workbook's current values
and tables (to find the analyst's own content), and the freshly rendered workbook.

Tables keep their order and their left column; they may grow or shrink (a top 10 with nine
areas, a new financial-year column, one more month). The plan makes room the way a person would
in Excel: it inserts or deletes sheet rows *inside* each table (so the table, its conditional
formats, the chart bound to it and the rows' heights follow), rows between tables to keep the gaps
the new layout has, and cells inside a table's rows for a new column. The analyst's content moves
with the rows it sits on (a note beside a table stays beside it); it is never overwritten, and a
refresh that would delete it, or cut through the analyst's own table, stops before writing.

Values are written into cells formatted as the workbook was built, which is what keeps the analyst's formatting;
but a count hidden (or a figure missing) this period reads as a word where a number sat, and a word in a number's
format sits left. So where the plan writes a word standing for a figure
(:data:`engine.contract.figure_words.FIGURE_WORDS`) into a cell that did not hold it, and the fresh build
right-aligns it (in a number column), it right-aligns the cell; it aligns nothing else.

If the new layout does not map onto the workbook (tables added or removed, a table moved by hand)
the plan raises :class:`LayoutChange`; if the analyst's content is where the engine must write,
:class:`Conflict`. Either way nothing has been written.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from engine.contract.figure_words import FIGURE_WORDS
from engine.contract.names import AS_BUILT_SHEETS
from engine.contract.settings_sheet import OwnedTable, WorkbookSettings, inside, parse_range, range_ref, row_runs
from addin.book import LAST_COLUMN, Rect
from addin.fresh import FreshWorkbook, same_value

Cell = tuple[int, int]
RIGHT = "right"


class LayoutChange(Exception):
    """The new layout does not map onto this workbook: a refresh would only half-update it."""

    def __init__(self, lines: list[str], added: Iterable[str] = (), removed: Iterable[str] = ()):
        super().__init__("\n".join(lines))
        self.lines = lines
        self.added = list(added)
        self.removed = list(removed)


class Conflict(Exception):
    """The analyst's own content is where the new layout needs the engine's."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


def sheet_ref(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def cell_ref(sheet: str, cell: Cell) -> str:
    return f"{sheet_ref(sheet)}!{range_ref((*cell, *cell))}"


@dataclass(frozen=True)
class Shift:
    """Cells inserted or deleted; ``rows``: the others move down/up, else right/left."""

    sheet: str
    rect: Rect
    insert: bool
    rows: bool

    @property
    def count(self) -> int:
        r0, c0, r1, c1 = self.rect
        return r1 - r0 + 1 if self.rows else c1 - c0 + 1

    @property
    def direction(self) -> str:
        return {(True, True): "down", (True, False): "right", (False, True): "up", (False, False): "left"}[
            (self.insert, self.rows)]

    def move(self, cell: Cell) -> Cell | None:
        """Where a cell ends up after this shift; None if it is deleted."""
        r0, c0, r1, c1 = self.rect
        row, col = cell
        along, across = (row, col) if self.rows else (col, row)
        first, last, lo, hi = (r0, r1, c0, c1) if self.rows else (c0, c1, r0, r1)
        if not lo <= across <= hi or along < first:
            return cell
        if self.insert:
            along += self.count
        elif along <= last:
            return None
        else:
            along -= self.count
        return (along, across) if self.rows else (across, along)

    def __str__(self) -> str:
        verb = "insert" if self.insert else "delete"
        return f"{verb} {sheet_ref(self.sheet)}!{range_ref(self.rect)}, shift {self.direction}"


def moved(cell: Cell, shifts: Iterable[Shift]) -> Cell | None:
    for shift in shifts:
        cell = shift.move(cell)
        if cell is None:
            return None
    return cell


def moved_rect(rect: Rect, shifts: list[Shift]) -> Rect | None:
    top_left, bottom_right = moved(rect[:2], shifts), moved(rect[2:], shifts)
    return (*top_left, *bottom_right) if top_left and bottom_right else None


@dataclass
class SheetState:
    """One sheet as it is in the open workbook."""

    values: list[list[Any]]
    tables: dict[str, Rect]

    def filled(self) -> dict[Cell, Any]:
        return {(r, c): v for r, row in enumerate(self.values) for c, v in enumerate(row) if v is not None and v != ""}

    @property
    def size(self) -> tuple[int, int]:
        return len(self.values), max((len(row) for row in self.values), default=0)


@dataclass(frozen=True)
class Write:
    sheet: str
    rect: Rect
    values: list[list[Any]]  # typed values; addin.fresh.excel_input turns them into Excel input
    table: str | None = None


@dataclass(frozen=True)
class Link:
    sheet: str
    cell: Cell
    target: str
    text: str


@dataclass(frozen=True)
class Align:
    """A range given one horizontal alignment (xlwings' name: ``'right'``…)."""

    sheet: str
    rect: Rect
    horizontal: str


@dataclass
class Plan:
    shifts: list[Shift] = field(default_factory=list)
    clears: list[tuple[str, Rect]] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    aligns: list[Align] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    resized: list[str] = field(default_factory=list)

    @property
    def table_writes(self) -> list[Write]:
        return [w for w in self.writes if w.table]


def _by_sheet(tables: list[OwnedTable], sheets: list[str]) -> dict[str, list[OwnedTable]]:
    return {sheet: sorted((t for t in tables if t.sheet == sheet), key=lambda t: t.rect[:2]) for sheet in sheets}


def _check_same_tables(old: WorkbookSettings, new: WorkbookSettings, state: dict[str, SheetState]) -> None:
    lines: list[str] = []
    missing_sheets = [s for s in old.sheets if s not in state]
    lines += [f"the sheet {sheet_ref(s)} is missing (renamed or deleted)" for s in missing_sheets]
    if old.sheets != new.sheets:
        lines.append(f"the engine's sheets are now {', '.join(map(sheet_ref, new.sheets))} "
                     f"(this workbook has {', '.join(map(sheet_ref, old.sheets))})")
    old_names = [(t.sheet, t.name) for t in sorted(old.tables, key=lambda t: (t.sheet, t.rect[:2]))]
    new_names = [(t.sheet, t.name) for t in sorted(new.tables, key=lambda t: (t.sheet, t.rect[:2]))]
    added = [name for sheet, name in new_names if (sheet, name) not in old_names]
    removed = [name for sheet, name in old_names if (sheet, name) not in new_names]
    if added:
        lines.append(f"the spec now has tables this workbook lacks: {', '.join(added)}")
    if removed:
        lines.append(f"this workbook has tables the spec no longer makes: {', '.join(removed)}")
    if not added and not removed and old_names != new_names:
        lines.append("the engine's tables are in a different order now")
    for table in old.tables:
        if table.sheet in missing_sheets:
            continue
        actual = state[table.sheet].tables.get(table.name)
        if actual is None:
            lines.append(f"the table {table.name} is missing from {sheet_ref(table.sheet)}")
        elif actual != table.rect:
            lines.append(f"the table {table.name} is at {range_ref(actual)}, not at {table.ref} where Saferbook left "
                         "it (rows or columns were inserted or deleted there, or the table was resized)")
    if lines:
        raise LayoutChange(lines, added, removed)


def _gap_shift(sheet: str, first: int, last: int, delta: int, rows_in_use: dict[bool, set[int]]) -> Shift:
    """Rows inserted or deleted between two tables (rows ``first``..``last``), in the longest stretch
    without the engine's cells (inserting), or without anything at all (deleting)."""
    avoid = rows_in_use[delta > 0]
    best: tuple[int, int] = (last + 1, 0)  # (start, length): by default just before the next table
    start = None
    for row in range(first, last + 2):
        if row <= last and row not in avoid:
            start = row if start is None else start
        elif start is not None:
            if row - start > best[1]:
                best = (start, row - start)
            start = None
    if delta > 0:
        return Shift(sheet, (best[0], 0, best[0] + delta - 1, LAST_COLUMN), insert=True, rows=True)
    count = -delta
    at = best[0] if best[1] >= count else last - count + 1
    if at < first:
        raise LayoutChange([f"{sheet_ref(sheet)}: the space between two tables would shrink below nothing"])
    return Shift(sheet, (at, 0, at + count - 1, LAST_COLUMN), insert=False, rows=True)


def _sheet_shifts(sheet: str, old: list[OwnedTable], new: list[OwnedTable],
                  rows_in_use: dict[bool, set[int]]) -> tuple[list[Shift], list[str]]:
    """The shifts that turn the old layout of one sheet into the new, bottom-up, in old coordinates."""
    shifts: list[Shift] = []
    resized: list[str] = []
    for i in reversed(range(len(old))):
        o, n = old[i].rect, new[i].rect
        if o[1] != n[1]:
            raise LayoutChange([f"the table {old[i].name} now starts in another column"])
        if i + 1 < len(old):
            delta = (new[i + 1].rect[0] - n[2]) - (old[i + 1].rect[0] - o[2])
            if delta:
                shifts.append(_gap_shift(sheet, o[2] + 1, old[i + 1].rect[0] - 1, delta, rows_in_use))
        columns = (n[3] - n[1]) - (o[3] - o[1])
        if columns > 0:  # at the last column: inside the table, which grows
            shifts.append(Shift(sheet, (o[0], o[3], o[2], o[3] + columns - 1), insert=True, rows=False))
        elif columns < 0:
            shifts.append(Shift(sheet, (o[0], o[3] + columns, o[2], o[3] - 1), insert=False, rows=False))
        rows = (n[2] - n[0]) - (o[2] - o[0])
        last_data = o[2] - (1 if old[i].total_row else 0)
        if rows > 0:  # at the last data row: inside the table
            shifts.append(Shift(sheet, (last_data, 0, last_data + rows - 1, LAST_COLUMN), insert=True, rows=True))
        elif rows < 0:
            shifts.append(Shift(sheet, (last_data + rows, 0, last_data - 1, LAST_COLUMN), insert=False, rows=True))
        change = [f"{abs(d)} {'more' if d > 0 else 'fewer'} {word}{'s' if abs(d) > 1 else ''}"
                  for d, word in ((rows, "row"), (columns, "column")) if d]
        if change:
            resized.append(f"{old[i].name}: {' and '.join(change)}")
    if old:
        delta = new[0].rect[0] - old[0].rect[0]
        if delta:
            shifts.append(_gap_shift(sheet, 0, old[0].rect[0] - 1, delta, rows_in_use))
    return shifts, list(reversed(resized))


def _check_other_tables(shifts: list[Shift], state: SheetState, engine_tables: set[str]) -> list[str]:
    """The analyst's tables must be clear of every shift: a row inserted or deleted through one would
    change it, and Excel refuses to shift part of a table."""
    problems = []
    for name, (t0, u0, t1, u1) in state.tables.items():
        if name in engine_tables:
            continue
        for shift in shifts:
            r0, c0, r1, c1 = shift.rect
            along_first, along_last, lo, hi = (t0, t1, u0, u1) if shift.rows else (u0, u1, t0, t1)
            first, across_lo, across_hi = (r0, c0, c1) if shift.rows else (c0, r0, r1)
            overlaps = lo <= across_hi and hi >= across_lo
            if overlaps and along_last >= first and (lo < across_lo or hi > across_hi or along_first < first):
                problems.append(f"your table {name} on {sheet_ref(shift.sheet)} is in the way of "
                                f"the engine's tables growing or shrinking ({shift})")
                break
    return problems


def make_plan(old: WorkbookSettings, fresh: FreshWorkbook, state: dict[str, SheetState]) -> Plan:
    """Every shift and write that turns the workbook into the fresh layout, analyst content kept; the sheets
    Refresh leaves as built (``AS_BUILT_SHEETS``) are not touched."""
    new = fresh.settings
    _check_same_tables(old, new, state)
    plan = Plan()
    conflicts: list[str] = []
    old_tables, new_tables = _by_sheet(old.tables, old.sheets), _by_sheet(new.tables, new.sheets)
    for sheet in old.sheets:
        if sheet in AS_BUILT_SHEETS:
            continue
        sheet_state, filled = state[sheet], state[sheet].filled()
        old_rects = [t.rect for t in old_tables[sheet]]
        old_cells, new_cells = set(old.cells.get(sheet, [])), set(new.cells.get(sheet, []))
        rows_in_use = {True: {r for r, _ in old_cells}, False: {r for r, _ in filled}}
        shifts, resized = _sheet_shifts(sheet, old_tables[sheet], new_tables[sheet], rows_in_use)
        plan.shifts += shifts
        plan.resized += resized
        for before, after in zip(old_tables[sheet], new_tables[sheet]):
            if moved_rect(before.rect, shifts) != after.rect:  # a bug, not bad input: refuse rather than guess
                raise LayoutChange([f"the table {before.name} would not line up with the new layout"])
        conflicts += _check_other_tables(shifts, sheet_state, {t.name for t in old_tables[sheet]})

        new_rects = [t.rect for t in new_tables[sheet]]
        now: dict[Cell, Any] = {}  # what each cell will hold after the shifts, before any write
        for cell, value in filled.items():
            engine = cell in old_cells or any(inside(cell, r) for r in old_rects)
            target = moved(cell, shifts)
            if target is not None:
                now[target] = value
            if engine:
                continue
            if target is None:
                conflicts.append(f"{cell_ref(sheet, cell)} ({value!r}) would be deleted")
            elif target in new_cells or any(inside(target, r) for r in new_rects):
                conflicts.append(f"{cell_ref(sheet, cell)} ({value!r}) is where the new layout puts the engine's "
                                 f"{'table' if target not in new_cells else 'text'}")

        stale = {moved(c, shifts) for c in old_cells} - {None} - new_cells
        plan.clears += [(sheet, r) for r in row_runs(c for c in stale if not any(inside(c, n) for n in new_rects))]
        changed = [c for c in new_cells if not same_value(now.get(c), fresh.value(sheet, c))]
        writes = [Write(sheet, t.rect, fresh.block(sheet, t.rect), table=t.name) for t in new_tables[sheet]]
        writes += [Write(sheet, r, fresh.block(sheet, r)) for r in row_runs(changed)]
        plan.writes += writes
        plan.aligns += figure_word_aligns(sheet, fresh, [w.rect for w in writes], now)
        links_now = {moved(cell_of(link.cell), shifts): link.target for link in old.links if link.sheet == sheet}
        for link in (link for link in new.links if link.sheet == sheet):
            cell = cell_of(link.cell)
            if links_now.get(cell) != link.target:  # Excel does not move a link's target when rows move
                plan.links.append(Link(sheet, cell, link.target, str(fresh.value(sheet, cell) or "")))
    if conflicts:
        raise Conflict(conflicts)
    return plan


def figure_word_aligns(sheet: str, fresh: FreshWorkbook, written: list[Rect], now: dict[Cell, Any]) -> list[Align]:
    """Right alignment for each word standing for a figure that Refresh writes (inside ``written``) into a cell that did
    not hold it (``now``: each cell's value once the shifts are made) and that the fresh build right-aligns (in a
    number column, where the number would sit): the cell's format is the number's shown last period, or an empty
    cell's. Only those cells: a cell's format is otherwise the same whatever it holds (a word in a text column keeps
    its column's alignment, a word already there kept its own), so the others keep theirs, the analyst's own
    alignment included, and a refresh that hides nothing new aligns nothing. In rectangles, so that a column of
    newly hidden counts is one call to Excel."""
    cells = [cell for cell, value in fresh.cells[sheet].items()
             if isinstance(value, str) and value in FIGURE_WORDS and now.get(cell) != value
             and fresh.alignment(sheet, cell) == RIGHT and any(inside(cell, rect) for rect in written)]
    return [Align(sheet, rect, RIGHT) for rect in blocks(cells)]


def blocks(cells: Iterable[Cell]) -> list[Rect]:
    """Cells as few rectangles: :func:`row_runs`, each stacked onto the run of the same columns in the row above."""
    done: list[Rect] = []
    growing: dict[tuple[int, int], Rect] = {}  # (first column, last column) -> the rectangle ending on the last row
    for r0, c0, _, c1 in row_runs(cells):  # row by row
        above = growing.get((c0, c1))
        if above is not None and above[2] == r0 - 1:
            growing[(c0, c1)] = (above[0], c0, r0, c1)
            continue
        if above is not None:
            done.append(above)
        growing[(c0, c1)] = (r0, c0, r0, c1)
    return sorted(done + list(growing.values()))


def cell_of(ref: str) -> Cell:
    return parse_range(ref)[:2]


def kept_as_built(old: WorkbookSettings, new: WorkbookSettings) -> WorkbookSettings:
    """The new settings, but what the sheets left as built hold as the old settings say (they were not rewritten)."""
    def source(sheet: str) -> WorkbookSettings:
        return old if sheet in AS_BUILT_SHEETS else new

    return replace(new, tables=[t for s in new.sheets for t in source(s).tables if t.sheet == s],
                   cells={s: source(s).cells[s] for s in new.sheets if s in source(s).cells},
                   links=[k for s in new.sheets for k in source(s).links if k.sheet == s])


def settings_write(old: WorkbookSettings, fresh: FreshWorkbook, settings_sheet: str, old_size: tuple[int, int]) -> Write:
    """The whole settings sheet in one write, padded to clear what the old one held beyond it."""
    rows = kept_as_built(old, fresh.settings).rows()
    height = max(len(rows), old_size[0])
    width = max(max(map(len, rows)), old_size[1])
    values = [[(row[c] if c < len(row) and row[c] else None) for c in range(width)] for row in rows]
    values += [[None] * width for _ in range(height - len(rows))]
    return Write(settings_sheet, (0, 0, height - 1, width - 1), values)
