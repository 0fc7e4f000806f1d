"""The Profiles sheet's hotspot tables: the partner area's small areas where 10 or more offenders live
(or whatever the spec counts), most first, with how many could not be placed said beside them."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from engine.contract.names import table_name
from engine.render.formats import Formats
from engine.render.layout import Column, write_table
from engine.render.print_sheet import PrintTable
from engine.render.profile_tables import headed_table
from engine.report import HotspotTable, Report


def _note(table: HotspotTable, report: Report) -> str:
    label = report.small_area_label
    found = (f"{len(table.rows)} {label}{'' if len(table.rows) == 1 else 's'}" if table.rows else f"No {label}")
    head = f"{found} of {report.partner_area} with {table.at_least} or more {table.described_as}"
    if table.counted is None:  # a protected build: the totals could reveal a small number
        return f"{head}. Totals are not shown in this protected build."
    unplaced = (f" {table.unplaced:,} more {'has' if table.unplaced == 1 else 'have'} no matched {label}: counted in "
                f"none." if table.unplaced else "")
    return f"{head} ({table.counted:,} {table.unit} placed in its {label}s).{unplaced}"


def _columns(table: HotspotTable, report: Report, formats: Formats) -> list[Column]:
    label = report.small_area_label
    return [Column(f"{label} code", formats.text), Column(f"{label} name", formats.text),
            Column(table.described_as[:1].upper() + table.described_as[1:], formats.count)]


def printed_hotspots(report: Report, formats: Formats) -> list[PrintTable]:
    """The hotspot tables' printable form (:mod:`engine.render.print_sheet`): narrow already, the same columns."""
    return [PrintTable(table.title, _note(table, report),
                       [Column(c.header, c.format, w) for c, w in zip(_columns(table, report, formats), (22, 16, 11))],
                       [[r.code, r.name, r.count] for r in table.rows], labels=2) for table in report.hotspots]


def write_hotspots(sheet: Worksheet, formats: Formats, report: Report, row: int, widths: dict[int, float],
                   notes: list[tuple[int, str]]) -> tuple[list[int], int]:
    """Every hotspot table from ``row`` down; the rows each starts at (to keep it on one printed page), and the row
    after them. Each table's note goes into ``notes`` (row, text), for the sheet to wrap once every table has set
    the columns' widths."""
    starts = []
    section = ""
    for table in report.hotspots:
        starts.append(row)
        row, section = headed_table(sheet, formats, row, table.title, table.section, section)
        notes.append((row + 1, _note(table, report)))
        columns = _columns(table, report, formats)
        placement = write_table(sheet, formats, table_name("hotspots", table.hotspot_id), row + 2, 0, columns,
                                [[r.code, r.name, r.count] for r in table.rows], widths)
        row = placement.last_row + 3
    return starts, row
