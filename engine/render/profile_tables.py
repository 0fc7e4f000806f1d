"""The columns and rows of one breakdown's table on the Profiles sheet, for each of its shapes.

- one group of rows: category, count, (out of,) area %, benchmark %, difference, ▲/▼ (, significance);
- subsets side by side: category, then per subset count, (out of,) area %, benchmark %, ▲/▼ (, significance);
- partner areas: one row per partner area after the benchmark's, per flag count of base, %, ▲/▼ (, significance).

The renderer only lays out what the Report holds; every figure and word was computed there.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.layout import Column
from engine.render.wrapping import one_line_points
from engine.report import Breakdown, BreakdownRow, Report

POINTS = "+0.0;-0.0;0.0"


@dataclass(frozen=True)
class TableShape:
    columns: list[Column]
    rows: list[list]
    significance_columns: list[int]  # offsets of the columns holding significance words
    percent_columns: list[int]  # offsets of the area's percentages (data bars in a partner_areas table)
    highlight_row: int | None = None  # data-row offset of the report's own partner area
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # (subset, first, last column offset) above the header
    labels: int = 1  # the leading label columns (characteristic and category, or the category alone)
    parts: list[tuple[str, int, int]] = field(default_factory=list)  # column groups printed one at a time (name, first, last)
    screen_only: list[int] = field(default_factory=list)  # offsets of columns left out of the printed form


def _fit(name: str, least: float) -> float:
    """A width that keeps a place name on at most two header lines."""
    return max(least, len(name) * 0.6 + 2)


def grouped(breakdown: Breakdown) -> bool:
    return len({r.group for r in breakdown.rows}) > 1


def _shows_bases(rows: list[BreakdownRow]) -> bool:
    """An 'Out of' column is needed unless every row is a share of its characteristic's total (flags and
    "% of each category" have bases of their own)."""
    totals: dict[str, int] = {}
    for r in rows:
        if r.count is None or r.base is None:  # hidden: the reader must not be able to add the others up to it
            return True
        totals[r.group] = totals.get(r.group, 0) + r.count
    return any(r.base != totals[r.group] for r in rows)


def _tested(breakdown: Breakdown) -> bool:
    return bool(breakdown.significance_method)


def _label_columns(breakdown: Breakdown, formats: Formats) -> list[Column]:
    if grouped(breakdown):
        return [Column("Characteristic", formats.text), Column("Category", formats.text)]
    return [Column(breakdown.rows[0].group if breakdown.rows else breakdown.title, formats.text)]


def _label(row: BreakdownRow, is_grouped: bool) -> list:
    """A row's label cells; ``is_grouped`` is :func:`grouped` of its breakdown, asked once per table, not per row
    (per row it made a long breakdown's table quadratic in its rows)."""
    return [row.group, row.category] if is_grouped else [row.category]


def single_shape(breakdown: Breakdown, report: Report, formats: Formats) -> TableShape:
    area, bench = report.partner_area, report.benchmark_name
    bases = _shows_bases(breakdown.rows)
    tested = _tested(breakdown)
    columns = _label_columns(breakdown, formats) + [Column(f"{area}: {breakdown.unit}", formats.count, _fit(area, 12))]
    columns += [Column("Out of", formats.count, 9)] if bases else []
    columns += [Column(f"{area} %", formats.percent, _fit(area, 10)), Column(f"{bench} %", formats.percent, _fit(bench, 12)),
                Column("Difference (percentage points)", formats.get(num_format=POINTS), 14),
                Column(f"Against {bench}", formats.centre, 12)]
    columns += [Column("Significance", formats.text, 22)] if tested else []
    rows = []
    is_grouped = grouped(breakdown)
    for r in breakdown.rows:
        rows.append(_label(r, is_grouped) + [r.shown("count")] + ([r.shown("base")] if bases else [])
                    + [r.shown(f) for f in ("percent", "benchmark_percent", "difference", "flag")]
                    + ([r.shown("significance")] if tested else []))
    difference = len(columns) - (3 if tested else 2)  # worked out from the two percentages beside it
    return TableShape(columns, rows, [len(columns) - 1] if tested else [], [], labels=len(_label_columns(breakdown, formats)),
                      screen_only=[difference])


def subsets_shape(breakdown: Breakdown, report: Report, formats: Formats) -> TableShape:
    area, bench = report.partner_area, report.benchmark_name
    tested = _tested(breakdown)
    columns = _label_columns(breakdown, formats)
    first = breakdown.rows_of(breakdown.subsets[0])
    per_subset = {s: breakdown.rows_of(s) for s in breakdown.subsets}
    significance: list[int] = []
    shows_bases = {s: _shows_bases(rows) for s, rows in per_subset.items()}
    spans: list[tuple[str, int, int]] = []
    for subset in breakdown.subsets:
        start = len(columns)
        columns.append(Column(f"{subset}: n", formats.count, 9))
        if shows_bases[subset]:
            columns.append(Column(f"{subset}: out of", formats.count, 9))
        columns += [Column(f"{subset}: {area} %", formats.percent, 12), Column(f"{subset}: {bench} %", formats.percent, 12),
                    Column(f"{subset}: against {bench}", formats.centre, 11)]
        if tested:
            significance.append(len(columns))
            columns.append(Column(f"{subset}: significance", formats.text, 22))
        spans.append((subset, start, len(columns) - 1))
    rows = []
    is_grouped = grouped(breakdown)
    for position, label_row in enumerate(first):
        row = _label(label_row, is_grouped)
        for subset in breakdown.subsets:
            r = per_subset[subset][position]
            row += [r.shown("count")] + ([r.shown("base")] if shows_bases[subset] else [])
            row += [r.shown(f) for f in ("percent", "benchmark_percent", "flag")]
            row += [r.shown("significance")] if tested else []
        rows.append(row)
    return TableShape(columns, rows, significance, [], spans=spans, labels=len(_label_columns(breakdown, formats)),
                      parts=spans)


def partner_areas_shape(breakdown: Breakdown, report: Report, formats: Formats) -> TableShape:
    """The seeds' reoffending-rates table: the benchmark first, then every partner area; one column group per flag."""
    bench = report.benchmark_name
    tested = _tested(breakdown)
    groups = list(dict.fromkeys(r.group for r in breakdown.rows))
    by_group = {g: [r for r in breakdown.rows if r.group == g] for g in groups}
    several = len(groups) > 1
    columns = [Column(report.partner_label, formats.text)]
    significance: list[int] = []
    percents: list[int] = []
    parts: list[tuple[str, int, int]] = []
    for group in groups:
        start = len(columns)
        prefix = f"{group}: " if several else ""
        columns += [Column(f"{prefix}{breakdown.unit.capitalize()}", formats.count, 11),
                    Column(group if not several else f"{group}: count", formats.count, 11)]
        percents.append(len(columns))
        columns += [Column(f"{group} %", formats.percent, 14), Column(f"{prefix}Against {bench}", formats.centre, 11)]
        if tested:
            significance.append(len(columns))
            columns.append(Column(f"{prefix}Significance", formats.text, 22))
        parts.append((group, start, len(columns) - 1))
    first = by_group[groups[0]]
    rows = [[f"{bench} (benchmark)"]]
    for group in groups:
        r = by_group[group][0]
        rows[0] += [r.shown(f) for f in ("benchmark_base", "benchmark_count", "benchmark_percent")] + [""] \
            + ([""] if tested else [])
    highlight = None
    for position, area_row in enumerate(first):
        row = [area_row.category]
        for group in groups:
            r = by_group[group][position]
            # A protected build's hidden figure (each partner area's with its own workbook's status) reads the word.
            row += [r.shown(f) for f in ("base", "count", "percent", "flag")] + ([r.shown("significance")] if tested else [])
        rows.append(row)
        if area_row.highlight:
            highlight = position + 1
    return TableShape(columns, rows, significance, percents, highlight, parts=parts if several else [])


def table_shape(breakdown: Breakdown, report: Report, formats: Formats) -> TableShape:
    if breakdown.layout == "partner_areas":
        return partner_areas_shape(breakdown, report, formats)
    if breakdown.subsets:
        return subsets_shape(breakdown, report, formats)
    return single_shape(breakdown, report, formats)


def table_heading(sheet: Worksheet, formats: Formats, row: int, text: str) -> None:
    """A table's heading on the Profiles sheet, its row as high as its face (the sheet's default row fits body
    text: :func:`compact_rows`)."""
    sheet.write(row, 0, text, formats.heading)
    sheet.set_row(row, one_line_points(formats.theme.heading_size))


def compact_rows(sheet: Worksheet, formats: Formats) -> None:
    """Rows as high as one line of the theme's body text (not xlsxwriter's 15 points, an 11-point face's): the
    sheet's tables, each about half a printed page at 15 points, then share pages (two fit where one and a half
    did)."""
    sheet.set_default_row(one_line_points(formats.theme.font_size))


def section_title(sheet: Worksheet, formats: Formats, row: int, text: str) -> int:
    """A heading over the Profiles sheet's next tables (breakdowns or hotspots); the row after its gap."""
    sheet.set_row(row, 22)
    sheet.write(row, 0, text, formats.get(bold=True, font_size=formats.theme.heading_size + 2,
                                          font_color=formats.theme.colours.get("title", "#000000")))
    return row + 2


def headed_table(sheet: Worksheet, formats: Formats, row: int, title: str, section: str,
                 current: str) -> tuple[int, str]:
    """A table's heading at ``row``, under a section title first when ``section`` starts a new one (after
    ``current``); the heading's row and the section now open. Hotspot and published tables follow the breakdowns
    in sections of their own, so each list opens its sections the same way."""
    if section and section != current:
        current = section
        row = section_title(sheet, formats, row, section)
    table_heading(sheet, formats, row, title)
    return row, current


PRINT_LABEL_WIDTHS = (22.0, 16.0)  # characters: the label columns of the printed form wrap within these
PRINT_WORDS_WIDTH, PRINT_FIGURE_WIDTH = 22.0, 11.0  # "Not significantly different" on one line


def printed_parts(shape: TableShape) -> list[tuple[str | None, list[Column], list[list]]]:
    """The table's printable form (:mod:`engine.render.print_sheet`): the label columns with each part's columns (a
    subset, a flag) in turn, their titles without the part's name (it heads them), less the columns the screen alone
    keeps (a difference readable from the two percentages beside it). One part, unnamed, where the table has none."""
    parts = shape.parts or [(None, shape.labels, len(shape.columns) - 1)]
    words = set(shape.significance_columns)
    found = []
    for name, first, last in parts:
        keep = [c for c in range(first, last + 1) if c not in shape.screen_only]
        prefix = f"{name}: " if name else ""
        columns = [Column(c.header, c.format, PRINT_LABEL_WIDTHS[min(i, 1)]) for i, c in enumerate(shape.columns[:shape.labels])]
        for c in keep:
            header = shape.columns[c].header
            header = header[len(prefix):] if prefix and header.startswith(prefix) else header
            header = "Count" if header == "n" else header
            columns.append(Column(header[:1].upper() + header[1:], shape.columns[c].format,
                                  PRINT_WORDS_WIDTH if c in words else PRINT_FIGURE_WIDTH))
        found.append((name, columns, [r[:shape.labels] + [r[c] for c in keep] for r in shape.rows]))
    return found
