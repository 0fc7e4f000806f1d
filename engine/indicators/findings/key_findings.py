"""Key findings: sentences in the seed assessments' style, generated from the Report's numbers.

Every sentence states only what its numbers support: a change is "increased" or "reduced" only
when the change test says it is significant, otherwise "showed no significant change"; a peak is
named only when the busiest three months are significantly busier than a flat year; a rate is
"significantly higher/lower" than the benchmark only when its band says so. Each Finding keeps
the figures it quotes so that tests can check every number against the tables.

Nothing is left out: every significant change gets a sentence, and every priority at least one.
They are listed by the spec's priorities, in the spec's order (the partnership's order of
importance); within a priority, its lead indicator first (its first counted indicator, changed
significantly or not: "Anti-social behaviour showed no significant change …"), then the other
significant changes, largest first by the number of events gained or lost, then comparisons with
peers and the measured indicators. Every figure says which period it covers.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from engine.indicators.findings.measured import HIGHER_BANDS, LOWER_BANDS, measure_sentence, period_words as _period_words
from engine.indicators.findings.profiles import dated, profile_findings
from engine.report import AreaComparison, Breakdown, Finding, IndicatorSeries, Kpi, TopAreaTable
from engine.stats.peers import PEER_LABELS, peer_ranks

GROUP_PROFILES = "Profiles"  # headings on the Key findings sheet: the breakdowns' sentences,
GROUP_WHO = "Who is affected"  # and the area groups' (deprivation, area classification)


def change_direction(kpi: Kpi) -> int:
    """+1 significant increase, −1 significant reduction, 0 no significant change."""
    return kpi.change_code


def _shown(kpi: Kpi) -> bool:
    """A KPI whose counts are hidden for privacy ("suppressed") gets no sentence: a sentence would reveal them."""
    return None not in (kpi.current, kpi.previous, kpi.change, kpi.rate)


def _lower_first(name: str) -> str:
    """"Burglary" inside a sentence stays "burglary"; an acronym such as "ASB" keeps its capitals."""
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


def change_sentence(kpi: Kpi, period_end: str, series: IndicatorSeries | None) -> Finding:
    """"Total recorded crime reduced by 3% (129 crimes) in the 12 months to September 2022"."""
    figures = {"current": kpi.current, "previous": kpi.previous, "change": kpi.change}
    when = _period_words(period_end)
    direction = change_direction(kpi)
    if direction == 0:
        text = (f"{kpi.name} showed no significant change {when} ({kpi.current:,} {kpi.unit}, "
                f"against {kpi.previous:,} in the previous 12 months).")
    else:
        verb = "increased" if direction > 0 else "reduced"
        amount = abs(kpi.change)
        if kpi.percent_change is not None:
            figures["percent_change"] = kpi.percent_change
            text = f"{kpi.name} {verb} by {abs(kpi.percent_change):.0%} ({amount:,} {kpi.unit}) {when}"
        else:
            text = f"{kpi.name} {verb} from none to {kpi.current:,} {kpi.unit} {when}"
        if direction > 0 and series is not None and series.peak is not None:
            text += f", with a peak from {series.peak.label}"
            figures["peak_count"] = series.peak.count
        text += "."
    return Finding("change", text, figures)


def band_sentence(kpi: Kpi, partner_area: str, benchmark: str, method: str = "ci", when: str = "") -> Finding | None:
    """How the area's rate stands against the benchmark, in words that follow the band (none when either is hidden).

    Only confidence-interval bands are a significance test; standard-deviation bands are quoted
    by their own words, never as "significantly".
    """
    if kpi.band is None or kpi.benchmark_rate is None or kpi.rate is None:
        return None
    if method == "sd":
        text = (f"The rate of {_lower_first(kpi.name)} in {partner_area} ({kpi.rate:,.1f} per {kpi.rate_per:,} residents"
                f"{' ' + when if when else ''}) is '{kpi.band}' against the {benchmark} rate ({kpi.benchmark_rate:,.1f}), "
                f"by standard-deviation bands.")
        return Finding("comparison", text, {"rate": kpi.rate, "benchmark_rate": kpi.benchmark_rate})
    if kpi.band in HIGHER_BANDS:
        relation = "significantly higher than"
    elif kpi.band in LOWER_BANDS:
        relation = "significantly lower than"
    else:
        relation = "not significantly different from"
    text = (f"The rate of {_lower_first(kpi.name)} in {partner_area} ({kpi.rate:,.1f} per {kpi.rate_per:,} residents"
            f"{' ' + when if when else ''}) is {relation} the {benchmark} rate ({kpi.benchmark_rate:,.1f}).")
    return Finding("comparison", text, {"rate": kpi.rate, "benchmark_rate": kpi.benchmark_rate})


def hotspot_sentence(table: TopAreaTable, kpi: Kpi, small_area_label: str, when: str = "") -> Finding | None:
    """"The main hotspot is Coalville Centre" — the first of the top 10, with its share of the area's total."""
    if not table.rows or kpi.current == 0 or table.rows[0].count is None:
        return None
    top = table.rows[0]
    share = top.count / kpi.current
    text = (f"The main hotspot for {_lower_first(table.indicator_name)} is {top.name} ({small_area_label} {top.code}), "
            f"with {top.count:,} {table.unit}{' ' + when if when else ''}: {share:.0%} of the area's total.")
    return Finding("hotspot", text, {"count": top.count, "share": share})


