"""Every partner area's Report -> one DashboardReport for the spec's dashboard subject. No I/O.

The subject is a group of partner areas, so everything about it is a sum of what
:func:`engine.indicators.compute.build_reports` already computed for its members (counts,
quarters, populations); only the comparisons are new: the subject against the benchmark, and
each member against the subject, by the same change test (:mod:`engine.indicators.travel`),
the same confidence-interval bands (:func:`engine.stats.band_codes`) and the same targets
(:mod:`engine.indicators.targets`) as the partner workbooks.
"""
from __future__ import annotations

import dataclasses
from collections import defaultdict

import numpy as np

from engine.indicators.comparators import comparator_findings, comparator_note
from engine.indicators.findings.key_findings import outcome_findings
from engine.dashboard_report import DashboardKpi, DashboardReport, AreaRow
from engine.errors import Problem, SpecError
from engine.indicators.dashboard.measures import group_measure, value_label
from engine.indicators.describe import describe_banding
from engine.indicators.counted.maps import dashboard_map_set
from engine.ingest.boundaries import Boundaries
from engine.indicators.targets import with_target
from engine.indicators.travel import DIRECTIONS, change_test, outcome
from engine.ingest.geography import Geography
from engine.quality import MISSING
from engine.report import Kpi, MethodNote, Report
from engine.spec.filters import where_mask
from engine.spec.models import Banding, Indicator, Spec
from engine.suggest import did_you_mean
from engine.stats import BAND_LABELS, band_codes, change, rates

#: Methodology topics about sheets only the partner workbook has (top areas, peer ranks, financial-year trends)
#: or about bands the dashboard does not use (it compares areas by confidence intervals): left off its notes.
PARTNER_ONLY_TOPICS = ("Top areas", "Peer comparison", "Peer groups", "Comparison bands", "Financial years")


def subject_members(spec: Spec, geography: Geography, spec_file: str) -> np.ndarray:
    """Indices (into the partner areas) of the dashboard subject's members.

    Every column the subject's ``where`` names must be in the partner-area lookup, and every value
    it names must be one of the partner areas' values there: a misspelt name would otherwise
    quietly change which areas the subject adds up.
    """
    assert spec.dashboard is not None and geography.partner_rows is not None
    rows = geography.partner_rows
    problems = []
    for column, condition in spec.dashboard.subject.where.items():
        here = f"dashboard.subject.where.{column}"
        if column not in rows.columns:
            problems.append(Problem(f"column {column!r} is not in the partner-area lookup "
                                    f"({spec.geography.partner_areas.source}){did_you_mean(column, rows.columns)}",
                                    file=spec_file, key_path=here))
            continue
        known = set(rows[column].astype(str))
        operator = next(name for name in ("equals", "not_equals", "in", "not_in", "between")
                        if getattr(condition, "in_" if name == "in" else name) is not None)
        if operator == "between":
            continue
        for position, value in enumerate(condition.values()):
            if str(value) not in known:
                at = f"{here}.{operator}" + (f"[{position}]" if operator in ("in", "not_in") else "")
                problems.append(Problem(f"{value!r} is not a partner area's {column}{did_you_mean(str(value), known)}",
                                        file=spec_file, key_path=at))
    if problems:
        raise SpecError(problems)
    members = np.flatnonzero(where_mask(rows, spec.dashboard.subject.where))
    if members.size == 0:
        raise SpecError(Problem("no partner area matches the dashboard subject's where", file=spec_file,
                                key_path="dashboard.subject.where"))
    return members


