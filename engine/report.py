"""The Report: everything one partner's workbook shows, computed once, with no I/O.

Both the file renderer and the in-Excel refresh draw from this, so a refreshed workbook and a
freshly built one cannot disagree. Renderers format; they never compute.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# The words a sheet writes for a hidden or a missing figure, defined in the workbook contract (the add-in reads them
# there); the engine's modules import them from here.
from engine.contract.figure_words import NOT_AVAILABLE, SUPPRESSED  # noqa: F401
from engine.map_report import MapSet
from engine.quality import QualityIssue, QualityNote


def benchmark_hidden_words(benchmark: str, partner_label: str) -> str:
    """Why a protected workbook hides a benchmark figure: it is the sum of every partner area's own figure of the same
    cut, so it goes wherever one of those is hidden (:mod:`engine.indicators.cross_partner`)."""
    partner = partner_label.lower()
    return (f"A {benchmark} figure is the sum of every {partner}'s own, so it reads '{SUPPRESSED}' wherever one "
            f"{partner}'s figure of it is hidden in that {partner}'s workbook: the total less the others would give it "
            f"back.")


#: A KPI's target status (RAG): met (green), within the spec's amber tolerance (amber), missed (red).
MET, CLOSE_TO_TARGET, NOT_MET = "Met", "Close to target", "Not met"


@dataclass(frozen=True)
class Kpi:
    """One indicator for the partner area: this window against the one before, and the benchmark.

    ``None`` in a number means it is hidden by small-number suppression (shown as ``suppressed``).
    """

    indicator_id: str
    name: str
    priority: str
    unit: str
    previous: int | float | None  # in the units value_format names (a count, unless the indicator has a measure)
    current: int | float | None
    change: int | float | None  # current − previous (proportions: a difference of fractions, 0.048 = 4.8 points)
    percent_change: float | None  # a fraction (0.031 = 3.1%); None when the previous count is 0 or hidden
    direction: str  # "Increase (significant)", "Reduction (significant)", "No significant change"
    outcome: str  # "Better", "Worse" (a significant change, by polarity), "Neither" (no polarity), "Similar"
    rate: float | None
    benchmark_rate: float | None  # None: hidden in a protected build (a partner area's count of it is hidden)
    band: str | None  # the partner area's rate against the benchmark's rate
    rate_per: int
    polarity: str = "higher_is_worse"
    change_code: int = 0  # +1 significant increase, −1 significant reduction, 0 no significant change
    change_p_value: float | None = None  # the exact test's two-sided p-value (None with the overlap rule)
    peer_rank: int | None = None  # among the spec's partner areas by rate, 1 = lowest
    peer_count: int = 0
    peer_quartile: int | None = None  # 1 = the lowest quarter of rates
    peer_comparison: str | None = None  # "Above the peer average", "In line with …", "Below …"
    peer_group: str | None = None  # "most similar group" when ranked in a peer-group export; None: among the partner areas
    peer_average: float | None = None  # the peer group's pooled rate (its other members' events ÷ their population)
    target: str | None = None  # the spec's target in words ("Reduce by 5%"), None when it sets none
    target_status: str | None = None  # MET, CLOSE_TO_TARGET, NOT_MET, or SUPPRESSED when the measure is hidden
    # Indicators with a measure block (engine.indicators.measured.measures); the defaults describe a count KPI.
    kind: str = "count"  # "count" (rows), "proportion" (a share, Wilson intervals) or "value" (a column summed)
    value_format: str = "count"  # what previous/current/change hold: "count", "rate" (per rate_per) or "percent" (fractions)
    numerator: float | None = None  # the current period's numerator and denominator (a proportion's; a value's sum
    denominator: float | None = None  # and the residents or denominator column it is divided by)
    previous_numerator: float | None = None
    previous_denominator: float | None = None
    current_period: str | None = None  # the source's own period ("Q1 2022-23", "2021/22", "Snapshot"); None: the
    previous_period: str | None = None  # report's rolling windows
    compared_with: str | None = None  # the previous period in words ("the previous quarter"); None: the previous 12 months
    target_value: float | None = None  # the target's bound in the measure's units (0.4 = 40%)
    measured: bool = False  # computed by engine.indicators.measured.measures (no top 10, its own sentences)
    missing_reason: str | None = None  # why a figure is n/a (missing, not zero): "Current: no row in source … for …"
    banding_method: str = "ci"  # how ``band`` was chosen: "ci" (confidence intervals) or "sd" (the spread of small-area rates)

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
    benchmark_rate: float | None  # None: hidden in a protected build, with the bands against it
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
class SeasonalTable:
    """One indicator's month of year × year counts for the partner area (the seeds' multi-year profile)."""

    indicator_id: str
    name: str
    unit: str
    title: str
    years: list[str]  # column labels, oldest first ("2020", or a financial year's label)
    months: list[str]  # row labels in year order ("Jan" … "Dec", or from the financial year's first month)
    counts: list[list[int | None]]  # [month row][year column]; None: not covered, or hidden when in ``hidden``
    first_month: str  # the data's span in words ("Dec 2019"), for the note under the table
    last_month: str
    hidden: tuple[tuple[int, int], ...] = ()  # (month row, year column) hidden by small-number suppression


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
    monthly: list[int | None]  # the partner area's count in each of those months; None: hidden (suppression)
    quarter_labels: list[str]  # rolling quarters ending at the period end, oldest first ("Nov 21–Jan 22")
    quarterly: list[int | float | None]  # None where the data does not cover the quarter, or hidden (hidden_quarters)
    peak: Peak | None
    value_format: str = "count"  # "count", "rate" or "percent" (fractions), as the KPI's
    rolling: bool = True  # rolling quarters to the period end; False: the source's own periods (quarters, years)
    hidden_quarters: tuple[int, ...] = ()  # positions in ``quarterly`` hidden by small-number suppression

    @property
    def suppressed(self) -> bool:
        """Some of its numbers are hidden: its chart is left out (a chart would draw them as gaps or zeros)."""
        return bool(self.hidden_quarters) or None in self.monthly


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
    benchmark_rate: float | None  # None: hidden in a protected build (a partner area's count of it is hidden)
    peer_average: float | None = None
    lowers: list[float] = field(default_factory=list)  # each area's rate's 95% interval (the web page's bars)
    uppers: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class BreakdownRow:
    """One category's (or flag's) percentage in the partner area against the benchmark's.

    ``count`` of ``base`` rows: the category's rows of the subset's (a share), the subset's rows of the
    category's (``percent_of: category``), or the rows with the flag of those with a value for it.
    """

    group: str  # the characteristic, e.g. "Gender"; the breakdown's title when it has one characteristic
    category: str  # the category or flag; the partner area's name in a partner_areas layout
    count: int | None  # None: hidden by small-number suppression (see suppressed)
    percent: float | None  # fractions; None when the base is 0 (or hidden)
    benchmark_count: int | None
    benchmark_percent: float | None
    flag: str  # "▲" significantly higher than the benchmark, "▼" lower; "higher"/"lower" not significantly (or not
    # tested); "=" the same at one decimal place
    difference: float | None = None  # percentage points between the shares as shown (one decimal place)
    base: int | None = 0
    benchmark_base: int | None = 0
    subset: str = ""  # the column group, when the breakdown puts subsets side by side
    significance: str = ""  # SIGNIFICANCE_WORDS, or "" when the breakdown does not test
    highlight: bool = False  # the report's own partner area (partner_areas layout)
    suppressed: frozenset[str] = frozenset()  # fields hidden by small-number suppression: they read SUPPRESSED

    def shown(self, name: str):
        """The field as the sheet writes it: SUPPRESSED when hidden, else its value."""
        return SUPPRESSED if name in self.suppressed else getattr(self, name)


#: What the significance column says, by code (+1 higher, −1 lower, 0 neither, None not compared).
SIGNIFICANCE_WORDS = {1: "Significantly higher", -1: "Significantly lower", 0: "Not significantly different",
                      None: "Not compared"}


@dataclass(frozen=True)
class Breakdown:
    """A profile (several characteristics, ▲/▼) or an area-% vs benchmark-% breakdown.

    ``layout`` "categories": a row per category or flag, with a column group per subset (``subsets``,
    in order; empty when there is one group of rows). "partner_areas": a row per partner area for
    each group, the benchmark's figures on every row.
    """

    breakdown_id: str
    title: str
    unit: str
    rows: list[BreakdownRow]
    note: str = ""
    subsets: tuple[str, ...] = ()
    layout: str = "categories"
    window: str = ""  # the rows' period, e.g. "Apr 2021 – Mar 2022", or "" for the report's window
    significance_method: str = ""  # the test in words, for the note under the table; "" when not tested
    subject: str = ""  # the Key findings sentence's subject; "" for no sentence
    subset_phrases: tuple[str, ...] = ()  # each subset's described_as, in the order of subsets
    section: str = ""  # a heading over this breakdown and the ones after it on the Profiles sheet
    hidden: tuple[int, ...] = ()  # rows with a figure hidden by small-number suppression: no sentence quotes them

    def rows_of(self, subset: str) -> list[BreakdownRow]:
        return [r for r in self.rows if r.subset == subset]


@dataclass(frozen=True)
class AreaGroupRow:
    """One group (a decile, an area type): its small areas, residents, events and rate, in the partner
    area and in the benchmark. Rates and limits are None where the group has no residents."""

    value: str | int | float  # the group as shown: a number for numeric groups (deciles)
    small_areas: int
    population: float
    count: int | None  # None: hidden by small-number suppression (see hidden)
    rate: float | None
    lower: float | None
    upper: float | None
    benchmark_small_areas: int
    benchmark_population: float
    benchmark_count: int | None
    benchmark_rate: float | None
    benchmark_lower: float | None
    benchmark_upper: float | None
    hidden: bool = False  # the partner area's count (so its rate and limits too) hidden by small-number suppression
    benchmark_hidden: bool = False  # the benchmark's, hidden so as not to bound a hidden count of the partner area's


@dataclass(frozen=True)
class GroupRatio:
    """One group's rate against another's (e.g. most against least deprived) in one area."""

    area: str  # the partner area or the benchmark
    high: str | int | float
    low: str | int | float
    high_rate: float | None
    low_rate: float | None
    ratio: float | None  # None where either group has no residents, or neither has events
    lower: float | None
    upper: float | None
    p_value: float | None
    hidden: bool = False  # a compared group's count is hidden by small-number suppression

    @property
    def significant(self) -> bool:
        """The interval excludes 1 (equal rates)."""
        return self.lower is not None and self.upper is not None and (self.lower > 1 or self.upper < 1)


@dataclass(frozen=True)
class AreaGroupTable:
    """One indicator's rates by one area group (the 'Who is affected' sheet): a row per group."""

    group_id: str
    title: str
    label: str  # what a group is called, e.g. "Income deprivation decile (1 = most deprived)"
    indicator_id: str
    indicator_name: str
    unit: str
    rate_per: int
    level: float  # the intervals' confidence level
    rows: list[AreaGroupRow]
    rate: float | None  # the partner area's overall rate (None: hidden with its count)
    benchmark_rate: float
    ratios: list[GroupRatio] = field(default_factory=list)  # partner area, then benchmark (when the spec compares)
    note: str = ""  # the spec's note: where the groups come from
    ungrouped: str = ""  # small areas in no group, in words ("" when every one is in a group)
    hidden: bool = False  # some figure is hidden by small-number suppression: no key finding quotes the table


