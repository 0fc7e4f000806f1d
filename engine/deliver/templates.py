"""Subject and body templates: ``{area}``, ``{period}``, ``{headline}`` … filled from a whitelist.

Templates are partner-facing text written by analysts, and the values (area names, indicator
names) come from data: neither is ever evaluated. A template is split on ``{name}`` fields with
a regular expression and each field is looked up in a plain dict of strings — no attribute
access, indexing or format specs (``str.format`` would allow ``{area.__class__}``). ``{{`` and
``}}`` stand for literal braces. Unknown fields are found when the pipeline is loaded.
"""
from __future__ import annotations

import re

from engine.report import Kpi, Report
from engine.suggest import did_you_mean
from engine.web import display

PLACEHOLDERS: dict[str, str] = {
    "area": "the partner area, e.g. Blaby",
    "period": "the current 12 months, e.g. Nov 2021 – Oct 2022",
    "previous_period": "the 12 months before, e.g. Nov 2020 – Oct 2021",
    "period_end": "the last month, YYYY-MM",
    "title": "the spec's title",
    "organisation": "the spec's organisation",
    "benchmark": "the benchmark area, e.g. Leicestershire",
    "workbook": "the attached workbook's file name",
    "headline": "one sentence on the headline indicator: count, period and change",
    "headline_name": "the headline indicator's name",
    "headline_count": "its count in the current period, e.g. 6,784",
    "headline_change": "its change on the previous period, e.g. +17.1%",
    "headline_band": "the partner area's rate against the benchmark, e.g. Significantly Low",
}

_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def template_problems(text: str) -> list[str]:
    """What is wrong with a template: unknown fields and stray braces (empty when it is fine)."""
    problems = []
    for match in _FIELD.finditer(text):
        token, name = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            continue
        if name is None:
            problems.append(f"a single {token!r} at position {match.start()}: write {token * 2!r} for a literal brace")
        elif name not in PLACEHOLDERS:
            problems.append(f"unknown placeholder {{{name}}}{did_you_mean(name, PLACEHOLDERS)}")
    return problems


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each ``{name}`` replaced by ``values[name]`` (a checked template)."""
    def replace(match: re.Match[str]) -> str:
        token, name = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            return token[0]
        return values[name] if name is not None else token

    return _FIELD.sub(replace, text)


def headline_kpi(report: Report, indicator_id: str | None) -> Kpi | None:
    """The KPI the ``{headline…}`` placeholders describe: the named indicator, else the first."""
    if indicator_id is None:
        return report.kpis[0] if report.kpis else None
    return next((k for k in report.kpis if k.indicator_id == indicator_id), None)


def _count(value: int | None, kpi: Kpi) -> str:
    """``6,784``; where there is no number, the word the workbook shows in its place ("suppressed" for one that
    small-number suppression hides, "n/a" for a measure's missing figure): the partner reads both side by side."""
    return display.value(value, "count", display.kpi_missing(kpi))


def template_values(report: Report, workbook_name: str, headline: Kpi | None) -> dict[str, str]:
    """Every placeholder's text for one partner's message."""
    values = {
        "area": report.partner_area,
        "period": report.current_window,
        "previous_period": report.previous_window,
        "period_end": report.period_end,
        "title": report.title,
        "organisation": report.organisation,
        "benchmark": report.benchmark_name,
        "workbook": workbook_name,
        "headline": "", "headline_name": "", "headline_count": "", "headline_change": "", "headline_band": "",
    }
    if headline is not None:
        missing = display.kpi_missing(headline)
        # A change is absent because a count is hidden (the workbook's word), or because there is nothing to compare.
        hidden = missing != display.NOT_AVAILABLE and (headline.current is None or headline.previous is None)
        change = display.percent_change(headline.percent_change, missing if hidden else display.NOT_AVAILABLE)
        values.update(headline_name=headline.name, headline_count=_count(headline.current, headline),
                      headline_change=change,
                      headline_band=headline.band or (missing if headline.current is None and hidden else ""))
        if headline.current is None and missing != display.NOT_AVAILABLE:  # hidden: say so, never the number
            values["headline"] = f"{headline.name}: {missing} for {report.current_window} (small numbers are hidden)."
        elif headline.current is None:
            values["headline"] = f"{headline.name}: no figure for {report.current_window} ({missing})."
        else:
            previous = f" ({_count(headline.previous, headline)})" if headline.previous is not None else ""
            values["headline"] = (f"{headline.name}: {_count(headline.current, headline)} {headline.unit} in "
                                  f"{report.current_window}, " + (f"{change} on the previous 12 months{previous}."
                                  if headline.percent_change is not None else f"change on the previous 12 months: {change}."))
    assert values.keys() == PLACEHOLDERS.keys()
    return values
