"""Where a partner table sits on its sheet: title and notes rows above, a (multi-row) header, the
data, and a footnote block below.

Published workbooks rarely start at A1. ONS tables put a title, a contents link and a feedback
form above the header (the district workbook's header is on row 8); police-force-area tables
use two header rows, the upper one merged across the columns it groups, then a units row
(``Numbers``) before the data, and footnotes after it. :func:`find_layout` works on the first
rows of a sheet as text (every reader can give that cheaply) and finds:

* the **header row**: the first row at least half as wide as the widest row (titles and notes
  are one cell wide), or the row under it if that one starts further left (the first was a row of
  group labels) — or the row(s) the spec names in ``header_row``;
* **upper header rows** above it: non-blank rows whose first label stands to the right of the
  header's first label (a title starts at the left margin; a group label sits over its columns);
* the **data start**: the first row after the header with two or more values (units rows such as
  ``Numbers`` or ``Rate per 1,000 population`` are one cell wide and are skipped).

Multi-row headers are flattened to one label per column, ``"Victim-based crime / Robbery"``.
Merged cells are filled from their top-left cell when the reader knows them; otherwise a group
label is carried right across blank cells while the header row below has labels (a blank header
cell ends a group, as spacer columns do in ONS tables). Footnote markers are stripped from labels.
:func:`footer_start` finds the notes block after the data.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from engine.errors import DataError, Problem
from engine.ingest.markers import strip_footnotes

Cell = str | None
Merge = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based, inclusive)
HEAD_ROWS = 60  # rows read to find the header; a header further down must be given in the spec
SEPARATOR = " / "
_NOTE_START = re.compile(r"^\s*(?:\(?\d{1,2}[\.\):]|\d{1,2}\s+\D|\(?[a-z][\.\)]\s|\*|†|‡|source|sources|note|notes|footnote|"
                         r"please|figures|data|contains|copyright|©|\.\.|symbols|key)", re.IGNORECASE)
NOTE_MIN_LENGTH = 40
BOM = "\ufeff"


@dataclass(frozen=True)
class Layout:
    """Rows and columns are 0-based sheet positions."""

    header_rows: tuple[int, ...]
    data_start: int
    labels: dict[int, str]  # column -> flattened label ("" for an unlabelled spacer column)
    skipped_rows: tuple[int, ...] = ()  # units/notes rows between the header and the data
    raw_labels: dict[int, str] = field(default_factory=dict)  # before footnote stripping, for messages

    @property
    def first_col(self) -> int:
        return min(self.labels)

    @property
    def last_col(self) -> int:
        return max(self.labels)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _filled(row: Sequence[Cell]) -> list[int]:
    return [j for j, v in enumerate(row) if not is_blank(v)]


def find_layout(head: list[list[Cell]], header_row: int | list[int] | str = "auto",
                merges: list[Merge] | None = None, file: str | None = None, sheet: str | None = None) -> Layout:
    """The header rows, data start and column labels of the table in ``head`` (see module doc)."""
    if not any(_filled(r) for r in head):
        raise DataError(Problem("the sheet is empty" if sheet else "the file has no rows", file=file, sheet=sheet))
    if header_row == "auto":
        rows = _auto_header_rows(head, file, sheet)
    else:
        rows = [header_row] if isinstance(header_row, int) else list(header_row)
        rows = [r - 1 for r in rows]
        last = rows[-1]
        if last >= len(head) or not _filled(head[last]):
            raise DataError(Problem(f"header_row {last + 1} is {'past the end of the data' if last >= len(head) else 'blank'}",
                                    file=file, sheet=sheet, row=last + 1))
    labels, raw = _flatten(head, rows, merges)
    data_start, skipped = _data_start(head, rows[-1], labels)
    lead = _unlabelled_first_columns(head, data_start, labels)
    if lead:
        labels, raw = {**lead, **labels}, {**lead, **raw}
        data_start, skipped = _data_start(head, rows[-1], labels)
    return Layout(tuple(rows), data_start, labels, tuple(skipped), raw)


def _auto_header_rows(head: list[list[Cell]], file: str | None, sheet: str | None) -> list[int]:
    widths = [len(_filled(r)) for r in head]
    widest = max(widths)
    needed = max(2, (widest + 1) // 2) if widest > 1 else 1
    header = next((i for i, w in enumerate(widths) if w >= needed), None)
    if header is None:
        raise DataError(Problem(f"no header row found in the first {len(head)} rows; give header_row in the spec",
                                file=file, sheet=sheet))
    # A group row sits to the right of the row-label columns: if the next row starts further left, it is the header
    # — unless this row is a complete header over an unlabelled first column and the next row is data.
    while header + 1 < len(head) and _filled(head[header + 1]) and _filled(head[header + 1])[0] < _filled(head[header])[0] \
            and (_has_gaps(head[header]) or not _has_numbers(head[header + 1])):
        header += 1
    first_label = _filled(head[header])[0]
    rows = [header]
    above = header - 1
    while above >= 0 and _filled(head[above]) and _filled(head[above])[0] > first_label:
        rows.insert(0, above)
        above -= 1
    return rows


def _has_gaps(row: Sequence[Cell]) -> bool:
    """Blank cells between the first and last filled ones: group labels over several columns each."""
    filled = _filled(row)
    return len(filled) < filled[-1] - filled[0] + 1


def _has_numbers(row: Sequence[Cell]) -> bool:
    """A data row: some cell is a number (typed, or text that reads as one)."""
    for value in row:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        if isinstance(value, str):
            try:
                float(value.replace(",", ""))
                return True
            except ValueError:
                continue
    return False


def _unlabelled_first_columns(head: list[list[Cell]], data_start: int, labels: dict[int, str]) -> dict[int, str]:
    """Columns left of the first label that hold data (codes under a blank header cell, as ONS tables have):
    named by their column letter, ``Column A``, so a spec can map them."""
    from engine.ingest.readers.xlsx_head import column_letters  # the readers import this module

    rows = head[data_start:]
    found = {}
    for j in range(min(labels)):
        if rows and sum(1 for r in rows if j < len(r) and not is_blank(r[j])) * 2 >= len(rows):
            found[j] = f"Column {column_letters(j)}"
    return found


def _flatten(head: list[list[Cell]], rows: list[int], merges: list[Merge] | None) -> tuple[dict[int, str], dict[int, str]]:
    width = max(len(head[r]) for r in rows)
    grid = [[(head[r][j] if j < len(head[r]) and not is_blank(head[r][j]) else None) for j in range(width)] for r in rows]
    header_merges = [m for m in merges or [] if m[0] <= rows[-1] and m[2] >= rows[0]]
    if header_merges:
        for top, left, bottom, right in header_merges:
            value = head[top][left] if top < len(head) and left < len(head[top]) else None
            for i, r in enumerate(rows):
                if top <= r <= bottom:
                    for j in range(left, min(right, width - 1) + 1):
                        grid[i][j] = value if not is_blank(value) else grid[i][j]
    elif len(rows) > 1:
        bottom = grid[-1]
        for upper in grid[:-1]:
            carried = None
            for j in range(width):
                if upper[j] is not None:
                    carried = upper[j]
                elif bottom[j] is None:
                    carried = None
                elif carried is not None:
                    upper[j] = carried
    labels: dict[int, str] = {}
    raw: dict[int, str] = {}
    for j in range(width):
        parts: list[str] = []
        raw_parts: list[str] = []
        for i in range(len(rows)):
            if grid[i][j] is None:
                continue
            cell = str(grid[i][j]).replace(BOM, "")  # a CSV's byte-order mark pasted into a workbook's first cell
            text = strip_footnotes(cell)
            if text and (not parts or parts[-1] != text):
                parts.append(text)
                raw_parts.append(" ".join(cell.split()))
        labels[j] = SEPARATOR.join(parts)
        raw[j] = SEPARATOR.join(raw_parts)
    named = [j for j, text in labels.items() if text]
    if not named:
        raise DataError(Problem("the header row is blank"))
    keep = range(min(named), max(named) + 1)
    return {j: labels[j] for j in keep}, {j: raw[j] for j in keep}


def _data_start(head: list[list[Cell]], header: int, labels: dict[int, str]) -> tuple[int, list[int]]:
    """First row after the header with two values in the table's columns (one for one-column tables)."""
    columns = set(labels)
    needed = 2 if len([t for t in labels.values() if t]) > 1 else 1
    skipped = []
    row = header + 1
    while row < len(head):
        filled = [j for j in _filled(head[row]) if j in columns]
        if len(filled) >= needed:
            return row, skipped
        if filled:
            skipped.append(row)
        row += 1
    return row, skipped  # no data in the head: the data (if any) starts further down


