"""The Report: everything one partner's workbook shows, computed once, with no I/O.

Both the file renderer and the in-Excel refresh draw from this, so a refreshed workbook and a
freshly built one cannot disagree. Renderers format; they never compute.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine.quality import QualityIssue, QualityNote


@dataclass(frozen=True)
class Kpi:
    """One indicator for the partner area: this window against the one before, and the benchmark."""

    indicator_id: str
    name: str
    priority: str
    unit: str
    previous: int
    current: int
    change: int
    percent_change: float | None  # a fraction (0.031 = 3.1%); None when the previous count is 0
    direction: str  # "Increase", "Reduction", "No change"
    outcome: str  # "Better", "Worse", "Same", "Neither" — direction judged by the indicator's polarity
    rate: float
    benchmark_rate: float
    band: str  # the partner area's rate against the benchmark's rate
    rate_per: int
    polarity: str = "higher_is_worse"


@dataclass(frozen=True)
class TopAreaRow:
    rank: int
    partner_area: str
    code: str
    name: str
    count: int
    rate: float
    band: str


@dataclass(frozen=True)
class TopAreaTable:
    indicator_id: str
    indicator_name: str
    unit: str
    rank_by: str
    rate_per: int
    benchmark_rate: float
    rows: list[TopAreaRow]
    polarity: str = "higher_is_worse"


@dataclass(frozen=True)
class TrendRow:
    indicator_id: str
    name: str
    values: list[int]  # one per financial-year column
    monthly: list[int]  # one per month in TrendTable.months


@dataclass(frozen=True)
class TrendTable:
    """Category × financial year (the seeds' table) and the same categories month by month.

    The chart is drawn from the monthly counts: a partial financial year would otherwise look
    like a collapse in crime.
    """

    title: str
    columns: list[str]
    rows: list[TrendRow]
    grand_total: list[int]
    notes: list[str]
    months: list[dt.date]


@dataclass(frozen=True)
class MethodNote:
    topic: str
    text: str


@dataclass(frozen=True)
class Report:
    """One partner area's workbook contents."""

    title: str
    organisation: str
    partner_area: str
    partner_label: str
    small_area_label: str
    benchmark_name: str
    period_end: str  # "2022-10"
    current_window: str  # "Nov 2021 – Oct 2022"
    previous_window: str
    generated: dt.datetime
    kpis: list[Kpi]
    top_tables: list[TopAreaTable]
    trend: TrendTable | None
    methodology: list[MethodNote]
    quality: list[QualityNote]
    attribution: str
    spec_version: str
    engine_version: str
    theme: str = "default"
    priorities: list[str] = field(default_factory=list)
    quality_issues: list[QualityIssue] = field(default_factory=list)  # the first rejected/cleaned/excluded rows
    quality_issue_count: int = 0  # all of them (every one is in the CSV beside the workbook)

    @property
    def file_stem(self) -> str:
        """A safe file name for this partner's workbook."""
        safe = "".join(ch if ch.isalnum() else "_" for ch in self.partner_area).strip("_")
        while "__" in safe:
            safe = safe.replace("__", "_")
        return f"{safe}_{self.period_end}"