@dataclass(frozen=True)
class HotspotRow:
    code: str
    name: str
    count: int


@dataclass(frozen=True)
class HotspotTable:
    """The partner area's small areas with at least ``at_least`` of a source's people or events, most first."""

    hotspot_id: str
    title: str
    unit: str
    described_as: str  # "resident offenders"
    at_least: int
    rows: list[HotspotRow]
    counted: int | None  # the partner area's rows placed in one of its small areas (None: a protected build)
    unplaced: int | None  # its rows (by the source's own district) with no matched small area (None: protected)
    section: str = ""  # a heading over this table and the ones after it on the Profiles sheet
    period: str = ""  # what the counts cover: the report's window, or "the latest snapshot of the extract"


@dataclass(frozen=True)
class ComparatorChart:
    """Published rates of larger areas (force, region, England) as published: the Comparisons sheet's
    grouped bars. The first area is the subject its words compare with the others."""

    title: str
    period: str  # "year ending December 2019"
    rate_per: int
    polarity: str
    measures: list[str]  # how each measure is called, in spec order
    areas: list[str]  # how each area is called; areas[0] is the subject
    rates: list[list[float | None]]  # [area][measure]; None: not published (a marker such as '..' in the table)
    words: list[str]  # one per measure: the subject against the others, in words
    note: str = ""  # the table's source and licence


