"""Published comparators (spec ``comparators:``): the force, region and England rates a county report
quotes beside its own ("Leicestershire is well below the regional average of 9").

The rates are published figures, shown as published; nothing is recomputed and no significance is
claimed (the table gives no intervals). Words compare the rates as the reader sees them, at one
decimal place, so a sentence never calls two rates that print alike "higher" or "lower". The table
is the same in every partner area's workbook: it is about the larger areas, not about a partner.
"""
from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from engine.ingest import ComparatorRows
from engine.report import ComparatorChart, Finding, MethodNote, Report
from engine.spec.models import Comparators


def _shown(rate: float) -> Decimal:
    """The rate as the workbook prints it, one decimal place (half away from zero, as Excel's 0.0)."""
    return Decimal(rate).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def comparison_words(subject: float | None, others: Sequence[tuple[str, float | None]]) -> str:
    """"lower than East Midlands region (9.3) and England (9.1)": the subject's rate against each other area's,
    grouped by direction; an unpublished rate is said to be so, never compared as a zero."""
    if subject is None:
        return "not published"
    groups: dict[str, list[str]] = {"lower than": [], "the same as": [], "higher than": []}
    missing = []
    for label, rate in others:
        if rate is None:
            missing.append(label)
            continue
        mine, theirs = _shown(subject), _shown(rate)
        relation = "lower than" if mine < theirs else "higher than" if mine > theirs else "the same as"
        groups[relation].append(f"{label} ({theirs:,})")
    parts = [f"{relation} {_joined(labels)}" for relation, labels in groups.items() if labels]
    if missing:
        parts.append(f"{_joined(missing)} not published")
    return "; ".join(parts)


def comparator_chart(block: Comparators, rows: ComparatorRows) -> ComparatorChart:
    """The Report's comparator table: the published rates and, per measure, the first area against the rest."""
    labels = [area.label for area in block.areas]
    words = [comparison_words(rows.rates[0][m], [(labels[a], rows.rates[a][m]) for a in range(1, len(labels))])
             for m in range(len(block.measures))]
    return ComparatorChart(block.title, block.period, block.rate_per, block.polarity, list(block.measures.values()),
                           labels, rows.rates, words, block.note)


def comparator_findings(chart: ComparatorChart) -> list[Finding]:
    """One sentence per published measure, in the seeds' style, with the figures it quotes."""
    subject = chart.areas[0]
    findings = []
    for m, measure in enumerate(chart.measures):
        rate = chart.rates[0][m]
        if rate is None:
            continue
        figures = {"rate": rate} | {area: chart.rates[a][m] for a, area in enumerate(chart.areas[1:], 1)
                                    if chart.rates[a][m] is not None}
        text = (f"In the {chart.period}, the rate of {measure[:1].lower() + measure[1:]} in {subject} was "
                f"{_shown(rate):,} per {chart.rate_per:,} population, {chart.words[m]}.")
        findings.append(Finding(f"comparator {measure}", text, figures, group=chart.title))
    return findings


def comparator_note(block: Comparators) -> MethodNote:
    areas = ", ".join(area.label for area in block.areas)
    return MethodNote(block.title, f"Published rates per {block.rate_per:,} population for {areas}, {block.period}, "
                                   f"shown as published (not recomputed; no significance is tested). "
                                   f"{block.note}".strip())


def with_comparators(reports: list[Report], block: Comparators | None, rows: ComparatorRows | None) -> list[Report]:
    """Each Report with the spec's published comparators, their sentences and their Methodology note."""
    if block is None or rows is None:
        return reports
    chart = comparator_chart(block, rows)
    findings, note = comparator_findings(chart), comparator_note(block)
    return [dataclasses.replace(r, comparators=chart, findings=[*r.findings, *findings],
                                methodology=[*r.methodology, note]) for r in reports]
