"""Report -> .xlsx bytes (xlsxwriter), deterministic, then written atomically."""
from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter

from engine.atomic import write_bytes_atomic
from engine.render.data_quality import write_data_quality
from engine.render.formats import Formats
from engine.render.methodology import write_methodology
from engine.render.comparisons import write_comparisons
from engine.render.findings import write_findings
from engine.render.cell_values import WrittenCells, written_cells
from engine.contract.names import AS_BUILT_SHEETS, SHEET_COMPARISONS, SHEET_DATA_QUALITY, SHEET_FINDINGS, SHEET_MAPS, SHEET_METHODOLOGY, SHEET_PROFILES, SHEET_SUMMARY, SHEET_TOP, SHEET_TRENDS, SHEET_WHO
from engine.render.maps_sheet import write_maps
from engine.render.print_sheet import print_sheet_name, write_print_sheet
from engine.render.front_page import SHEET_FRONT, partner_front_rows, write_front_page
from engine.render.profiles import write_profiles
from engine.render.settings_sheet import write_settings_sheet
from engine.render.summary import ordered_kpis, write_summary
from engine.render.theme import Theme
from engine.render.top_areas import write_top_areas
from engine.render.trends import write_trends
from engine.render.who_is_affected import write_who_is_affected
from engine.render.xlsx_writer import new_workbook
from engine.report import Report

def document_properties(workbook: xlsxwriter.Workbook, report: Report, area_property: str = "Saferbook partner area") -> None:
    """Title, subject, author, keywords and the area and period as custom properties (file browsers and search show them)."""
    workbook.set_properties({
        "title": f"{report.title} — {report.partner_area}",
        "subject": f"{report.current_window} compared with {report.previous_window}",
        "author": report.organisation or "Saferbook",
        "company": report.organisation,
        "keywords": f"community safety, {report.partner_area}, {report.period_end}",
        "comments": f"Built by Saferbook {report.engine_version} from spec version {report.spec_version}.",
        "created": report.generated,
    })
    workbook.set_custom_property(area_property, report.partner_area)
    workbook.set_custom_property("Saferbook period end", report.period_end)


def render_workbook(report: Report, theme: Theme) -> bytes:
    """The workbook's bytes; the same Report and theme always give the same bytes."""
    workbook, buffer = _written(report, theme, as_built=True)
    workbook.close()
    return buffer.getvalue()


def workbook_cells(report: Report, theme: Theme) -> WrittenCells:
    """What each sheet of the workbook holds, by sheet, without making the file: what Refresh in Excel copies from.
    The sheets Refresh keeps as built (``AS_BUILT_SHEETS``) are left empty: drawing their maps was most of the time."""
    return written_cells(_written(report, theme, as_built=False)[0])


def _written(report: Report, theme: Theme, as_built: bool) -> tuple[xlsxwriter.Workbook, io.BytesIO]:
    """Every sheet written, the file not yet made (``as_built``: see :func:`workbook_cells`)."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    document_properties(workbook, report)
    formats = Formats(workbook, theme)
    summary = workbook.add_worksheet(SHEET_SUMMARY)
    front = workbook.add_worksheet(SHEET_FRONT)
    findings = workbook.add_worksheet(SHEET_FINDINGS)
    top = workbook.add_worksheet(SHEET_TOP)
    maps = workbook.add_worksheet(SHEET_MAPS) if report.maps is not None else None
    trends = workbook.add_worksheet(SHEET_TRENDS)
    comparisons = workbook.add_worksheet(SHEET_COMPARISONS)
    profiles = workbook.add_worksheet(SHEET_PROFILES)
    profiles_print = workbook.add_worksheet(print_sheet_name(SHEET_PROFILES))
    who = workbook.add_worksheet(SHEET_WHO)
    who_print = workbook.add_worksheet(print_sheet_name(SHEET_WHO))
    methodology = workbook.add_worksheet(SHEET_METHODOLOGY)
    data_quality = workbook.add_worksheet(SHEET_DATA_QUALITY)
    top_rows = write_top_areas(top, report, formats)
    quarter_rows = write_trends(workbook, trends, report, formats)
    write_summary(summary, report, formats, top_rows, quarter_rows)
    write_front_page(front, formats, report, partner_front_rows(report, ordered_kpis(report)), title=report.title,
                     subject=report.partner_area, home=SHEET_SUMMARY, home_label=SHEET_SUMMARY)
    write_findings(findings, report, formats)
    if maps is not None and report.maps is not None and (as_built or SHEET_MAPS not in AS_BUILT_SHEETS):
        write_maps(maps, report, report.maps, formats)
    write_comparisons(workbook, comparisons, report, formats)
    for screen, printing, tables in ((SHEET_PROFILES, profiles_print, write_profiles(profiles, report, formats)),
                                     (SHEET_WHO, who_print, write_who_is_affected(workbook, who, report, formats))):
        write_print_sheet(printing, formats, report, screen, f"{screen} to print — {report.partner_area}", tables)
    write_methodology(methodology, report, formats)
    write_data_quality(data_quality, report, formats)
    write_settings_sheet(workbook, report)  # last: it lists what the sheets above hold, for Refresh in Excel
    return workbook, buffer


def write_xlsx(data: bytes, out_dir: Path, stem: str) -> Path:
    """Write a rendered workbook as ``<stem>.xlsx`` atomically; return its path."""
    path = out_dir / f"{stem}.xlsx"
    write_bytes_atomic(path, data)
    return path


def write_workbook(report: Report, theme: Theme, out_dir: Path) -> Path:
    """Render and write ``<partner>_<period>.xlsx`` atomically; return its path."""
    return write_xlsx(render_workbook(report, theme), out_dir, report.file_stem)