@dataclass(frozen=True)
class PublishedRow:
    """One row of a published table as the workbook shows it: an area's figures by period, and where they are from."""

    area: str
    what: str  # "Rate per 10,000 aged 10-17", "Children cautioned or sentenced (count)"
    source: str  # "Youth Justice Statistics (published)", "Saferbook, from Youth offending"
    values: list[float | None]  # one per period; None: not published, or not computed (the note says why)
    own: bool = False  # the partner area's own figure, computed by the engine
    count: bool = False  # a count: shown without decimals whatever the table's
    suppressed: tuple[int, ...] = ()  # positions of values hidden in a protected build (shown as "suppressed")


@dataclass(frozen=True)
class PublishedTableView:
    """A published long table (spec ``published:``) on the Profiles sheet: the partner's own rows first."""

    table_id: str
    title: str
    periods: list[str]  # the column headers: every figure's period
    rows: list[PublishedRow]
    decimals: int
    note: str  # where the figures are from, how the partner's own are made, and why any is not given
    section: str = ""


@dataclass(frozen=True)
class Finding:
    """One key-findings sentence and the figures it quotes, so tests can check each number."""

    topic: str
    text: str
    figures: dict[str, float] = field(default_factory=dict)
    group: str = ""  # the heading it is listed under on the Key findings sheet: a priority, or "Profiles" …


