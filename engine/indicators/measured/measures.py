"""Indicators with a ``measure:`` block: proportions, summed value columns, period-on-period comparisons.

They give the same :class:`~engine.report.Kpi` and :class:`~engine.report.IndicatorSeries` objects as
counted indicators (with ``value_format``, numerators and period labels filled in), so the Summary, the
key findings, the add-in and the dashboard (:mod:`engine.indicators.dashboard.measures`) read them the
same way. They are computed per partner area (no small-area top 10): a proportion or a quarterly return
is what partners report by district.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.errors import DataError, Problem
from engine.indicators.counted.counts import indicator_mask
from engine.indicators.measured.measure_stats import MeasureStats, Totals, figures, rate_stats
from engine.indicators.measured.missing_cells import Gaps, absent_rows_are_missing, span_gaps
from engine.indicators.measured.period_values import (MeasurePeriods, Span, own_periods, partner_sums, rolling_periods,
                                             snapshot_periods)
from engine.indicators.periods import ReportPeriods
from engine.indicators.measured.proportions import number_column, proportion_rows, proportion_stats
from engine.indicators.measured.shares import share_rows
from engine.indicators.travel import DIRECTIONS, outcome
from engine.ingest import MONTH_COLUMN, Inputs, SourceRows
from engine.ingest.periods import DEFAULT_START_MONTH
from engine.months import month_label
from engine.report import SUPPRESSED, IndicatorSeries, Kpi
from engine.spec.models import RESIDENTS, ChangeTest, Indicator, Spec
from engine.stats import BAND_LABELS, NOT_COMPARED, PEER_LABELS, peer_ranks, quartiles

#: Direction of travel where there is nothing to compare: an undated snapshot, or a period's figure unknown.
NOT_COMPARED_DIRECTION = "Not compared"
SNAPSHOT_DIRECTION = "Not compared (snapshot)"
NOT_APPLICABLE = "n/a"
PERCENT_PER = 100


def measured(spec: Spec) -> list[Indicator]:
    """The spec's indicators with a measure block, in spec order."""
    return [i for i in spec.indicators if i.measure is not None]


def value_format(indicator: Indicator) -> str:
    """What the KPI's Previous / Current hold: a fraction, a rate (the denominator column changes between
    periods, so sums alone would mislead), or a count (rows, or a value per resident)."""
    measure = indicator.measure
    if measure is not None and measure.kind == "proportion":
        return "percent"
    if measure is not None and measure.kind == "value" and measure.denominator not in (None, RESIDENTS):
        return "rate"
    return "count"


@dataclass(frozen=True)
class _RowValues:
    """Each row's numerator and denominator (None: the partner areas' residents), and which rows count."""

    numerator: np.ndarray
    denominator: np.ndarray | None
    mask: np.ndarray
    partner: np.ndarray


def _row_values(spec: Spec, indicator: Indicator, source: SourceRows, inputs: Inputs) -> _RowValues:
    geo = inputs.geography
    measure = indicator.measure
    assert measure is not None
    partner = source.partner_of_rows(geo.small_area_partner)
    if measure.share_of is not None:
        numerator, whole = share_rows(spec, indicator, source)
        return _RowValues(numerator, whole.astype(float), whole, partner)
    mask = indicator_mask(source, indicator)

    def place(row: int) -> str:
        area = str(geo.partner_names[partner[row]]) if partner[row] >= 0 else "no partner area"
        when = month_label(int(source.month[row])) if source.dated else "undated"
        return f"{area}, period ending {when}"

    if measure.kind == "proportion":
        numerator, denominator = proportion_rows(source, indicator, mask, place)
        return _RowValues(numerator, denominator, mask, partner)
    if measure.kind == "value":
        assert measure.value is not None
        columns = measure.columns
        denominator = number_column(source, indicator, columns["denominator"]) if "denominator" in columns else None
        return _RowValues(number_column(source, indicator, measure.value), denominator, mask, partner)
    return _RowValues(mask.astype(float), None, mask, partner)


