"""Spec + tidy inputs -> one Report per partner area. No I/O, no Excel.

The build runs in phases, each in its own module, and this one only assembles them: the report's
windows checked against the data (:mod:`~engine.indicators.coverage`), the measured indicators
(:mod:`~engine.indicators.measured.phase`), the counted ones for all partner areas at once
(:mod:`~engine.indicators.counted.phase`); then each partner's Report, with its findings
(:mod:`~engine.indicators.findings.partner`) and its own data-quality rows
(:mod:`~engine.indicators.partner_quality`). Computing for every area at once makes nine workbooks
cost little more than one.
"""
from __future__ import annotations

from typing import Any, Sequence

from engine import __version__
from engine.indicators.comparators import with_comparators
from engine.indicators.counted.phase import CountedPhase, counted_phase
from engine.indicators.coverage import Coverage, report_window
from engine.indicators.findings.partner import partner_findings
from engine.indicators.hotspots import with_hotspots
from engine.indicators.published import with_published
from engine.indicators.measured.measures import MeasuredIndicator, merged_series, withheld_sources
from engine.indicators.measured.phase import measured_phase
from engine.indicators.methodology import methodology_notes, synthetic_note
from engine.indicators.partner_quality import PartnerQuality, partner_safe_notes
from engine.indicators.periods import generated_timestamp
from engine.ingest import Inputs
from engine.months import month_text
from engine.report import IndicatorSeries, Report
from engine.spec.labels import source_title
from engine.spec.models import Spec


def build_reports(spec: Spec, inputs: Inputs, spec_file: str, period_end: str | None = None,
                  suppress: bool = False, partners: Sequence[int] | None = None,
                  jobs: int | None = 1) -> list[Report]:
    """Every partner area's Report, in partner-name order (or only those at the positions ``partners``).

    What every area needs (counts, rates, bands, ranks, the benchmark and the comparisons) is computed over all
    partner areas at once; ``partners`` limits the per-area work (top tables, findings, the Report) to the
    areas a ``--area`` build writes.

    ``suppress=True`` (partner deliveries) hides the small counts of the spec's sensitive
    indicators, and every number that would reveal one, as ``None`` (shown as ``suppressed``); the partner areas'
    disclosure checks run in ``jobs`` worker processes (None or 0: one per available core; 1: in this process).
    """
    n_partners = len(inputs.geography.partner_names)
    chosen = range(n_partners) if partners is None else sorted(set(partners))
    coverage = report_window(spec, inputs, spec_file, period_end)
    measures = measured_phase(spec, inputs, coverage.periods, spec_file)
    counted = counted_phase(spec, inputs, coverage, spec_file, suppress, chosen, jobs)
    # A privacy-protected build withholds measures of a sensitive indicator's rows (their series too).
    withheld = withheld_sources(spec) if counted.protected else set()
    series = [s for s in merged_series(spec, counted.series, measures, n_partners)
              if s[0].indicator_id not in measures or spec.indicator(s[0].indicator_id).source not in withheld]
    shared = _shared_fields(spec, inputs, coverage, suppress)
    quality = PartnerQuality(spec, inputs)
    reports = [_partner_report(spec, counted, measures, series, withheld, quality, shared, p) for p in chosen]
    reports = with_hotspots(reports, spec, inputs, coverage.periods.current, suppress)
    reports = with_published(reports, spec, inputs, list(chosen), suppress)
    return with_comparators(reports, spec.comparators, inputs.comparators)


def _shared_fields(spec: Spec, inputs: Inputs, coverage: Coverage, suppress: bool) -> dict[str, Any]:
    """The Report fields every partner area's Report has in common (titles, windows, notes, versions)."""
    geo, periods = inputs.geography, coverage.periods
    return dict(
        title=spec.title, organisation=spec.organisation, partner_label=geo.partner_label,
        small_area_label=geo.small_area_label, benchmark_name=geo.benchmark_name, period_end=month_text(coverage.end),
        current_window=periods.current.label, previous_window=periods.previous.label,
        generated=generated_timestamp(coverage.end), methodology=methodology_notes(spec, inputs, periods, suppress),
        quality=partner_safe_notes(inputs.quality), attribution=spec.attribution, spec_version=spec.spec_version,
        engine_version=__version__, theme=spec.theme, synthetic_note=synthetic_note(spec),
        priorities=list(dict.fromkeys(i.priority for i in spec.indicators)),
        source_titles={name: source_title(spec, name) for name in spec.sources},
    )


def _partner_report(spec: Spec, counted: CountedPhase, measures: dict[str, MeasuredIndicator],
                    series: list[list[IndicatorSeries]], withheld: set[str], quality: PartnerQuality,
                    shared: dict[str, Any], p: int) -> Report:
    """Partner ``p``'s Report: its KPIs (counted and measured, in spec order), tables, findings and quality rows."""
    geo = counted.inputs.geography
    partner_area = str(geo.partner_names[p])
    kpis = [counted.kpi(i, p, measures[i.id].kpi(p, withheld=i.source in withheld) if i.id in measures else None)
            for i in spec.indicators]
    comparisons, top_tables = counted.partner_comparisons(p), counted.top_tables(p)
    partner_series = [counted.shown_series(s[p], p) for s in series]
    breakdowns, group_tables = counted.partner_breakdowns(p), counted.partner_group_tables(p)
    issues, issue_count = quality.issues(p, partner_area, kpis)
    return Report(
        partner_area=partner_area, partner_code=str(geo.partner_codes[p]), kpis=kpis, top_tables=top_tables,
        trend=counted.trend_table(p), series=partner_series, comparisons=comparisons, breakdowns=breakdowns,
        findings=partner_findings(spec, geo, partner_area, shared["period_end"], kpis, partner_series, top_tables,
                                  comparisons, breakdowns, group_tables),
        area_groups=group_tables, suppression_note=counted.suppression_note(p), quality_issues=issues,
        quality_issue_count=issue_count, maps=counted.map_sets[p], seasonal=counted.seasonal_tables(p),
        left_out_comparisons=counted.left_out_comparisons(p), left_out_breakdowns=counted.left_out_breakdowns(p),
        **shared,
    )
