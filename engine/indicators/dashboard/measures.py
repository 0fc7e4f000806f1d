"""A measured indicator (one with a ``measure:`` block) for a dashboard subject: its members' figures pooled. No I/O.

The subject's proportion is the sum of its partner areas' numerators over the sum of their
denominators (a pooled proportion, not the mean of their percentages); a value indicator's figure
is the sum of their values (over the sum of their denominators, for a rate). The statistics are the
partner workbook's own (:func:`engine.indicators.measured.measures.measure_stats`: Wilson or Byar's bands,
Fisher's or the exact Poisson change test) and so is the KPI (:class:`MeasuredIndicator`), applied
to the subject as one area: banded against every partner area's pooled figure, as a partner area
is, and each member banded against the subject's figure. A member whose figure is unknown (a
suppressed cell) makes the subject's unknown too: a sum without it would understate the subject.
All partner areas together (the benchmark row) are, as the partner workbooks' benchmark is, every
partner area with a known figure.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.indicators.measured.measure_stats import Totals
from engine.indicators.measured.measures import SNAPSHOT_DIRECTION, MeasuredIndicator, measure_stats
from engine.indicators.measured.period_values import MeasurePeriods, Span
from engine.indicators.targets import with_target
from engine.report import Kpi
from engine.spec.models import Indicator, Spec
from engine.stats import BAND_LABELS, NOT_COMPARED


@dataclass(frozen=True)
class GroupMeasure:
    """A measured indicator for the subject, for all partner areas, and each member's band against the subject."""

    subject: Kpi
    everyone: Kpi
    member_bands: list[str | None]


def _totals(kpis: list[Kpi], previous: bool) -> Totals:
    """The areas' numerators and denominators (their KPIs carry them), unknown where a KPI has none."""
    numerators = [k.previous_numerator if previous else k.numerator for k in kpis]
    denominators = [k.previous_denominator if previous else k.denominator for k in kpis]
    unknown = np.array([n is None or d is None for n, d in zip(numerators, denominators)])
    return Totals(np.array([n or 0.0 for n in numerators], dtype=float),
                  np.array([d or 0.0 for d in denominators], dtype=float), unknown)


def _pooled(totals: Totals) -> Totals:
    """The areas as one: their sums, unknown if any of them is."""
    return Totals(np.array([totals.numerator.sum()]), np.array([totals.denominator.sum()]),
                  np.array([bool(totals.unknown.any())]))


def _periods(kpi: Kpi) -> MeasurePeriods:
    """The periods a member's KPI compares, by their labels: every partner area's are the same."""
    own = kpi.current_period is not None
    previous = Span(-1, -1, kpi.previous_period) if kpi.previous_period is not None else None
    return MeasurePeriods(Span(-1, -1, kpi.current_period or ""), previous, [], kpi.compared_with, own_periods=own)


def group_measure(spec: Spec, indicator: Indicator, member_kpis: list[Kpi], all_kpis: list[Kpi]) -> GroupMeasure:
    """The subject's KPI (its members pooled), all partner areas' KPI, and each member's band against the subject."""
    template = member_kpis[0]
    fmt, per = template.value_format, template.rate_per
    snapshot = template.direction == SNAPSHOT_DIRECTION
    levels, change, peer_level = spec.banding_for(indicator).levels, spec.change_for(indicator), spec.peers.level
    benchmark = template.benchmark_rate  # every partner area's pooled figure, as the partner workbooks band against

    def as_one(kpis: list[Kpi]) -> Kpi:
        current = _pooled(_totals(kpis, previous=False))
        previous = None if snapshot else _pooled(_totals(kpis, previous=True))
        stats = measure_stats(fmt, current, previous, levels, change, peer_level, per, benchmark)
        measured = MeasuredIndicator(indicator, _periods(template), stats, current, previous, [], fmt, per)
        return with_target(measured.kpi(0), indicator.target)

    subject = as_one(member_kpis)
    bands: list[str | None] = [None] * len(member_kpis)
    if subject.rate is not None:
        members = measure_stats(fmt, _totals(member_kpis, previous=False), None, levels, change, peer_level, per,
                                subject.rate)
        bands = [None if code == NOT_COMPARED else BAND_LABELS[int(code)] for code in members.bands]
    known = [k for k in all_kpis if k.numerator is not None and k.denominator is not None]
    return GroupMeasure(subject, as_one(known or all_kpis), bands)


def value_label(kpi: Kpi) -> str:
    """What a measured KPI's figure is, for the Measure column and the members' tables: "% of referrals",
    "Rate per 100,000"."""
    return f"% of {kpi.unit}" if kpi.value_format == "percent" else f"Rate per {kpi.rate_per:,}"
