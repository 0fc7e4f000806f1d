"""Printed pages people can read: a print scale and page breaks computed from the sheet itself.

"Fit to one page wide" shrinks a wide sheet until its text is unreadable (an 18-column summary
printed at 4 points), and page breaks fixed at "two tables a page" land a table's last rows alone
on the next page once the scale changes. So every sheet is measured as it was written: its column
widths and row heights (and the charts anchored in it) give the width of its content and the height
of each block that must stay on one page. The scale is the largest that fits the content on one page
wide, but never smaller than keeps the body text at ``MIN_TEXT_POINTS``; a sheet wider than that
prints across pages, its label columns repeated. Breaks go before the first block that would not
fit on the current page, so a table (with its heading and notes) is never split from its header
unless it is taller than a page, where its header row repeats (print titles). Then the blocks are shared
out between the breaks that cannot move, so that short tables share pages and no page but a sheet's last is
less than half used where the blocks allow it.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Sequence

from xlsxwriter.worksheet import Worksheet

from engine.render.theme import Theme

MIN_TEXT_POINTS = 8.0  # the smallest printed body text (points), at the sheet's print scale
PAPER_POINTS = {9: (595.3, 841.9), 8: (841.9, 1190.6), 1: (612.0, 792.0)}  # portrait width, height by Excel's paper code
PIXEL_POINTS = 0.75  # Excel's 96-dpi pixels in points: row heights, charts
# Column widths are in digits of the workbook's default font (Calibri 11). Where Calibri and its metric
# twin Carlito are missing, LibreOffice measures them in a wider face (DejaVu Sans: a column prints
# about 0.97 points a pixel, measured). Plan for the wider, so the page fits in both.
COLUMN_PIXEL_POINTS = 0.97
DEFAULT_COLUMN_CHARACTERS, DIGIT_PIXELS, CELL_PADDING_PIXELS = 8.43, 7, 5  # xlsxwriter's width in characters → pixels
SAFETY = 0.94  # LibreOffice and Excel measure fonts a little differently: leave room


@dataclass(frozen=True)
class PrintPlan:
    scale: int  # percent
    breaks: list[int]  # rows that start a printed page (0-based)
    across: bool  # wider than one page at the smallest readable scale: printed across pages


def printable_points(theme: Theme) -> tuple[float, float]:
    """The page's body width and height in points, inside the margins :func:`layout.page_setup` sets."""
    width, height = PAPER_POINTS.get(theme.paper, PAPER_POINTS[9])
    if theme.landscape:
        width, height = height, width
    margin = theme.margin_inches * 72
    return (width - 2 * margin * 0.8) * SAFETY, (height - 2 * margin) * SAFETY


def _drawings(sheet: Worksheet) -> list[tuple[int, int, float, float, float, float]]:
    """Every chart and picture: (row, col, x offset, y offset, width, height) in pixels, as xlsxwriter placed them."""
    found = [(row, col, x, y, chart.width * xs, chart.height * ys)
             for row, col, chart, x, y, xs, ys, *_ in sheet.charts]
    found += [(i._row, i._col, i._x_offset, i._y_offset, i._width * i._x_scale * 96 / (i._x_dpi or 96),
               i._height * i._y_scale * 96 / (i._y_dpi or 96)) for i in sheet.images]
    return found


def _column_pixels(sheet: Worksheet, col: int) -> float:
    """A column's width in pixels, 0 when hidden (with or without a width of its own), as xlsxwriter measures it to
    place charts: its own measure, so the units it stores a width in (they changed between versions) never matter."""
    return sheet._size_col(col)


def _row_pixels(sheet: Worksheet, row: int) -> float:
    """A row's height in pixels, 0 when hidden, as xlsxwriter measures it to place charts (see :func:`_column_pixels`)."""
    return sheet._size_row(row)


def columns_spanning(sheet: Worksheet, pixels: float) -> int:
    """The last column a drawing ``pixels`` wide from column A reaches (for a print area that ends with it)."""
    col, reached = 0, _column_pixels(sheet, 0)
    while reached < pixels:
        col += 1
        reached += _column_pixels(sheet, col)
    return col


