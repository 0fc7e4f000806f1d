"""The page's contents, from a Report or a DashboardReport: rows of words and chart specs for the template.

Everything here is reading and wording: figures come from the Report as they are, formatted the
workbook's way (``display``). The template lays them out; ``charts`` says how they are drawn.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from engine.dashboard_report import AreaRow, DashboardKpi, DashboardReport
from engine.map_report import MapSet, MapShape
from engine.render.theme import Theme
from engine.report import (CLOSE_TO_TARGET, MET, NOT_MET, SUPPRESSED, ComparatorChart, Kpi, PublishedTableView,
                           Report)
from engine.web import charts, display
from engine.web.vega import script_safe, vega_bundle

Row = dict[str, Any]


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2  # imported here: only HTML builds pay for it

    return jinja2.Environment(loader=jinja2.PackageLoader("engine.web", "templates"),
                              autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def html_name(report: Report) -> str:
    """The page's file name: the workbook's, with ``.html``."""
    return f"{report.file_stem}.html"


def _ordered(kpis: list[Kpi], priorities: list[str]) -> list[Kpi]:
    rank = {p: i for i, p in enumerate(priorities)}
    return sorted(kpis, key=lambda k: rank.get(k.priority, len(rank)))


def _value_kind(kpi: Kpi) -> str:
    return kpi.value_format if kpi.measured else "count"


def _kpi_row(kpi: Kpi, theme: Theme) -> Row:
    """One Summary row in words, with the band's and the outcome's colours from the theme."""
    missing = display.kpi_missing(kpi)
    kind = _value_kind(kpi)
    measure_kind = "percent" if kpi.value_format == "percent" else "rate"
    band_colours = theme.band_colours(kpi.band, kpi.polarity == "higher_is_better") if kpi.band in theme.bands else None
    outcome_colour = {"Better": theme.colours["better"], "Worse": theme.colours["worse"]}.get(kpi.outcome)
    return {
        "id": kpi.indicator_id, "name": kpi.name, "priority": kpi.priority,
        "period": kpi.current_period or "", "compared_with": kpi.previous_period or "",
        "previous": display.value(kpi.previous, kind, missing), "current": display.value(kpi.current, kind, missing),
        "change": display.signed(kpi.change, kind, missing), "percent_change": display.percent_change(kpi.percent_change, missing),
        "direction": display.direction(kpi.direction), "outcome": kpi.outcome, "outcome_colour": outcome_colour,
        "rate": display.value(kpi.rate, measure_kind, missing),
        "benchmark_rate": display.value(kpi.benchmark_rate, measure_kind, missing),
        "rank": kpi.peer_rank_text, "band": kpi.band or missing, "band_colours": band_colours,
        "target": kpi.target or "", "target_status": kpi.target_status or "",
        "missing_reason": kpi.missing_reason or "",  # why an n/a stands for missing data (missing is not zero)
    }


def _chart(charts_out: list[Row], spec: dict[str, Any]) -> str:
    """Register a chart for the page; returns its element id."""
    chart_id = f"chart-{len(charts_out) + 1}"
    charts_out.append({"id": chart_id, "spec": spec})
    return chart_id


def _comparison_section(report: Report, kpi: Kpi, theme: Theme, charts_out: list[Row]) -> Row | None:
    comparison = next((c for c in report.comparisons if c.indicator_id == kpi.indicator_id), None)
    if comparison is None:
        return None
    value_title = f"Rate per {comparison.rate_per:,}"
    has_interval = bool(comparison.lowers) and len(comparison.lowers) == len(comparison.areas)
    rows = []
    for i, (area, count, rate) in enumerate(zip(comparison.areas, comparison.counts, comparison.rates)):
        row = {"area": area, "value": rate, "shown": display.value(rate, "rate"), "count": display.value(count, "count"),
               "own": area == report.partner_area, "period": report.current_window, "band": ""}
        if has_interval:
            lower, upper = comparison.lowers[i], comparison.uppers[i]
            row.update(lower=lower, upper=upper,
                       interval=f"{display.value(lower, 'rate')} to {display.value(upper, 'rate')}")
        rows.append(row)
    title = f"{comparison.name}: rate per {comparison.rate_per:,} by {report.partner_label.lower()}"
    spec = charts.comparison_chart(theme, title, rows, report.benchmark_name, comparison.benchmark_rate,
                                   value_title, has_interval)
    return {"chart": _chart(charts_out, spec), "title": title, "rows": rows, "has_interval": has_interval,
            "benchmark": f"{report.benchmark_name}: {display.value(comparison.benchmark_rate, 'rate')}"}


def _trend_section(report: Report, kpi: Kpi, theme: Theme, charts_out: list[Row]) -> Row | None:
    series = next((s for s in report.series if s.indicator_id == kpi.indicator_id), None)
    if series is None or not series.quarter_labels:
        return None
    kind = series.value_format
    rows = [{"period": label, "value": value,
             "shown": SUPPRESSED if q in series.hidden_quarters else display.value(value, kind)}
            for q, (label, value) in enumerate(zip(series.quarter_labels, series.quarterly))]
    what = "rolling quarters" if series.rolling else "periods"
    title = f"{series.name}: last {len(rows)} {what}"
    value_title = {"percent": "Percentage", "rate": f"Rate per {kpi.rate_per:,}"}.get(kind, "Count")
    return {"chart": _chart(charts_out, charts.trend_chart(theme, title, rows, value_title)), "title": title,
            "rows": rows, "value_title": value_title}


def _top_section(report: Report, kpi: Kpi) -> Row | None:
    table = next((t for t in report.top_tables if t.indicator_id == kpi.indicator_id), None)
    if table is None:
        return None
    return {"title": f"{table.indicator_name}: the {len(table.rows)} {report.small_area_label}s with the highest counts",
            "rate_title": f"Rate per {table.rate_per:,}", "benchmark": report.benchmark_name,
            "rows": [{"rank": r.rank, "partner_area": r.partner_area, "code": r.code, "name": r.name,
                      "count": display.value(r.count, "count", SUPPRESSED), "rate": display.value(r.rate, "rate", SUPPRESSED),
                      "band": r.band or SUPPRESSED} for r in table.rows]}


def _feature(shape: MapShape, properties: Row) -> Row:
    """A GeoJSON feature of a map shape. Its rings are turned clockwise-outside, the winding Vega's
    spherical geometry reads as "this area" (GeoJSON's anticlockwise would shade the rest of the globe)."""
    rings = [np.round(ring[::-1], 5).tolist() for ring in shape.rings]
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": rings}, "properties": properties}


def _map_sections(map_set: MapSet | None, period: str, theme: Theme, charts_out: list[Row]) -> dict[str, Row]:
    """Each mapped indicator's map chart and the table behind it, by indicator id."""
    if map_set is None:
        return {}
    sections = {}
    outline = _feature(map_set.outline, {"name": map_set.place}) if map_set.outline is not None else None
    for area_map in map_set.maps:
        rows = [{"name": a.name, "code": a.code, "band": a.band, "shown": display.value(a.value, "rate"),
                 "count": display.value(a.count, "count", SUPPRESSED), "rank": a.rank or "", "period": period}
                for a in area_map.areas]
        features = [_feature(map_set.shapes[a.code], row) for a, row in zip(area_map.areas, rows)
                    if a.code in map_set.shapes]
        title = f"{area_map.title}: map by {map_set.area_label}"
        spec = charts.map_chart(theme, title, features, outline, area_map.value_label,
                                area_map.polarity == "higher_is_better")
        sections[area_map.indicator_id] = {"chart": _chart(charts_out, spec), "title": title, "rows": rows,
                                           "value_title": area_map.value_label, "area_label": map_set.area_label,
                                           "source": f"{area_map.compared[:1].upper()}{area_map.compared[1:]}. {map_set.source}"}
    return sections


def _published(chart: ComparatorChart | None) -> Row | None:
    """The spec's published force / region / England rates as a table (a marker stays "not published")."""
    if chart is None:
        return None
    rows = [{"measure": measure, "rates": [("not published" if chart.rates[a][m] is None else f"{chart.rates[a][m]:,.1f}")
                                           for a in range(len(chart.areas))], "words": chart.words[m]}
            for m, measure in enumerate(chart.measures)]
    return {"title": f"{chart.title}, {chart.period}", "rate_per": f"{chart.rate_per:,}", "areas": chart.areas,
            "rows": rows, "note": chart.note}


def _published_table(table: PublishedTableView) -> Row:
    """A published long table (spec ``published:``) as the Profiles sheet shows it: each area's figures by period,
    the partner's own rows first, counts whole, a hidden figure "suppressed" and one not published or not computed
    "n/a" (the workbook's empty cell; the note says why)."""
    def shown(row, position: int, number: float | None) -> str:
        if position in row.suppressed:
            return SUPPRESSED
        if number is None:
            return display.NOT_AVAILABLE
        return f"{number:,.0f}" if row.count else f"{number:,.{table.decimals}f}"
    return {"id": table.table_id, "title": table.title, "section": table.section, "periods": table.periods,
            "note": table.note,
            "rows": [{"area": r.area, "what": r.what, "source": r.source, "own": r.own,
                      "figures": [shown(r, i, v) for i, v in enumerate(r.values)]} for r in table.rows]}


def _common(report: Report) -> Row:
    """Header, findings, published comparators, methodology and data quality: what both kinds of page show."""
    return {
        "published": _published(report.comparators),
        "published_tables": [_published_table(t) for t in report.published],
        "title": report.title, "organisation": report.organisation, "area": report.partner_area,
        "current_window": report.current_window, "previous_window": report.previous_window,
        "benchmark": report.benchmark_name, "produced": f"{report.generated:%d/%m/%Y}", "period_end": report.period_end,
        "synthetic_note": report.synthetic_note, "suppression_note": report.suppression_note,
        "findings": [{"group": group, "sentences": [f.text for f in report.findings if (f.group or "Other") == group]}
                     for group in dict.fromkeys(f.group or "Other" for f in report.findings)],
        "methodology": [{"topic": m.topic, "text": m.text} for m in report.methodology],
        "quality": [{"source": report.source_title(q.source), "reason": q.reason, "rows": f"{q.rows:,}", "example": q.example}
                    for q in report.quality],
        "quality_count": f"{report.quality_issue_count:,}", "attribution": report.attribution,
        "engine_version": report.engine_version, "spec_version": report.spec_version,
    }


PLURALS = {"Priority": "priorities", "Outcome": "outcomes"}


def _render(context: Row, chart_specs: list[Row]) -> bytes:
    template = _environment().get_template("page.html.j2")
    own_periods = any(k["period"] for k in context["kpis"])  # a Period column only where a KPI has its own
    text = template.render(**context, charts=chart_specs, vega_script=script_safe(vega_bundle()),
                           own_periods=own_periods, group_plural=PLURALS[context["group_label"]])
    return text.encode("utf-8")


def report_html(report: Report, theme: Theme) -> bytes:
    """A partner area's page: Summary by priority, then each indicator's charts and tables."""
    charts_out: list[Row] = []
    kpis = _ordered(report.kpis, report.priorities)
    maps = _map_sections(report.maps, report.current_window, theme, charts_out)
    indicators = []
    for kpi in kpis:
        indicators.append({"id": kpi.indicator_id, "name": kpi.name, "priority": kpi.priority,
                           "map": maps.get(kpi.indicator_id),
                           "comparison": _comparison_section(report, kpi, theme, charts_out),
                           "trend": _trend_section(report, kpi, theme, charts_out), "top": _top_section(report, kpi)})
    districts = sorted({a for c in report.comparisons for a in c.areas})
    hotspots = [{"title": t.title, "label": report.small_area_label, "what": t.described_as[:1].upper() + t.described_as[1:],
                 "rows": [{"code": r.code, "name": r.name, "count": f"{r.count:,}"} for r in t.rows],
                 "none": f"No {report.small_area_label} has {t.at_least} or more {t.described_as}."}
                for t in report.hotspots]
    context = {**_common(report), "kind": "partner", "theme": theme, "group_label": "Priority", "hotspots": hotspots,
               "groups": list(dict.fromkeys(k.priority for k in kpis)), "kpis": [_kpi_row(k, theme) for k in kpis],
               "indicators": indicators, "districts": districts, "district_label": report.partner_label}
    return _render(context, charts_out)


def _member_section(dashboard: DashboardReport, item: DashboardKpi, theme: Theme, charts_out: list[Row]) -> Row:
    kind = item.value_format
    report = dashboard.report
    rows = []
    subject = AreaRow(dashboard.subject, item.kpi.numerator if item.kpi.measured else item.kpi.current,  # type: ignore[arg-type]
                      item.kpi.rate, None, item.kpi.percent_change, item.kpi.direction, item.kpi.outcome)
    for member in [*item.members, subject, item.benchmark]:
        role = charts.SUBJECT if member is subject else charts.BENCHMARK if member is item.benchmark else None
        rows.append({"area": member.name, "value": member.rate, "shown": display.value(member.rate, kind),
                     "count": display.value(member.current, "count"),
                     "band": role or member.band or display.NOT_AVAILABLE,
                     "change": display.percent_change(member.percent_change), "direction": display.direction(member.direction),
                     "period": report.current_window, "district": "" if role else member.name})
    title = f"{item.kpi.name}: {item.value_label.lower()} by {dashboard.member_label.lower()}"
    spec = charts.band_bar_chart(theme, title, [r for r in rows if r["value"] is not None], item.value_label,
                                 item.kpi.polarity == "higher_is_better")
    return {"chart": _chart(charts_out, spec), "title": title, "rows": rows, "value_title": item.value_label,
            "count_title": item.count_label}


def _quarter_section(dashboard: DashboardReport, item: DashboardKpi, theme: Theme, charts_out: list[Row]) -> Row | None:
    if not any(v is not None for v in item.quarterly):
        return None
    kind = item.quarterly_format
    rows = [{"period": label, "value": value, "shown": display.value(value, kind)}
            for label, value in zip(dashboard.quarter_labels, item.quarterly)]
    title = f"{item.kpi.name}: rolling quarters"
    value_title = "Percentage" if kind == "percent" else "Count"
    return {"chart": _chart(charts_out, charts.trend_chart(theme, title, rows, value_title)), "title": title,
            "rows": rows, "value_title": value_title}


def dashboard_html(dashboard: DashboardReport, theme: Theme) -> bytes:
    """A dashboard's page: KPIs by outcome, each KPI's quarters and member areas against the subject."""
    charts_out: list[Row] = []
    report = dashboard.report
    kpis = [item.kpi for item in dashboard.kpis]
    maps = _map_sections(dashboard.maps, report.current_window, theme, charts_out)
    indicators = [{"id": item.indicator_id, "name": item.kpi.name, "priority": item.outcome_group,
                   "map": maps.get(item.indicator_id),
                   "trend": _quarter_section(dashboard, item, theme, charts_out),
                   "members": _member_section(dashboard, item, theme, charts_out)} for item in dashboard.kpis]
    context = {**_common(report), "kind": "dashboard", "theme": theme, "group_label": "Outcome",
               "groups": dashboard.outcomes, "kpis": [_kpi_row(k, theme) for k in kpis], "indicators": indicators,
               "districts": list(dashboard.members), "district_label": dashboard.member_label,
               "subject_description": dashboard.subject_description,
               "benchmark_description": dashboard.benchmark_description}
    return _render(context, charts_out)