def looks_like_note(text: str) -> bool:
    """A footnote or source line: ``1. Police recorded crime…``, ``Source: Home Office``, long prose, or a
    sentence (``Excludes fraud.``: words ending in a full stop)."""
    text = text.strip()
    return bool(_NOTE_START.match(text)) or len(text) >= NOTE_MIN_LENGTH or \
        (text.endswith(".") and len(text.split()) >= 2 and not text[:-1].replace(".", "").isupper())


def footer_start(counts: Sequence[int], first_text: Callable[[int], str | None], single_column: bool) -> int:
    """Where the trailing block of blank rows and notes begins (``len(counts)`` if there is none).

    ``counts[i]`` is how many cells of row ``i`` are filled; ``first_text(i)`` the text of its first
    column when that is its only filled cell. A note is one cell, in the first column, that reads
    like a note — or any such one-cell rows after a blank row that ends the table (``England: rate
    only, for comparison.``); in a one-column table only blank rows can be told apart from data.
    """
    start = len(counts)
    while start > 0:
        i = start - 1
        if counts[i] == 0:
            start -= 1
            continue
        if not single_column and counts[i] == 1:
            text = first_text(i)
            if text is not None and looks_like_note(text):
                start -= 1
                continue
        break
    if not single_column:
        i = start - 1
        while i >= 0 and counts[i] == 1 and first_text(i) is not None:
            i -= 1
        if 0 <= i < start - 1 and counts[i] == 0:  # a blank row, then only one-cell rows: a notes block
            start = i
            while start > 0 and counts[start - 1] == 0:
                start -= 1
        elif i < start - 1 and start < len(counts):  # no blank row: one-cell rows glued to the table, then notes
            start = i + 1
    return start
