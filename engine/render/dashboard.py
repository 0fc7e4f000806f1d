"""DashboardReport -> .xlsx bytes (xlsxwriter), deterministic, then written atomically.

Sheets: Dashboard, Front page (what a board prints), Key findings (per outcome), Quarterly trend, the member
areas ("Districts"), Comparisons (only with the spec's published comparators), Profiles (only with the spec's
published tables, each under its outcome), Maps, Methodology and Data Quality;
the last two are the partner workbook's own renderers, fed the subject's Report.
"""
from __future__ import annotations

import io
from pathlib import Path

from engine.dashboard_report import DashboardReport
from engine.render.comparisons import write_comparisons
from engine.render.dashboard_members import write_members
from engine.render.dashboard_parts import SHEET_DASHBOARD, SHEET_QUARTERLY, members_sheet
from engine.render.dashboard_sheet import write_dashboard_sheet
from engine.render.dashboard_trend import write_quarterly
from engine.render.data_quality import write_data_quality
from engine.render.findings import write_findings
from engine.render.formats import Formats
from engine.render.front_page import SHEET_FRONT, FrontRow, write_front_page
from engine.render.maps_sheet import write_maps
from engine.render.methodology import write_methodology
from engine.render.profiles import write_profiles
from engine.render.cell_values import WrittenCells, written_cells
from engine.contract.names import (AS_BUILT_SHEETS, SHEET_COMPARISONS, SHEET_DATA_QUALITY, SHEET_FINDINGS, SHEET_MAPS,
                                   SHEET_METHODOLOGY, SHEET_PROFILES)
from engine.contract.settings_sheet import KIND_DASHBOARD
from engine.render.settings_sheet import write_settings_sheet
from engine.render.theme import Theme
from engine.render.workbook import document_properties, write_xlsx
from engine.render.xlsx_writer import new_workbook


def render_dashboard(dashboard: DashboardReport, theme: Theme) -> bytes:
    """The dashboard workbook's bytes; the same DashboardReport and theme always give the same bytes."""
    workbook, buffer = _written(dashboard, theme, as_built=True)
    workbook.close()
    return buffer.getvalue()


def dashboard_cells(dashboard: DashboardReport, theme: Theme) -> WrittenCells:
    """What each sheet holds, without making the file (see :func:`engine.render.workbook.workbook_cells`)."""
    return written_cells(_written(dashboard, theme, as_built=False)[0])


def _written(dashboard: DashboardReport, theme: Theme, as_built: bool) -> tuple[xlsxwriter.Workbook, io.BytesIO]:
    """Every sheet written, the file not yet made (``as_built``: see :func:`engine.render.workbook.workbook_cells`)."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    report = dashboard.report
    document_properties(workbook, report, area_property="Saferbook dashboard subject")
    formats = Formats(workbook, theme)
    members_name = members_sheet(dashboard)
    maps = (SHEET_MAPS,) if dashboard.maps is not None else ()
    published = (SHEET_COMPARISONS,) if report.comparators is not None else ()
    tables = (SHEET_PROFILES,) if report.published else ()  # the spec's published tables, by outcome
    sheets = {name: workbook.add_worksheet(name)  # tab order
              for name in (SHEET_DASHBOARD, SHEET_FRONT, SHEET_FINDINGS, SHEET_QUARTERLY, members_name, *published,
                           *tables, *maps, SHEET_METHODOLOGY, SHEET_DATA_QUALITY)}
    quarter_rows = write_quarterly(workbook, sheets[SHEET_QUARTERLY], dashboard, formats)
    member_rows = write_members(workbook, sheets[members_name], members_name, dashboard, formats)
    write_dashboard_sheet(sheets[SHEET_DASHBOARD], dashboard, formats, members_name, member_rows, quarter_rows)
    write_front_page(sheets[SHEET_FRONT], formats, report,
                     [FrontRow(item.outcome_group, item.kpi, item.quarterly) for item in dashboard.kpis],
                     title=report.title, subject=dashboard.subject, home=SHEET_DASHBOARD, home_label=SHEET_DASHBOARD)
    write_findings(sheets[SHEET_FINDINGS], report, formats, home=SHEET_DASHBOARD)
    if published:  # the spec's published force / region / England rates (no partner-area bars on a dashboard)
        write_comparisons(workbook, sheets[SHEET_COMPARISONS], report, formats)
    if tables:
        write_profiles(sheets[SHEET_PROFILES], report, formats, home=SHEET_DASHBOARD)
    if dashboard.maps is not None and (as_built or SHEET_MAPS not in AS_BUILT_SHEETS):
        write_maps(sheets[SHEET_MAPS], report, dashboard.maps, formats, home=SHEET_DASHBOARD)
    write_methodology(sheets[SHEET_METHODOLOGY], report, formats, home=SHEET_DASHBOARD)
    write_data_quality(sheets[SHEET_DATA_QUALITY], report, formats, home=SHEET_DASHBOARD)
    write_settings_sheet(workbook, report, KIND_DASHBOARD)  # last: what the sheets above hold, for Refresh in Excel
    return workbook, buffer


def write_dashboard(dashboard: DashboardReport, theme: Theme, out_dir: Path) -> Path:
    """Render and write ``<Subject>_<period>.xlsx`` atomically; return its path."""
    return write_xlsx(render_dashboard(dashboard, theme), out_dir, dashboard.file_stem)
