"""One partner area's key findings: the priorities' sentences, then who is affected.

Both kinds are drawn from numbers the Report already holds (KPIs, series, top tables, comparisons,
breakdowns and area-group tables), so the findings never say what the sheets do not show.
"""
from __future__ import annotations

import dataclasses

from engine.indicators.findings.area_groups import area_group_findings
from engine.indicators.findings.key_findings import GROUP_WHO, key_findings
from engine.ingest.geography import Geography
from engine.report import AreaComparison, AreaGroupTable, Breakdown, Finding, IndicatorSeries, Kpi, TopAreaTable
from engine.spec.models import Spec


def partner_findings(spec: Spec, geo: Geography, partner_area: str, period_end: str, kpis: list[Kpi],
                     series: list[IndicatorSeries], top_tables: list[TopAreaTable],
                     comparisons: list[AreaComparison], breakdowns: list[Breakdown],
                     group_tables: list[AreaGroupTable]) -> list[Finding]:
    """The partner area's findings in the order its Key findings sheet lists them."""
    findings = key_findings(kpis, series, top_tables, comparisons, breakdowns,
                            partner_area=partner_area, partner_label=geo.partner_label,
                            small_area_label=geo.small_area_label, benchmark=geo.benchmark_name,
                            period_end=period_end)
    return findings + [dataclasses.replace(f, group=GROUP_WHO) for f in area_group_findings(
        spec.area_groups, group_tables, partner_area=partner_area, benchmark=geo.benchmark_name,
        small_area_label=geo.small_area_label, period_end=period_end)]