def _year_start(spec: Spec, indicator: Indicator) -> int:
    """The month the source's financial years (and quarters) start in, as its month column reads them."""
    month = next((c for c in spec.sources[indicator.source].tidy_columns() if c.name == MONTH_COLUMN), None)
    return (month.year_start_month if month is not None else None) or DEFAULT_START_MONTH


def _periods(indicator: Indicator, source: SourceRows, values: _RowValues, report: ReportPeriods,
             year_start: int) -> MeasurePeriods:
    measure = indicator.measure
    assert measure is not None
    if not source.dated:
        return snapshot_periods()
    months = source.period_months
    if measure.compare == "rolling":  # monthly data only: engine.spec.method_checks refuses it for longer periods
        return rolling_periods(report)
    known = values.mask & ~np.isnan(values.numerator) & (values.partner >= 0)
    if values.denominator is not None:
        known &= ~np.isnan(values.denominator)
    chosen = own_periods(source.month[known], months, report.end, year_start)
    if chosen is None:
        raise DataError(Problem(f"indicator {indicator.id!r} has no rows with values up to the period end "
                                f"({month_label(report.end)})", file=str(source.path)))
    return chosen


def _totals(values: _RowValues, source: SourceRows, span: Span, population: np.ndarray,
            gaps: Gaps | None = None) -> Totals:
    """Each partner area's sums over ``span``; unknown where a row's value is missing or (``gaps``) the span has a
    period with no row, or a rejected one, for the partner area."""
    rows = values.mask & span.holds(source.month)
    numerator, unknown = partner_sums(values.numerator, rows, values.partner, population.size)
    if values.denominator is None:
        denominator = population.astype(float)
    else:
        denominator, unknown_denominator = partner_sums(values.denominator, rows, values.partner, population.size)
        unknown = unknown | unknown_denominator
    if gaps is None:
        return Totals(numerator, denominator, unknown)
    return Totals(numerator, denominator, unknown | gaps.missing, tuple(gaps.reasons))