def rank_sentence(comparison: AreaComparison, partner_area: str, partner_label: str, when: str = "") -> Finding | None:
    """"Melton has the 4th highest rate of total recorded crime of the 9 districts"."""
    if partner_area not in comparison.areas or len(comparison.areas) < 2 or None in comparison.rates:
        return None  # a rank would order a hidden rate between shown ones
    own = comparison.areas.index(partner_area)
    # Rank of the negated rates: 1 = the highest rate, ties sharing the better position.
    ranks, _ = peer_ranks(-np.asarray(comparison.rates, dtype=float))
    position, n = int(ranks[own]), len(comparison.areas)
    ordinal = "the highest" if position == 1 else "the lowest" if position == n else f"the {_ordinal(position)} highest"
    text = (f"{partner_area} has {ordinal} rate of {_lower_first(comparison.name)} of the {n} {partner_label.lower()}s"
            f"{' ' + when if when else ''}.")
    return Finding("rank", text, {"position": position, "of": n, "rate": own})


def _against_peers(kpi: Kpi) -> str:
    """"in line with its peers", or better / worse by the indicator's polarity when significantly different."""
    code = {label: code for code, label in PEER_LABELS.items()}.get(kpi.peer_comparison or "", 0)
    if code == 0:
        return "in line with its peers"
    level = "higher" if code > 0 else "lower"
    if kpi.polarity == "neither":
        return f"significantly {level} than its peers"
    verdict = "worse" if (code > 0) == (kpi.polarity == "higher_is_worse") else "better"
    return f"performing {verdict} than its peers, with a significantly {level} rate"


def peer_group_sentence(kpi: Kpi, partner_area: str, when: str = "") -> Finding | None:
    """"Rutland is ranked 13 out of 15 in its most similar group for vehicle crime (1 = the lowest rate),
    in line with its peers (…)": only for an indicator ranked in a peer group (iQuanta's most similar groups)."""
    if kpi.peer_group is None or not kpi.peer_rank or kpi.peer_average is None:
        return None
    text = (f"{partner_area} is ranked {kpi.peer_rank} out of {kpi.peer_count} in its {kpi.peer_group} for "
            f"{_lower_first(kpi.name)} (1 = the lowest rate), {_against_peers(kpi)} ({kpi.rate:,.1f} per "
            f"{kpi.rate_per:,} residents against a peer average of {kpi.peer_average:,.1f}{', ' + when if when else ''}).")
    return Finding("peer_group", text, {"rank": kpi.peer_rank, "of": kpi.peer_count, "rate": kpi.rate,
                                        "peer_average": kpi.peer_average})


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def share_sentence(breakdown: Breakdown, partner_area: str, benchmark: str) -> Finding | None:
    """The largest category's share against the benchmark's: "Violence … make up 43% of crime …"."""
    rows = [r for r in breakdown.rows_of(breakdown.subsets[0] if breakdown.subsets else "")
            if r.percent is not None and r.benchmark_percent is not None]
    if not rows or breakdown.layout != "categories" or breakdown.hidden:  # never quote a table with hidden figures
        return None
    largest = max(rows, key=lambda r: r.count)
    text = (f"{largest.category} accounts for {largest.percent:.1%} of {breakdown.unit} in {partner_area} "
            f"({largest.count:,}), against {largest.benchmark_percent:.1%} across {benchmark}.")
    return Finding("share", text, {"percent": largest.percent, "benchmark_percent": largest.benchmark_percent,
                                   "count": largest.count})


def _lead(own: list[Kpi]) -> Kpi | None:
    """A priority's lead indicator: its first counted one whose figures are shown."""
    return next((k for k in own if _shown(k) and not k.measured), None)


def _by_size(kpis: list[Kpi]) -> list[Kpi]:
    """Significant changes, largest first by the number of events gained or lost (then by name, for ties)."""
    return sorted(kpis, key=lambda k: (-abs(k.change), k.name))


def _grouped(findings: list[Finding | None], group: str) -> list[Finding]:
    return [Finding(f.topic, f.text, f.figures, group) for f in findings if f is not None]


