"""The DashboardReport: everything a performance dashboard shows, computed once, with no I/O.

A dashboard describes one *subject*, a group of the spec's partner areas (a county's districts),
against the spec's benchmark (all partner areas: the force area), the way a county performance
report does: each KPI by outcome with its direction of travel, its last eight quarters, and each
member partner area against the subject. The subject itself is described by an ordinary
:class:`~engine.report.Report` (its KPIs, period, methodology and data quality), so the sheets
the partner workbook and the dashboard share are drawn by the same renderers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine.map_report import MapSet
from engine.report import Kpi, Report

#: How a KPI's value (and its comparator's) is shown: a rate per ``rate_per`` residents, or a percentage
#: (a fraction: 0.45 is 45%), or a count. Renderers choose the cell's number format from it.
ValueFormat = Literal["rate", "percent", "count"]


@dataclass(frozen=True)
class AreaRow:
    """One area's figures for one KPI: a row and a bar of the members sheet (a member, or the benchmark)."""

    name: str
    current: int | None  # a measured KPI's numerator; None where the source withheld it
    rate: float | None
    band: str | None  # a member's rate against the subject's rate; None for the benchmark
    percent_change: float | None  # against its own previous window (a fraction); None when that was 0
    direction: str  # "Increase (significant)", … (the partner workbook's words for the same counts)
    outcome: str  # "Better", "Worse", "Similar", "Neither"


@dataclass(frozen=True)
class DashboardKpi:
    """One KPI of the dashboard: the subject's figures, its quarters and its member areas."""

    kpi: Kpi  # the subject's: windows, change, direction, rate, benchmark rate and band, target and its status
    value_format: ValueFormat
    value_label: str  # what the value is, e.g. "Rate per 1,000"
    quarterly: list[int | None]  # the subject's count in each rolling quarter; None where the data does not cover it
    members: list[AreaRow]  # the subject's partner areas, in partner order
    benchmark: AreaRow  # all partner areas together, against its own previous window
    quarterly_format: ValueFormat = "count"
    count_label: str = "Current 12 months"  # the members' tables' count column: "Number" (a numerator) when measured

    @property
    def indicator_id(self) -> str:
        return self.kpi.indicator_id

    @property
    def outcome_group(self) -> str:
        """The outcome the KPI serves (the indicator's priority)."""
        return self.kpi.priority


@dataclass(frozen=True)
class DashboardReport:
    """One dashboard workbook's contents."""

    report: Report  # the subject as one area (partner_area = the subject's name, kpis = its KPIs)
    subject_description: str
    members: list[str]  # the partner areas that make up the subject, in partner order
    member_label: str  # what one of them is called, e.g. "District"
    benchmark_description: str
    quarter_labels: list[str]  # the rolling quarters, oldest first ("Nov 20–Jan 21")
    kpis: list[DashboardKpi]  # grouped by outcome (in order of first appearance), spec order within
    maps: MapSet | None = None  # the member areas shaded by their band against the subject (spec ``maps:``)

    @property
    def subject(self) -> str:
        return self.report.partner_area

    @property
    def outcomes(self) -> list[str]:
        return list(dict.fromkeys(k.outcome_group for k in self.kpis))

    @property
    def file_stem(self) -> str:
        """``<Subject>_<YYYY-MM>``: the workbook's file name without the extension."""
        return self.report.file_stem