@dataclass(frozen=True)
class MethodNote:
    topic: str
    text: str


@dataclass(frozen=True)
class Provenance:
    """Where a Report came from, so that the workbook can be refreshed later from the same spec and data.

    Paths are relative to the project's root folder (see :mod:`engine.project`): a workbook carries no
    path of the machine that built it."""

    project: str  # the project's identifier
    spec: str  # relative to the project root, "/"-separated
    period_end_setting: str  # what a refresh asks for: "latest" or "YYYY-MM"
    protected: bool = False  # built with small-number suppression: a refresh must hide small numbers too
    data_locations: tuple[tuple[str, str], ...] = ()  # (source name, path relative to the project root)


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
    area_groups: list[AreaGroupTable] = field(default_factory=list)  # the 'Who is affected' sheet, spec order
    provenance: Provenance | None = None  # set by engine.api.prepare; the workbook's settings sheet records it
    suppression_note: str | None = None  # what "suppressed" means, when this workbook hides any number
    quality_issues: list[QualityIssue] = field(default_factory=list)  # the first rejected/cleaned/excluded rows
    quality_issue_count: int = 0  # all of them (every one is in the CSV beside the workbook)
    synthetic_note: str | None = None  # which indicators count SYNTHETIC (demo) data, for the Summary's footnote
    seasonal: list[SeasonalTable] = field(default_factory=list)  # spec seasonality: Trends sheet, spec order
    maps: MapSet | None = None  # the Maps sheet (spec ``maps:``): small areas shaded by their Top 10 bands
    hotspots: list[HotspotTable] = field(default_factory=list)  # spec ``hotspots:``: the Profiles sheet, spec order
    published: list[PublishedTableView] = field(default_factory=list)  # spec ``published:``: Profiles, spec order
    comparators: ComparatorChart | None = None  # spec ``comparators:``: published force / region / England rates
    partner_code: str = ""  # the partner area's code (its identity: file names, ledger); "" for a dashboard's subject
    source_titles: dict[str, str] = field(default_factory=dict)  # source id -> the name a reader knows it by
    # A protected build: why a comparison chart or a breakdown table is not in this workbook (a sentence each, written
    # on the sheet where it would have been).
    left_out_comparisons: list[str] = field(default_factory=list)
    left_out_breakdowns: list[tuple[str, str]] = field(default_factory=list)  # (the kept breakdown it follows, why)

    def source_title(self, source: str) -> str:
        """The name a sheet shows for a source the data-quality records key by its id (the CSV keeps the id)."""
        return self.source_titles.get(source, source)

    @property
    def file_stem(self) -> str:
        """``<Name>_<CODE>_<YYYY-MM>``: readable, and unique because the code is (two names that clean to the
        same letters, "Melton" and "Melton!", still get two files)."""
        return "_".join(part for part in (_file_safe(self.partner_area), _file_safe(self.partner_code), self.period_end)
                        if part)


def _file_safe(text: str) -> str:
    """Letters and digits kept, every other run of characters one underscore."""
    safe = "".join(ch if ch.isalnum() else "_" for ch in text).strip("_")
    while "__" in safe:
        safe = safe.replace("__", "_")
    return safe