def priority_findings(kpis: list[Kpi], series: list[IndicatorSeries], *, partner_area: str, period_end: str,
                      benchmark: str, headline_extras: Sequence[Finding | None] = ()) -> list[Finding]:
    """Each priority's sentences in the spec's order: its lead indicator's change (significant or not), the headline's
    extras (band, rank, peers, hotspot) after the headline, the other significant changes by size, the significant
    departures from peers, then its measured indicators. A priority with nothing shown says so."""
    by_series = {s.indicator_id: s for s in series}
    when = _period_words(period_end)
    findings: list[Finding] = []
    headline = _lead(kpis)
    for priority in dict.fromkeys(k.priority for k in kpis):
        own = [k for k in kpis if k.priority == priority]
        lead = _lead(own)
        sentences: list[Finding | None] = []
        if lead is not None:
            sentences.append(change_sentence(lead, period_end, by_series.get(lead.indicator_id)))
            if lead is headline:
                sentences += headline_extras
        counted = [k for k in own if _shown(k) and not k.measured and k is not lead]
        sentences += [change_sentence(k, period_end, by_series.get(k.indicator_id))
                      for k in _by_size([k for k in counted if change_direction(k) != 0])]
        # The seeds' "significantly higher levels of theft from vehicle crimes than its peers".
        apart = [k for k in counted if k.peer_group and k.peer_average and k.peer_comparison != PEER_LABELS[0]]
        sentences += [peer_group_sentence(k, partner_area, when) for k in apart]
        sentences += [measure_sentence(k, period_end, benchmark) for k in own if k.measured]
        if not any(sentences):
            sentences.append(Finding("change", f"{priority}: no figures can be shown {when} (the indicators' data "
                                               f"are not available, or are hidden to protect small numbers)."))
        findings += _grouped(sentences, priority)
    return findings


def key_findings(kpis: list[Kpi], series: list[IndicatorSeries], top_tables: list[TopAreaTable],
                 comparisons: list[AreaComparison], breakdowns: list[Breakdown], *, partner_area: str,
                 partner_label: str, small_area_label: str, benchmark: str, period_end: str) -> list[Finding]:
    """Every priority's sentences (:func:`priority_findings`), the headline indicator's band, rank, peers and hotspot
    after its change; then the breakdowns' sentences under "Profiles"."""
    when = _period_words(period_end)
    headline = _lead(kpis)
    extras: list[Finding | None] = []
    if headline is not None:
        extras.append(band_sentence(headline, partner_area, benchmark, headline.banding_method, when))
        comparison = next((c for c in comparisons if c.indicator_id == headline.indicator_id), None)
        if comparison is not None:
            extras.append(rank_sentence(comparison, partner_area, partner_label, when))
        extras.append(peer_group_sentence(headline, partner_area, when))
        table = next((t for t in top_tables if t.indicator_id == headline.indicator_id), None)
        if table is not None:
            extras.append(hotspot_sentence(table, headline, small_area_label, when))
    findings = priority_findings(kpis, series, partner_area=partner_area, period_end=period_end, benchmark=benchmark,
                                 headline_extras=extras)
    window = when.replace("in the ", "the ", 1)
    profiles: list[Finding | None] = [dated(share_sentence(b, partner_area, benchmark), b, window) for b in breakdowns[:1]]
    profiles += profile_findings(breakdowns, partner_area, benchmark, window)
    return findings + _grouped(profiles, GROUP_PROFILES)


def after_profiles(findings: list[Finding], added: list[Finding]) -> list[Finding]:
    """``added`` after the last Profiles sentence, so the Key findings sheet keeps one Profiles heading."""
    last = max((i for i, f in enumerate(findings) if f.group == GROUP_PROFILES), default=len(findings) - 1)
    return [*findings[:last + 1], *added, *findings[last + 1:]]


def outcome_findings(kpis: list[Kpi], *, subject: str, benchmark: str, period_end: str) -> list[Finding]:
    """The county report's narrative, outcome by outcome (the 2019 performance report's paragraphs): for every KPI,
    how it changed (worded by the test) and how its rate stands against the benchmark (by its interval band)."""
    when = _period_words(period_end)
    findings: list[Finding] = []
    for outcome in dict.fromkeys(k.priority for k in kpis):
        sentences: list[Finding | None] = []
        for kpi in (k for k in kpis if k.priority == outcome):
            if kpi.measured:
                sentences.append(measure_sentence(kpi, period_end, benchmark))
            elif _shown(kpi):
                sentences += [change_sentence(kpi, period_end, None), band_sentence(kpi, subject, benchmark, "ci", when)]
        if not any(sentences):
            sentences.append(Finding("change", f"{outcome}: no figures can be shown {when}."))
        findings += _grouped(sentences, outcome)
    return findings