def _sum_or_none(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else int(sum(values))  # type: ignore[arg-type]


def _group_kpi(spec: Spec, indicator: Indicator, kpis: list[Kpi], population: float) -> Kpi:
    """A group of partner areas' KPI: their counts added up, tested and banded like one partner area's."""
    benchmark_rate = kpis[0].benchmark_rate
    previous = np.array([sum(k.previous for k in kpis)])  # type: ignore[misc]
    current = np.array([sum(k.current for k in kpis)])  # type: ignore[misc]
    pop = np.array([population])
    codes, p_values = change_test(spec.change_for(indicator), current, previous, pop)
    difference, fraction = change(current, previous)
    band = band_codes(current, pop, benchmark_rate, spec.banding_for(indicator).levels, indicator.rate_per)
    code = int(codes[0])
    kpi = Kpi(indicator.id, indicator.name, indicator.priority, indicator.unit, int(previous[0]), int(current[0]),
              int(difference[0]), None if np.isnan(fraction[0]) else float(fraction[0]), DIRECTIONS[code],
              outcome(code, indicator.polarity), float(rates(current[0], population, indicator.rate_per)), benchmark_rate,
              BAND_LABELS[int(band[0])], indicator.rate_per, indicator.polarity, code,
              None if p_values is None else float(p_values[0]))
    return with_target(kpi, indicator.target)


def _area_row(name: str, kpi: Kpi, band: str | None) -> AreaRow:
    return AreaRow(name, kpi.current, kpi.rate, band, kpi.percent_change, kpi.direction, kpi.outcome)  # type: ignore[arg-type]


def _members(spec: Spec, indicator: Indicator, names: list[str], member_kpis: list[Kpi], populations: np.ndarray,
             subject_rate: float) -> list[AreaRow]:
    """Each member area's rate against the subject's rate (confidence intervals, the indicator's levels)."""
    counts = np.array([k.current for k in member_kpis])
    bands = band_codes(counts, populations, subject_rate, spec.banding_for(indicator).levels, indicator.rate_per)
    return [_area_row(name, k, BAND_LABELS[int(b)]) for name, k, b in zip(names, member_kpis, bands)]


def _measured_kpi(spec: Spec, indicator: Indicator, names: list[str], member_kpis: list[Kpi], all_kpis: list[Kpi],
                  benchmark_name: str, n_quarters: int) -> DashboardKpi:
    """A measured indicator's row: its members pooled (:mod:`engine.indicators.dashboard.measures`). Its quarterly
    cells stay empty: the partner Reports carry each period's figure but not its numerator and denominator, so
    the subject's pooled figure per quarter cannot be formed from them (the Methodology sheet says so)."""
    group = group_measure(spec, indicator, member_kpis, all_kpis)
    kpi = group.subject
    reasons = [f"{name}: {k.missing_reason}" for name, k in zip(names, member_kpis) if k.missing_reason]
    if reasons:  # the subject's sum would leave them out: it is missing too, and says whose figure is
        kpi = dataclasses.replace(kpi, missing_reason="a member's figure is missing (" + "; ".join(reasons) + ")")
    fmt = "percent" if kpi.value_format == "percent" else "rate"
    rows = [_measured_row(name, k, band) for name, k, band in zip(names, member_kpis, group.member_bands)]
    return DashboardKpi(kpi, fmt, value_label(kpi), [None] * n_quarters, rows,
                        _measured_row(benchmark_name, group.everyone, None), quarterly_format=fmt,
                        count_label="Number")


def _measured_row(name: str, kpi: Kpi, band: str | None) -> AreaRow:
    """A measured KPI's area row: the numerator as the number (repeat referrals, admissions), its % or rate."""
    number = None if kpi.numerator is None else round(kpi.numerator)
    return AreaRow(name, number, kpi.rate, band, kpi.percent_change, kpi.direction, kpi.outcome)  # type: ignore[arg-type]


def _members_quality(base: Report, members: list[Report]) -> dict:
    """The Data Quality rows of the dashboard: its members' figures shown as n/a, then the sources' rows (a partner
    workbook's list starts with its own n/a figures; the dashboard's with each member's)."""
    missing = [i for r in members for i in r.quality_issues if i.action == MISSING]
    sources = [i for i in base.quality_issues if i.action != MISSING]
    dropped = len(base.quality_issues) - len(sources)
    return {"quality_issues": missing + sources, "quality_issue_count": base.quality_issue_count - dropped + len(missing)}


def _notes(spec: Spec, geography: Geography, base: Report, members: list[str], population: float) -> list[MethodNote]:
    """The partner workbook's notes that apply here, and the dashboard's own: subject, comparisons, quarters."""
    assert spec.dashboard is not None
    subject = spec.dashboard.subject
    label = geography.partner_label.lower()
    lookup = spec.sources[spec.geography.partner_areas.source].description or spec.geography.partner_areas.source
    about = f" ({subject.description})" if subject.description else ""
    own = [MethodNote("Dashboard subject",
                      f"{subject.name}{about}: the {len(members)} {label}s {', '.join(members)}, selected by "
                      f"{', '.join(subject.where)} in the {lookup}. Its counts and its population ({population:,.0f} "
                      f"residents) are the sums of theirs"
                      + ("; its percentages and measured rates are their numerators added up over their denominators "
                         "added up (pooled), not an average of their percentages." if any(
                             i.measure is not None for i in spec.indicators) else "."))]
    by_levels: dict[tuple[float, float], list[str]] = defaultdict(list)
    for indicator in spec.indicators:
        by_levels[spec.banding_for(indicator).levels].append(indicator.name)
    for levels, names in by_levels.items():
        used = "" if len(names) == len(spec.indicators) else f" Used for: {', '.join(names)}."
        own.append(MethodNote("Dashboard comparisons",
                              describe_banding(Banding(method="ci", levels=levels), base.benchmark_name,
                                               geography.small_area_label, label)
                              + f" The {label}s are compared with the {subject.name} rate in the same way. The "
                                f"dashboard always compares areas by confidence intervals." + used))
    quarters = ("Counts in rolling three-month periods ending at the period end, the latest eight, so that no "
                "quarter is a part quarter.")
    measured = [i.name for i in spec.indicators if i.measure is not None]
    if measured:
        quarters += (f" Indicators with their own measure ({', '.join(measured)}) are left blank (n/a) there: the "
                     f"{subject.name} figure of a proportion or rate is its {label}s' numerators pooled over their "
                     f"denominators, and those are not kept per quarter; the partner workbooks show each "
                     f"{label}'s own periods.")
    own.append(MethodNote("Quarterly trend", quarters))
    kept = [n for n in base.methodology if not n.topic.startswith(PARTNER_ONLY_TOPICS)]
    at = next((i + 1 for i, n in enumerate(kept) if n.topic == "Geography"), len(kept))
    return kept[:at] + own + kept[at:]


def build_dashboard(spec: Spec, geography: Geography, reports: list[Report], spec_file: str,
                    boundaries: Boundaries | None = None) -> DashboardReport:
    """The dashboard of ``spec.dashboard``'s subject from every partner area's Report (partner order, unsuppressed);
    with ``boundaries`` (the spec has ``maps:``), a map of the member areas per mapped indicator."""
    assert spec.dashboard is not None
    assert [r.partner_area for r in reports] == [str(n) for n in geography.partner_names], "every partner's Report"
    picked = subject_members(spec, geography, spec_file)
    names = [str(geography.partner_names[p]) for p in picked]
    populations = geography.partner_population[picked]
    population = float(populations.sum())
    kpis_of = [{k.indicator_id: k for k in r.kpis} for r in reports]
    benchmark_kpis = [kpis_of[p] for p in np.flatnonzero(geography.in_benchmark)]  # the partner areas it sums
    series_of = [{s.indicator_id: s for s in reports[p].series} for p in picked]
    order = {priority: i for i, priority in enumerate(dict.fromkeys(i.priority for i in spec.indicators))}
    base = reports[0]
    dashboard_kpis = []
    for indicator in sorted(spec.indicators, key=lambda i: order[i.priority]):
        member_kpis = [kpis_of[p][indicator.id] for p in picked]
        if indicator.measure is not None:
            dashboard_kpis.append(_measured_kpi(spec, indicator, names, member_kpis, [k[indicator.id] for k in benchmark_kpis],
                                                base.benchmark_name, len(base.series[0].quarter_labels)))
            continue
        kpi = _group_kpi(spec, indicator, member_kpis, population)
        everyone = _group_kpi(spec, indicator, [k[indicator.id] for k in benchmark_kpis], geography.benchmark_population)
        quarters = zip(*(s[indicator.id].quarterly for s in series_of))
        dashboard_kpis.append(DashboardKpi(
            kpi, "rate", f"Rate per {indicator.rate_per:,}", [_sum_or_none(list(q)) for q in quarters],
            _members(spec, indicator, names, member_kpis, populations, kpi.rate),  # type: ignore[arg-type]
            _area_row(base.benchmark_name, everyone, None)))
    subject = spec.dashboard.subject
    findings = outcome_findings([k.kpi for k in dashboard_kpis], subject=subject.name, benchmark=base.benchmark_name,
                                period_end=base.period_end)
    published = [] if base.comparators is None else comparator_findings(base.comparators)
    published_notes = [] if spec.comparators is None else [comparator_note(spec.comparators)]
    report = dataclasses.replace(
        base, title=spec.dashboard.title or spec.title, partner_area=subject.name,
        partner_label=f"group of {len(names)} {geography.partner_label.lower()}s", kpis=[k.kpi for k in dashboard_kpis],
        top_tables=[], trend=None, series=[], comparisons=[], breakdowns=[], findings=findings + published,
        priorities=list(order), methodology=_notes(spec, geography, base, names, population) + published_notes,
        suppression_note=None, hotspots=[],
        partner_code="", maps=None, **_members_quality(base, [reports[p] for p in picked]))
    maps = (dashboard_map_set(spec, geography, boundaries, picked, subject.name, dashboard_kpis)
            if spec.maps is not None and boundaries is not None else None)
    return DashboardReport(report, subject.description, names, geography.partner_label,
                           spec.geography.benchmark.description, base.series[0].quarter_labels, dashboard_kpis, maps)
