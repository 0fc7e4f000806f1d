"""The data-quality records: rows kept aside or cleaned, and why.

Shared by ingest (which finds them), the Report (which shows them) and the CSV written beside each
workbook, so they live apart from all three.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields

REJECTED = "rejected"  # the row was dropped: a value failed its column's checks
CLEANED = "cleaned"  # a value was read as missing or tidied (a status marker such as '..'); the row was kept
EXCLUDED = "excluded"  # the row was kept out of every count on purpose (no location, outside the areas, a repeat)
MISSING = "missing"  # a figure shown as n/a: its (area, period) had no row, or a rejected one (missing is not zero)
ACTIONS = (REJECTED, CLEANED, EXCLUDED, MISSING)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class QualityNote:
    """A count of rows that were kept aside or looked odd, and why (shown on the Methodology sheet)."""

    source: str
    reason: str
    rows: int
    example: str = ""


@dataclass(frozen=True)
class QualityIssue:
    """One rejected, cleaned or excluded row: where it is, what it held and what was done."""

    source: str
    file: str
    sheet: str
    row: int | None
    column: str
    value: str
    action: str
    reason: str
    about: str = ""  # the partner area the row is about, or WHOLE_FILE_LABEL


WHOLE_FILE_LABEL = "the file as a whole"
ISSUE_FIELDS = tuple(f.name for f in fields(QualityIssue) if f.name != "about")  # where the issue is and what it is
CSV_FIELDS = (*ISSUE_FIELDS, "about")


def neutralise(text: str) -> str:
    """Partner text for a CSV a spreadsheet may open: a leading ``=`` ``+`` ``-`` ``@`` must not become a formula.

    OWASP's rule: prefix such a cell with an apostrophe, which spreadsheets read as "this is text".
    """
    return "'" + text if text.startswith(FORMULA_START) else text


def issues_csv(rows: list[tuple], labelled: bool = False) -> bytes:
    """The data-quality CSV (UTF-8 with BOM so Excel shows accents): one line per issue, partner text kept as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS if labelled else ISSUE_FIELDS)  # labelled: each row ends with whom it is about
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) if isinstance(v, str) else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def missing_rows(report) -> list[tuple]:
    """The report's own "missing" lines (its figures shown as n/a, and why) as data-quality CSV rows."""
    return [tuple(getattr(issue, name) for name in ISSUE_FIELDS) for issue in report.quality_issues
            if issue.action == MISSING]