@dataclass(frozen=True)
class MeasuredIndicator:
    """One measured indicator for every partner area: enough to make each partner's Kpi and series."""

    indicator: Indicator
    periods: MeasurePeriods
    stats: MeasureStats
    current: Totals
    previous: Totals | None
    series: list[np.ndarray | None]  # per series period: each partner's figure; None where no data covers it
    value_format: str
    rate_per: int
    missing_cells: tuple[int, int] = (0, 0)  # (partner area, period) cells of the compared periods: missing, all

    def kpi(self, p: int, withheld: bool = False) -> Kpi:
        """The partner area's KPI; ``withheld``: every figure hidden ("suppressed"), for privacy-protected builds."""
        if withheld:
            return self._withheld()
        indicator, stats = self.indicator, self.stats
        counts = self.value_format == "count"  # proportions and rates stay floats (a share of 1 is 100%)
        current = _number(stats.current[p], whole=counts)
        previous = None if stats.previous is None else _number(stats.previous[p], whole=counts)
        change = current - previous if current is not None and previous is not None else None
        percent_change = (change / previous if change is not None and previous and self.value_format != "percent"
                          else None)
        if stats.previous is None:
            direction, judged, code = SNAPSHOT_DIRECTION, NOT_APPLICABLE, 0
        elif not stats.comparable[p]:
            direction, judged, code = NOT_COMPARED_DIRECTION, NOT_APPLICABLE, 0
        else:
            code = int(stats.change_codes[p])
            direction, judged = DIRECTIONS[code], outcome(code, indicator.polarity)
        ranks, sizes = peer_ranks(stats.rate)
        band = int(stats.bands[p])
        usable = bool(self.current.usable[p])
        own = self.periods.own_periods
        return Kpi(
            indicator.id, indicator.name, indicator.priority, indicator.unit, previous, current, change, percent_change,
            direction, judged, _number(stats.rate[p], whole=False), stats.benchmark,
            BAND_LABELS[band] if band != NOT_COMPARED else None, self.rate_per, indicator.polarity, code,
            None if stats.p_values is None or np.isnan(stats.p_values[p]) else float(stats.p_values[p]),
            int(ranks[p]) or None, int(sizes[p]), int(quartiles(ranks, sizes)[p]) or None,
            PEER_LABELS[int(stats.peer_codes[p])] if usable else None,
            kind=indicator.measure.kind if indicator.measure else "count", value_format=self.value_format,
            numerator=_number(self.current.numerator[p]) if usable else None,
            denominator=_number(self.current.denominator[p]) if usable else None,
            previous_numerator=_number(self.previous.numerator[p]) if self.previous and self.previous.usable[p] else None,
            previous_denominator=(_number(self.previous.denominator[p])
                                  if self.previous and self.previous.usable[p] else None),
            current_period=self.periods.current.label if own else None,
            previous_period=self.periods.previous.label if own and self.periods.previous else None,
            compared_with=self.periods.compared_with, measured=True, missing_reason=self._missing_reason(p),
        )

    def _missing_reason(self, p: int) -> str | None:
        """Why the partner area's current or previous figure is missing, in words (None: both known)."""
        parts = [f"{which} ({span.label}): {totals.reasons[p]}"
                 for which, span, totals in (("Current", self.periods.current, self.current),
                                             ("Previous", self.periods.previous, self.previous))
                 if span is not None and totals is not None and totals.reasons is not None and totals.reasons[p]]
        return "; ".join(parts) or None

    def _withheld(self) -> Kpi:
        indicator = self.indicator
        return Kpi(indicator.id, indicator.name, indicator.priority, indicator.unit, None, None, None, None, SUPPRESSED,
                   NOT_APPLICABLE, None, self.stats.benchmark, None, self.rate_per, indicator.polarity,
                   kind=indicator.measure.kind if indicator.measure else "count", value_format=self.value_format,
                   measured=True)

    def indicator_series(self, p: int) -> IndicatorSeries:
        """The sparkline's periods for one partner area (rolling quarters, or the source's last eight periods)."""
        indicator = self.indicator
        return IndicatorSeries(indicator.id, indicator.name, indicator.unit, [], [],
                               [span.label for span in self.periods.series],
                               [None if values is None else _number(values[p], whole=self.value_format == "count")
                                for values in self.series], None,
                               value_format=self.value_format, rolling=not self.periods.own_periods)


def _number(value: float, whole: bool = True) -> int | float | None:
    """None for NaN; a whole number as int (counts print as counts), anything else as float."""
    if value is None or np.isnan(value):
        return None
    return int(value) if whole and float(value).is_integer() else float(value)


def measure_stats(fmt: str, current: Totals, previous: Totals | None, levels: tuple[float, float],
                  change: ChangeTest, peer_level: float, per: int, benchmark: float | None = None) -> MeasureStats:
    """The statistics of a measured indicator in ``fmt`` (percent: proportions; else rates or sums) for the areas
    of ``current``; ``benchmark`` (default: their pooled figure) is what they are banded against."""
    if fmt == "percent":
        return proportion_stats(current, previous, levels, change, peer_level, benchmark)
    return rate_stats(current, previous, levels, change, peer_level, per, fmt == "rate", benchmark)


