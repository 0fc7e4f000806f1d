"""The Report: everything one partner's workbook shows, computed once, with no I/O.

Both the file renderer and the in-Excel refresh draw from this, so a refreshed workbook and a
freshly built one cannot disagree. Renderers format; they never compute.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine.quality import QualityIssue, QualityNote


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
    target: str | None = None  # the spec's target in words ("Reduce by 5%"), None when it sets none
    target_status: str | None = None  # "Met", "Not met", or SUPPRESSED when the measure is hidden

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
class Peak:
    """The run of consecutive months with most events, kept only when it is significantly high."""

    first: dt.date
    last: dt.date
    count: int
    expected: float  # the run's share of the window's events if every month were alike
    p_value: float  # one-sided exact binomial, adjusted for the number of runs tried

    @property
    def label(self) -> str:
        """"November to January", the seeds' wording."""
        return f"{self.first:%B} to {self.last:%B}" if self.first != self.last else f"{self.first:%B}"


@dataclass(frozen=True)
class IndicatorSeries:
    """One indicator over time for the partner area: the sparkline, the monthly profile and its peak."""

    indicator_id: str
    name: str
    unit: str
    months: list[dt.date]  # the current window's months, oldest first
    monthly: list[int]  # the partner area's count in each of those months
    quarter_labels: list[str]  # rolling quarters ending at the period end, oldest first ("Nov 21–Jan 22")
    quarterly: list[int | None]  # None where the data does not cover the quarter
    peak: Peak | None


@dataclass(frozen=True)
class AreaComparison:
    """One indicator's rate in every partner area and the benchmark: the Comparisons bar chart."""

    indicator_id: str
    name: str
    unit: str
    rate_per: int
    polarity: str
    areas: list[str]
    counts: list[int]
    rates: list[float]
    benchmark_rate: float
    peer_average: float | None = None


@dataclass(frozen=True)
class BreakdownRow:
    """One category's share of the partner area's total against its share of the benchmark's."""

    group: str  # the characteristic, e.g. "Gender"; the breakdown's title when it has one characteristic
    category: str
    count: int
    percent: float | None  # fractions; None when the group total is 0
    benchmark_count: int
    benchmark_percent: float | None
    flag: str  # "▲" higher than the benchmark, "▼" lower, "=" the same at one decimal place
    difference: float | None = None  # percentage points between the shares as shown (one decimal place)


@dataclass(frozen=True)
class Breakdown:
    """A profile (several characteristics, ▲/▼) or an area-% vs benchmark-% breakdown."""

    breakdown_id: str
    title: str
    unit: str
    rows: list[BreakdownRow]
    note: str = ""


@dataclass(frozen=True)
class Finding:
    """One key-findings sentence and the figures it quotes, so tests can check each number."""

    topic: str
    text: str
    figures: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class MethodNote:
    topic: str
    text: str


@dataclass(frozen=True)
class Provenance:
    """Where a Report came from, so that the workbook can be refreshed later from the same spec and data."""

    spec_path: str  # absolute
    period_end_setting: str  # what a refresh asks for: "latest" or "YYYY-MM"
    data_locations: tuple[tuple[str, str], ...] = ()  # (source name, absolute path)


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
    series: list[IndicatorSeries] = field(default_factory=list)
    comparisons: list[AreaComparison] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    provenance: Provenance | None = None  # set by engine.api.prepare; the workbook's settings sheet records it
    suppression_note: str | None = None  # what [c] means, when this workbook hides any number
    quality_issues: list[QualityIssue] = field(default_factory=list)  # the first rejected/cleaned/excluded rows
    quality_issue_count: int = 0  # all of them (every one is in the CSV beside the workbook)
    synthetic_note: str | None = None  # which indicators count SYNTHETIC (demo) data, for the Summary's footnote

    @property
    def file_stem(self) -> str:
        """A safe file name for this partner's workbook."""
        safe = "".join(ch if ch.isalnum() else "_" for ch in self.partner_area).strip("_")
        while "__" in safe:
            safe = safe.replace("__", "_")
        return f"{safe}_{self.period_end}"
