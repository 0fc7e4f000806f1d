"""Stable names of sheets and Excel tables: refresh, tests and analysts' formulas rely on them."""
from __future__ import annotations

import re

SHEET_SUMMARY = "Summary"
SHEET_TOP = "Top 10"
SHEET_MAPS = "Maps"
SHEET_TRENDS = "Trends"
SHEET_COMPARISONS = "Comparisons"
SHEET_PROFILES = "Profiles"
SHEET_WHO = "Who is affected"
SHEET_FINDINGS = "Key findings"
SHEET_METHODOLOGY = "Methodology"
SHEET_DATA_QUALITY = "Data Quality"
TABLE_PREFIX = "sb_"

# Sheets Refresh in Excel leaves as they were built, because what they show is drawn, not written into cells (the
# maps are pictures: redrawing them in Excel would mean replacing images, and drawing them was most of a refresh's
# time). Render says on each when it was drawn and that a rebuild redraws it; the add-in neither reads nor writes them.
AS_BUILT_SHEETS = frozenset({SHEET_MAPS})


def table_name(*parts: str) -> str:
    """``table_name('top10', 'total_crime')`` -> ``sb_top10_total_crime`` (valid, never cell-like)."""
    name = TABLE_PREFIX + "_".join(parts)
    return re.sub(r"[^A-Za-z0-9_]", "_", name)[:255]


def internal_link(sheet: str, row: int = 0, col: str = "A") -> str:
    return f"internal:'{sheet}'!{col}{row + 1}"