def measure_indicator(spec: Spec, inputs: Inputs, indicator: Indicator, report: ReportPeriods) -> MeasuredIndicator:
    """One measured indicator's periods, totals and statistics for every partner area."""
    geo = inputs.geography
    source = inputs.sources[indicator.source]
    values = _row_values(spec, indicator, source, inputs)
    periods = _periods(indicator, source, values, report, _year_start(spec, indicator))
    population = geo.partner_population
    fmt = value_format(indicator)
    per = PERCENT_PER if fmt == "percent" else indicator.rate_per
    gaps = _gap_finder(spec, inputs, indicator, source, values, _year_start(spec, indicator))
    compared = [gaps(periods.current)] + ([gaps(periods.previous)] if periods.previous else [])
    current = _totals(values, source, periods.current, population, compared[0])
    previous = _totals(values, source, periods.previous, population, compared[1]) if periods.previous else None
    banding, change = spec.banding_for(indicator), spec.change_for(indicator)
    try:
        stats = measure_stats(fmt, current, previous, banding.levels, change, spec.peers.level, per)
    except ValueError as error:  # e.g. fractional values under the exact test for counts
        raise DataError(Problem(f"indicator {indicator.id!r}: {error}; the values summed must be whole numbers of "
                                f"events or people, or use change: {{method: overlap}}", file=str(source.path),
                                column=(indicator.measure.value if indicator.measure else None))) from None
    first_data = min(source.months_present, default=-1)
    series = []
    for span in periods.series:
        # Rolling quarters are covered once the data has started; a source's own periods when it has rows for them.
        covered = (bool((values.mask & span.holds(source.month)).any()) if periods.own_periods
                   else span.first >= first_data)
        series.append(figures(_totals(values, source, span, population, gaps(span)), fmt, per) if covered else None)
    missing = (sum(g.missing_cells for g in compared if g), sum(g.cells for g in compared if g))
    return MeasuredIndicator(indicator, periods, stats, current, previous, series, fmt, per, missing)


def _gap_finder(spec: Spec, inputs: Inputs, indicator: Indicator, source: SourceRows, values: _RowValues,
                year_start: int):
    """span -> the partner areas whose figure over it is missing (None when absent rows mean zero here)."""
    if not absent_rows_are_missing(indicator, spec.sources[indicator.source]):
        return lambda span: None
    geo = inputs.geography
    return lambda span: span_gaps(indicator, source, values.mask, values.partner, geo.small_area_partner, span,
                                  len(geo.partner_names), year_start)


def withheld_sources(spec: Spec) -> set[str]:
    """Sources a sensitive indicator counts: in a privacy-protected build, a measure of the same rows (a
    proportion's denominator, a quarter's count) could reveal a count the disclosure check hides, so such
    measures are withheld whole."""
    return {i.source for i in spec.indicators if spec.suppression_for(i) is not None}


def period_sources(spec: Spec) -> set[str]:
    """The sources whose months set the period end and must have every month of the windows: those counted
    over rolling windows (a quarterly return or a snapshot does not; its own periods are checked as it is read).
    All indicator sources when no indicator is compared over rolling windows."""
    rolling = {i.source for i in spec.indicators if i.measure is None or i.measure.compare == "rolling"}
    return rolling or {i.source for i in spec.indicators}


def counted_spec(spec: Spec) -> Spec:
    """The spec with only its counted indicators: what the small-area counting machinery works on."""
    return spec.model_copy(update={"indicators": [i for i in spec.indicators if i.measure is None]})


def merged_series(spec: Spec, counted: list[list[IndicatorSeries]], measures: dict[str, MeasuredIndicator],
                  n_partners: int) -> list[list[IndicatorSeries]]:
    """Every indicator's series per partner area, in spec order: the counted ones' and the measured ones'."""
    by_id = {s[0].indicator_id: s for s in counted if s}
    by_id.update({key: [m.indicator_series(p) for p in range(n_partners)] for key, m in measures.items()})
    return [by_id[i.id] for i in spec.indicators if i.id in by_id]


def measured_indicators(spec: Spec, inputs: Inputs, report: ReportPeriods) -> dict[str, MeasuredIndicator]:
    """Every measured indicator of the spec, by id."""
    return {i.id: measure_indicator(spec, inputs, i, report) for i in measured(spec)}

