"""The data-quality record: rows kept aside or cleaned, and why.

Shared by ingest (which finds them) and the Report (which shows them), so it lives apart from both.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QualityNote:
    """A count of rows that were kept aside or looked odd, and why (shown on the Methodology sheet)."""

    source: str
    reason: str
    rows: int
    example: str = ""
