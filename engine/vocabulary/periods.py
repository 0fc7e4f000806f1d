"""The period kinds a partner table's month column may hold, and how many months each covers.

A spec names them (``type: quarter``); the readers (:mod:`engine.ingest.periods`) parse them; the spec
checks use the lengths to refuse, before any data is read, a comparison the periods cannot make.
"""
from __future__ import annotations

QUARTER = "quarter"
FINANCIAL_YEAR = "financial_year"
PERIOD_MONTHS = {QUARTER: 3, FINANCIAL_YEAR: 12}
DEFAULT_START_MONTH = 4  # April: the UK government's financial year