def _through_column(sheet: Worksheet, pixels: float) -> float:
    """The width from column A to the right edge of the column ``pixels`` reaches into: a printed page holds whole
    columns, so a chart ending a few pixels into a column needs all of it (else that column and the chart's edge
    print alone on a page of their own)."""
    return sum(_column_pixels(sheet, c) for c in range(columns_spanning(sheet, pixels) + 1))


def content_points(sheet: Worksheet, last_col: int | None = None) -> float:
    """Width of the sheet's used columns (or those up to ``last_col``, a print area's) and of its charts, in points
    at 100%. A chart counts to the end of the column its right edge falls in."""
    if last_col is None:
        last_col = sheet.dim_colmax if sheet.dim_colmax is not None else 0
    cells = sum(_column_pixels(sheet, c) for c in range(last_col + 1)) * COLUMN_PIXEL_POINTS
    charts = [_through_column(sheet, sum(_column_pixels(sheet, c) for c in range(col)) + x_offset + width)
              * COLUMN_PIXEL_POINTS for _row, col, x_offset, _y, width, _h in _drawings(sheet)]
    return max([cells] + charts)


def smallest_scale(theme: Theme) -> int:
    """The smallest print scale (percent) that keeps the theme's body text at ``MIN_TEXT_POINTS``."""
    return min(100, int(-(-MIN_TEXT_POINTS * 100 // theme.font_size)))


def page_wide_columns(widths: dict[int, float], theme: Theme) -> int:
    """The last column that prints on a sheet's first page wide even at the smallest readable scale, for column
    widths in characters (``widths``; others the default). A note above tables wraps within these columns, so
    that on a sheet printed across pages its end never runs onto a page of its own."""
    width, _ = printable_points(theme)
    room = width * 100 / smallest_scale(theme) / COLUMN_PIXEL_POINTS  # pixels at 100%
    reached = 0.0
    for col in range(max(widths, default=0) + 1):
        reached += int(widths.get(col, DEFAULT_COLUMN_CHARACTERS) * DIGIT_PIXELS + 0.5) + CELL_PADDING_PIXELS
        if reached > room:
            return max(col - 1, 0)
    return max(widths, default=0)


def print_scale(sheet: Worksheet, theme: Theme, last_col: int | None = None) -> tuple[int, bool]:
    """The print scale (percent) and whether the sheet must print across more than one page wide."""
    width, _ = printable_points(theme)
    floor = smallest_scale(theme)
    fit = int(width / max(content_points(sheet, last_col), 1.0) * 100)
    if fit >= floor:
        return min(100, fit), False
    return floor, True


def _chart_bottoms(sheet: Worksheet) -> dict[int, float]:
    """Each anchor row's lowest chart edge, in pixels below the top of that row."""
    bottoms: dict[int, float] = {}
    for row, _col, _x, y_offset, _w, height in _drawings(sheet):
        bottoms[row] = max(bottoms.get(row, 0.0), y_offset + height)
    return bottoms


MIN_TAIL_ROWS = 3  # a table split over pages leaves at least this many rows for its last page


@dataclass(frozen=True)
class Block:
    """Rows that print together when they can: a table with its heading and notes, or a chart."""

    first: int  # its first row
    rows: list[float]  # each row's height, in points at 100%
    height: float  # the rows', or more where a chart anchored in the block reaches lower
    under_charts: frozenset[int]  # positions of rows a chart covers: a page break there would cut the chart


def blocks(sheet: Worksheet, starts: Sequence[int], last_row: int | None = None) -> list[Block]:
    """The sheet's blocks: from one start to the next, the last to the sheet's end (or to ``last_row``, a print
    area's: rows kept for the screen below it, such as a chart's data, print on no page)."""
    bottoms = _chart_bottoms(sheet)
    if last_row is None:
        last_row = max([sheet.dim_rowmax if sheet.dim_rowmax is not None else 0] + [r for r in bottoms])
    bottoms = {r: b for r, b in bottoms.items() if r <= last_row}
    edges = sorted(set(starts)) + [last_row + 1]
    found = []
    for first, end in zip(edges, edges[1:]):
        heights = [_row_pixels(sheet, r) for r in range(first, end)]
        tops = list(itertools.accumulate(heights[:-1], initial=0)) if heights else []  # the heights above each row
        covered = {i for r, bottom in bottoms.items() if first <= r < end
                   for i in range(r - first + 1, len(heights)) if tops[i] < tops[r - first] + bottom}
        reach = max([sum(heights)] + [tops[r - first] + b for r, b in bottoms.items() if first <= r < end])
        found.append(Block(first, [h * PIXEL_POINTS for h in heights], reach * PIXEL_POINTS, frozenset(covered)))
    return found


def _greedy(block: Block, start: int, used: float, limit: float) -> list[int]:
    """Positions (from ``start``) where a page fills: each page takes the rows that fit in ``limit``, never breaking
    under a chart."""
    breaks: list[int] = []
    for i in range(start, len(block.rows)):
        height = block.rows[i]
        if used and used + height > limit and i not in block.under_charts:
            breaks.append(i)
            used = 0.0
        used += height
    return breaks


def _split(block: Block, used: float, page: float) -> tuple[list[int], float]:
    """Breaks inside a block too tall for what is left of the page (``used`` of ``page`` points), and how much of
    its last page it uses. The first page takes the rows that fit; the rest are shared evenly between the pages
    they need (a greedy split would leave a few rows alone on the last), and the last keeps at least
    ``MIN_TAIL_ROWS`` rows."""
    inner = _greedy(block, 0, used, page)
    if inner:  # the rows after the first break fill len(inner) pages: share them out
        rest = block.rows[inner[0]:]
        even = sum(rest) / len(inner) + max(rest)  # a page holds its share and at most one row more
        inner = [inner[0]] + _greedy(block, inner[0], 0.0, min(page, even))
    if inner and len(block.rows) - inner[-1] < MIN_TAIL_ROWS:
        earliest = inner[-2] + 1 if len(inner) > 1 else 1
        inner[-1] = max(earliest, min(inner[-1], len(block.rows) - MIN_TAIL_ROWS))
    if inner:
        used = sum(block.rows[inner[-1]:])
    else:
        used += sum(block.rows)
    return [block.first + i for i in inner], used + block.height - sum(block.rows)


def _extents(sheet: Worksheet, last_row: int) -> tuple[list[float], list[float]]:
    """Each row's top (from row 0) and how far below that top it prints (its height, or a chart anchored in it), in
    points at 100%. A row with no cell and no chart prints nothing (0): the blank rows that end a block may fall
    below the page's foot, where they print on no page."""
    heights = [_row_pixels(sheet, r) * PIXEL_POINTS for r in range(last_row + 1)]
    tops = [0.0]
    for height in heights[:-1]:
        tops.append(tops[-1] + height)
    reach = [height if r in sheet.table else 0.0 for r, height in enumerate(heights)]
    for row, bottom in _chart_bottoms(sheet).items():
        if row <= last_row:
            reach[row] = max(reach[row], bottom * PIXEL_POINTS)
    return tops, reach


def _used(tops: list[float], reach: list[float], first: int, end: int) -> float:
    """How much of a page holding rows ``first`` to ``end`` - 1 is used: down to its lowest printed row or chart."""
    return max((tops[r] - tops[first] + reach[r] for r in range(first, end) if reach[r]), default=0.0)


HALF_PAGE = 0.6  # "half used" as the planner measures it: its page is 6% short of the printer's (SAFETY), and a page
# measured to its last word reads a little emptier than to its last row's foot (0.93 times, on the demo's Profiles)
LEAST_HALF = 0.55  # a page short of this prints less than half filled, measured as the planner does


def _share_pages(breaks: list[int], starts: Sequence[int], tops: list[float], reach: list[float], page: float,
                 last_may_be_short: bool, glued: Sequence[int] = ()) -> list[int]:
    """Re-place the breaks between blocks so that no page but the sheet's last is less than half used, where the
    blocks allow it.

    Breaking only where the next block does not fit packs the first pages and can leave a page with one short
    table when the block after it is too tall to join it. Between the breaks that cannot move (inside a table
    taller than a page, or before one), the whole blocks are shared out again: the least space missing from pages
    less than half used (the sheet's last page excepted: a section's end), then the fewest pages, then the most
    even (least squared space left), so that consecutive short tables share a page rather than one table alone on
    it, and a heading is never left alone to make the rest fuller. On a sheet printed across pages
    (``last_may_be_short`` false) the last band of rows prints on several pages, all but one in the middle of the
    print, so it too should be half used. A block in ``glued`` (a chart under its table) starts a page only where
    that leaves less space missing from pages printed less than half filled (``LEAST_HALF``), before the margin
    ``HALF_PAGE`` keeps: where the pages are half filled either way each table keeps its chart (charts and tables
    out of step, each page a chart of one indicator over the table of the next, read worse than one page that
    is a little short of the margin).
    """
    last = len(tops)
    block_starts = set(starts)
    sticky = set(glued)
    ordered = sorted(block_starts)
    tall = {s for s, e in zip(ordered, ordered[1:] + [last]) if _used(tops, reach, s, e) > page}
    fixed = sorted({b for b in breaks if b not in block_starts or b in tall})
    shared: list[int] = []
    for first, end in zip([0, *fixed], [*fixed, last]):
        points = [first, *sorted(s for s in block_starts if first < s < end and s not in tall), end]
        best: dict[int, tuple[tuple[float, int, float, int, float], list[int]]] = {0: ((0.0, 0, 0.0, 0, 0.0), [])}
        # (short of the least half, glued blocks starting a page, short, pages, spare)
        for j in range(1, len(points)):
            options = []
            for i in range(j - 1, -1, -1):  # pages ending at point j, shortest first: stop once one overflows
                used = _used(tops, reach, points[i], points[j])
                if used > page and (i, j) != (0, 1):
                    break
                if i not in best:
                    continue
                (below, split, short, pages, spare), cuts = best[i]
                ends_sheet = points[j] == last and last_may_be_short
                filled = 1.0 if ends_sheet else used / page
                options.append(((below + max(0.0, LEAST_HALF - filled), split + (points[i] in sticky),
                                 short + max(0.0, HALF_PAGE - filled), pages + 1,
                                 spare + (0.0 if ends_sheet else ((page - used) / page) ** 2)), cuts + [points[i]]))
            if options:
                best[j] = min(options)
        cuts = best[len(points) - 1][1] if len(points) - 1 in best else None
        shared += cuts[1:] if cuts is not None else [b for b in breaks if first < b < end]
        shared += [end] if end != last else []
    return shared


def page_breaks(sheet: Worksheet, starts: Sequence[int], scale: int, theme: Theme,
                last_row: int | None = None, across: bool = False, glued: Sequence[int] = ()) -> list[int]:
    """Rows to break before so that no block (a table with its heading and notes) straddles two pages.

    ``starts`` are the rows where blocks begin (row 0 is always one). A block is moved to a new page
    only when it would not fit in what is left of the current one. A block taller than a page must be
    split: it starts a page of its own only when the current one is more than half used (else it runs
    on from there rather than leave a page mostly empty), and its rows are broken into pages here, not
    where the printer would, so that its last page is never one or two rows. Then a page left less than
    half used takes blocks from the page before it where they fit (:func:`_share_pages`).
    """
    _, page = printable_points(theme)
    page = page * 100 / scale  # the page's height in the sheet's own (100%) points
    breaks: list[int] = []
    used = 0.0
    found = blocks(sheet, [0, *starts], last_row)
    for block in found:
        if used and used + block.height > page and (block.height <= page or used > page / 2):
            breaks.append(block.first)
            used = 0.0
        if used + block.height <= page:
            used += block.height
            continue
        inner, used = _split(block, used, page)
        breaks += inner
    end = found[-1].first + len(found[-1].rows) - 1
    return _share_pages(breaks, [b.first for b in found], *_extents(sheet, end), page, not across, glued)


def plan_pages(sheet: Worksheet, theme: Theme, keep_together: Sequence[int] = (), last_col: int | None = None,
               last_row: int | None = None, glued: Sequence[int] = ()) -> PrintPlan:
    """The scale and breaks for the sheet (up to ``last_col`` and ``last_row`` when a print area leaves wider or
    further tables to the screen); ``glued`` are the blocks that would rather share the page of the block before
    (:func:`_share_pages`)."""
    scale, across = print_scale(sheet, theme, last_col)
    return PrintPlan(scale, page_breaks(sheet, keep_together, scale, theme, last_row, across, glued)
                     if keep_together else [], across)
