"""Key findings: sentences in the seed assessments' style, generated from the Report's numbers.

Every sentence states only what its numbers support: a change is "increased" or "reduced" only
when the change test says it is significant, otherwise "showed no significant change"; a peak is
named only when the busiest three months are significantly busier than a flat year; a rate is
"significantly higher/lower" than the benchmark only when its band says so. Each Finding keeps
the figures it quotes so that tests can check every number against the tables.
"""
from __future__ import annotations

import numpy as np

from engine.indicators.findings.measured import HIGHER_BANDS, LOWER_BANDS, measure_sentence, period_words as _period_words
from engine.indicators.findings.profiles import profile_findings
from engine.report import AreaComparison, Breakdown, Finding, IndicatorSeries, Kpi, TopAreaTable
from engine.stats.peers import PEER_LABELS, peer_ranks

MAX_CHANGE_FINDINGS = 5
MAX_PEER_FINDINGS = 3


def change_direction(kpi: Kpi) -> int:
    """+1 significant increase, −1 significant reduction, 0 no significant change."""
    return kpi.change_code


def _shown(kpi: Kpi) -> bool:
    """A KPI whose counts are hidden for privacy ([c]) gets no sentence: a sentence would reveal them."""
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


def band_sentence(kpi: Kpi, partner_area: str, benchmark: str, method: str = "ci") -> Finding:
    """How the area's rate stands against the benchmark, in words that follow the band.

    Only confidence-interval bands are a significance test; standard-deviation bands are quoted
    by their own words, never as "significantly".
    """
    if method == "sd":
        text = (f"The rate of {_lower_first(kpi.name)} in {partner_area} ({kpi.rate:,.1f} per {kpi.rate_per:,} residents) "
                f"is '{kpi.band}' against the {benchmark} rate ({kpi.benchmark_rate:,.1f}), by standard-deviation bands.")
        return Finding("comparison", text, {"rate": kpi.rate, "benchmark_rate": kpi.benchmark_rate})
    if kpi.band in HIGHER_BANDS:
        relation = "significantly higher than"
    elif kpi.band in LOWER_BANDS:
        relation = "significantly lower than"
    else:
        relation = "not significantly different from"
    text = (f"The rate of {_lower_first(kpi.name)} in {partner_area} ({kpi.rate:,.1f} per {kpi.rate_per:,} residents) is "
            f"{relation} the {benchmark} rate ({kpi.benchmark_rate:,.1f}).")
    return Finding("comparison", text, {"rate": kpi.rate, "benchmark_rate": kpi.benchmark_rate})


def hotspot_sentence(table: TopAreaTable, kpi: Kpi, small_area_label: str) -> Finding | None:
    """"The main hotspot is Coalville Centre" — the first of the top 10, with its share of the area's total."""
    if not table.rows or kpi.current == 0 or table.rows[0].count is None:
        return None
    top = table.rows[0]
    share = top.count / kpi.current
    text = (f"The main hotspot for {_lower_first(table.indicator_name)} is {top.name} ({small_area_label} {top.code}), "
            f"with {top.count:,} {table.unit}: {share:.0%} of the area's total.")
    return Finding("hotspot", text, {"count": top.count, "share": share})


def rank_sentence(comparison: AreaComparison, partner_area: str, partner_label: str) -> Finding | None:
    """"Melton has the 4th highest rate of total recorded crime of the 9 districts"."""
    if partner_area not in comparison.areas or len(comparison.areas) < 2:
        return None
    own = comparison.areas.index(partner_area)
    # Rank of the negated rates: 1 = the highest rate, ties sharing the better position.
    ranks, _ = peer_ranks(-np.asarray(comparison.rates, dtype=float))
    position, n = int(ranks[own]), len(comparison.areas)
    ordinal = "the highest" if position == 1 else "the lowest" if position == n else f"the {_ordinal(position)} highest"
    text = f"{partner_area} has {ordinal} rate of {_lower_first(comparison.name)} of the {n} {partner_label.lower()}s."
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


