"""The Report: everything one partner's workbook shows, computed once, with no I/O.

Both the file renderer and the in-Excel refresh draw from this, so a refreshed workbook and a
freshly built one cannot disagree. Renderers format; they never compute.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine.quality import QualityNote


#: What a hidden (suppressed) number is shown as, and why (Government Statistical Service symbol).
SUPPRESSED = "[c]"


@dataclass(frozen=True)
class Kpi:
    """One indicator for the partner area: this window against the one before, and the benchmark.

    ``None`` in a number means it is hidden by small-number suppression (shown as ``[c]``).
    """

    indicator_id: str
    name: str
    priority: str
    unit: str
    previous: int | None
    current: int | None
    change: int | None
    percent_change: float | None  # a fraction (0.031 = 3.1%); None when the previous count is 0 or hidden
    direction: str  # "Increase (significant)", "Reduction (significant)", "No significant change"
    outcome: str  # "Better", "Worse" (a significant change, by polarity), "Neither" (no polarity), "Similar"
    rate: float | None
    benchmark_rate: float
    band: str | None  # the partner area's rate against the benchmark's rate
    rate_per: int
    polarity: str = "higher_is_worse"
    change_code: int = 0  # +1 significant increase, −1 significant reduction, 0 no significant change
    change_p_value: float | None = None  # the exact test's two-sided p-value (None with the overlap rule)
    peer_rank: int | None = None  # among the spec's partner areas by rate, 1 = lowest
    peer_count: int = 0
    peer_quartile: int | None = None  # 1 = the lowest quarter of rates
    peer_comparison: str | None = None  # "Above the peer average", "In line with …", "Below …"

    @property
    def peer_rank_text(self) -> str:
        """"3/9": the rank among the peers, as the seeds write it."""
        return f"{self.peer_rank}/{self.peer_count}" if self.peer_rank else ""


@dataclass(frozen=True)
class TopAreaRow:
    rank: int
    partner_area: str
    code: str
    name: str
    count: int | None  # None: hidden (small-number suppression)
    rate: float | None
    band: str | None


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
    band_basis: str | None = None  # for standard-deviation bands: the mean and SD they are measured from


@dataclass(frozen=True)
class TrendRow:
    indicator_id: str
    name: str
    values: list[int | None]  # one per financial-year column; None: hidden (small-number suppression)
    monthly: list[int | None]  # one per month in TrendTable.months


@dataclass(frozen=True)
class TrendTable:
    """Category × financial year (the seeds' table) and the same categories month by month.

    The chart is drawn from the monthly counts: a partial financial year would otherwise look
    like a collapse in crime.
    """

    title: str
    columns: list[str]
    rows: list[TrendRow]
    grand_total: list[int | None]
    notes: list[str]
    months: list[dt.date]
    monthly_totals: list[int | None] = field(default_factory=list)  # the rows' sum, month by month


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
    suppression_note: str | None = None  # what [c] means, when this workbook hides any number

    @property
    def file_stem(self) -> str:
        """A safe file name for this partner's workbook."""
        safe = "".join(ch if ch.isalnum() else "_" for ch in self.partner_area).strip("_")
        while "__" in safe:
            safe = safe.replace("__", "_")
        return f"{safe}_{self.period_end}"
