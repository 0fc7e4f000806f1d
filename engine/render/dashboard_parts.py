"""What the dashboard's sheets share: their names, and the number format each KPI's values take."""
from __future__ import annotations

import re

from xlsxwriter.format import Format

from engine.dashboard_report import DashboardReport, ValueFormat
from engine.render.formats import Formats
from engine.report import NOT_AVAILABLE

SHEET_DASHBOARD = "Dashboard"
SHEET_QUARTERLY = "Quarterly trend"


def members_sheet(dashboard: DashboardReport) -> str:
    """The member areas' sheet, named after what the spec calls them ("Districts"): a valid, unclashing sheet name."""
    name = re.sub(r"[\[\]:*?/\\']", " ", f"{dashboard.member_label}s").strip()[:31] or "Areas"
    return name if name not in (SHEET_DASHBOARD, SHEET_QUARTERLY, "Methodology", "Data Quality") else "Member areas"


def value_format(formats: Formats, kind: ValueFormat) -> Format:
    """A KPI value's cell format, from the data model: a rate (1,234.5), a percentage (12.3%) or a count (1,234)."""
    return {"rate": formats.rate, "percent": formats.percent, "count": formats.count}[kind]


def percent_change(value: float | None) -> float | str:
    """% change as a number, or "n/a" when the previous window had none."""
    return value if value is not None else NOT_AVAILABLE