def peer_group_sentence(kpi: Kpi, partner_area: str) -> Finding | None:
    """"Rutland is ranked 13 out of 15 in its most similar group for vehicle crime (1 = the lowest rate),
    in line with its peers (…)": only for an indicator ranked in a peer group (iQuanta's most similar groups)."""
    if kpi.peer_group is None or not kpi.peer_rank or kpi.peer_average is None:
        return None
    text = (f"{partner_area} is ranked {kpi.peer_rank} out of {kpi.peer_count} in its {kpi.peer_group} for "
            f"{_lower_first(kpi.name)} (1 = the lowest rate), {_against_peers(kpi)} ({kpi.rate:,.1f} per "
            f"{kpi.rate_per:,} residents against a peer average of {kpi.peer_average:,.1f}).")
    return Finding("peer_group", text, {"rank": kpi.peer_rank, "of": kpi.peer_count, "rate": kpi.rate,
                                        "peer_average": kpi.peer_average})


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def share_sentence(breakdown: Breakdown, partner_area: str, benchmark: str) -> Finding | None:
    """The largest category's share against the benchmark's: "Violence … make up 43% of crime …"."""
    rows = [r for r in breakdown.rows_of(breakdown.subsets[0] if breakdown.subsets else "")
            if r.percent is not None and r.benchmark_percent is not None]
    if not rows or breakdown.layout != "categories":
        return None
    largest = max(rows, key=lambda r: r.count)
    text = (f"{largest.category} accounts for {largest.percent:.1%} of {breakdown.unit} in {partner_area} "
            f"({largest.count:,}), against {largest.benchmark_percent:.1%} across {benchmark}.")
    return Finding("share", text, {"percent": largest.percent, "benchmark_percent": largest.benchmark_percent,
                                   "count": largest.count})


def key_findings(kpis: list[Kpi], series: list[IndicatorSeries], top_tables: list[TopAreaTable],
                 comparisons: list[AreaComparison], breakdowns: list[Breakdown], *, partner_area: str,
                 partner_label: str, small_area_label: str, benchmark: str, period_end: str) -> list[Finding]:
    """The headline indicator (the spec's first counted one) always; then the largest significant changes;
    then a sentence for each measured indicator (proportions, values, period on period)."""
    measured = [f for k in kpis if k.measured and (f := measure_sentence(k, period_end, benchmark)) is not None]
    kpis = [k for k in kpis if _shown(k) and not k.measured]
    if not kpis:
        return measured
    by_series = {s.indicator_id: s for s in series}
    headline = kpis[0]
    findings = [change_sentence(headline, period_end, by_series.get(headline.indicator_id)),
                band_sentence(headline, partner_area, benchmark, headline.banding_method)]
    comparison = next((c for c in comparisons if c.indicator_id == headline.indicator_id), None)
    if comparison is not None:
        findings.append(rank_sentence(comparison, partner_area, partner_label))
    findings.append(peer_group_sentence(headline, partner_area))
    table = next((t for t in top_tables if t.indicator_id == headline.indicator_id), None)
    if table is not None:
        findings.append(hotspot_sentence(table, headline, small_area_label))
    changed = [k for k in kpis[1:] if change_direction(k) != 0]
    # The strongest evidence first (smallest p-value), then the largest change: a 200% rise on 20 crimes
    # should not push a 30% rise on 1,000 off the list.
    changed.sort(key=lambda k: (k.change_p_value if k.change_p_value is not None else 1.0, -abs(k.change), k.name))
    findings += [change_sentence(k, period_end, by_series.get(k.indicator_id)) for k in changed[:MAX_CHANGE_FINDINGS]]
    # The seeds' "significantly higher levels of theft from vehicle crimes than its peers": the largest departures.
    apart = [k for k in kpis[1:] if k.peer_group and k.peer_average and k.peer_comparison != PEER_LABELS[0]]
    apart.sort(key=lambda k: (-abs(np.log(k.rate / k.peer_average)) if k.rate else 0.0, k.name))
    findings += [peer_group_sentence(k, partner_area) for k in apart[:MAX_PEER_FINDINGS]]
    findings += measured
    for breakdown in breakdowns[:1]:
        findings.append(share_sentence(breakdown, partner_area, benchmark))
    findings += profile_findings(breakdowns, partner_area, benchmark)
    return [f for f in findings if f is not None]
