"""Key findings about who is affected, in the seeds' words, only as far as the numbers go.

"More deprived communities are more likely to be a victim of crime" becomes "people living in the
most deprived tenth of neighbourhoods were 2.4 times as likely to be victims of crime as those
living in the least deprived tenth" only when the rate ratio's interval excludes 1; otherwise
the sentence says the rates were not significantly different. "City Living … most affected"
names the group with the highest rate, and calls it significantly higher than the area's rate
only when its interval lies above it. Each Finding keeps the figures it quotes.
"""
from __future__ import annotations

import math

from engine.indicators.findings.key_findings import _lower_first, _period_words
from engine.report import AreaGroupTable, Finding, GroupRatio
from engine.spec.models import AreaGroup, GroupContrast


def _ratio_text(value: float) -> str:
    """"2.4", or two decimals below 1 ("0.61") so that a small ratio never reads as 0.0."""
    return f"{value:,.1f}" if value >= 1 else f"{value:.2f}"


def _usable(ratio: GroupRatio) -> bool:
    return ratio.ratio is not None and all(math.isfinite(v) and v > 0 for v in (ratio.ratio, ratio.upper)) \
        and ratio.lower is not None


def _claim(table: AreaGroupTable, words: GroupContrast, ratio: GroupRatio, where: str) -> str:
    """The comparison in one area, worded by its significance."""
    outcome = words.outcome or f"affected by {_lower_first(table.indicator_name)}"
    per = f"per {table.rate_per:,} residents"
    rates = f"{ratio.high_rate:,.1f} against {ratio.low_rate:,.1f} {table.unit} {per}"
    interval = (f"{table.level:.0%} confidence interval {_ratio_text(ratio.lower)} to {_ratio_text(ratio.upper)}")
    if ratio.significant and ratio.ratio > 1:
        return (f"{where}, people living in {words.high_words} were {_ratio_text(ratio.ratio)} times as likely to be "
                f"{outcome} as those living in {words.low_words} ({rates}; {interval})")
    if ratio.significant:
        return (f"{where}, people living in {words.high_words} were less likely to be {outcome} than those living in "
                f"{words.low_words} ({rates}; rate ratio {_ratio_text(ratio.ratio)}, {interval})")
    return (f"{where}, the rate among people living in {words.high_words} ({ratio.high_rate:,.1f} {per}) was not "
            f"significantly different from the rate among those living in {words.low_words} ({ratio.low_rate:,.1f}; "
            f"rate ratio {_ratio_text(ratio.ratio)}, {interval})")


def _figures(ratio: GroupRatio, prefix: str = "") -> dict[str, float]:
    values = {"ratio": ratio.ratio, "lower": ratio.lower, "upper": ratio.upper, "high_rate": ratio.high_rate,
              "low_rate": ratio.low_rate, "p_value": ratio.p_value, "significant": float(ratio.significant)}
    return {prefix + key: value for key, value in values.items() if value is not None}


def _why_not(table: AreaGroupTable, words: GroupContrast, ratio: GroupRatio, partner_area: str,
             small_area_label: str) -> str:
    if ratio.high_rate is None:
        return f"No {small_area_label} in {partner_area} is in {words.high_words}"
    if ratio.low_rate is None:
        return f"No {small_area_label} in {partner_area} is in {words.low_words}"
    return f"{partner_area} has too few {table.unit} in these groups to compare them"


def contrast_sentence(table: AreaGroupTable, words: GroupContrast, *, partner_area: str, benchmark: str,
                      small_area_label: str, period_end: str) -> Finding | None:
    """The partner area's rate ratio in words; the benchmark's when the area cannot be compared on its own."""
    if len(table.ratios) != 2:
        return None
    area, whole = table.ratios
    when = _period_words(period_end)
    if _usable(area):
        return Finding("who_is_affected", f"{_claim(table, words, area, f'In {partner_area}')}, {when}.", _figures(area))
    if not _usable(whole):
        return None
    text = (f"{_why_not(table, words, area, partner_area, small_area_label)}; "
            f"{_claim(table, words, whole, f'across {benchmark}')}, {when}.")
    return Finding("who_is_affected", text, _figures(whole, "benchmark_"))


def most_affected_sentence(table: AreaGroupTable, *, partner_area: str, period_end: str) -> Finding | None:
    """The group with the highest rate, "significantly higher" only when its interval lies above the area's rate."""
    rows = [r for r in table.rows if r.rate is not None]
    if len(rows) < 2:
        return None
    top = max(rows, key=lambda r: r.rate)  # the first listed among equal rates
    by = f"By {_lower_first(table.label)}"
    indicator = _lower_first(table.indicator_name)
    per = f"per {table.rate_per:,} residents"
    figures = {"rate": top.rate, "lower": top.lower, "area_rate": table.rate, "significant": 0.0}
    if top.lower is not None and top.lower > table.rate:
        figures["significant"] = 1.0
        text = (f"{by}, {top.value} areas were the most affected by {indicator} in {partner_area}: {top.rate:,.1f} "
                f"{table.unit} {per}, significantly higher than the {partner_area} rate of {table.rate:,.1f}, "
                f"{_period_words(period_end)}.")
    else:
        text = (f"{by}, no type of area in {partner_area} had a rate of {indicator} significantly above the "
                f"{partner_area} rate of {table.rate:,.1f} {per}; the highest was {top.value} ({top.rate:,.1f}), "
                f"{_period_words(period_end)}.")
    return Finding("who_is_affected", text, {k: v for k, v in figures.items() if v is not None})


def area_group_findings(groups: list[AreaGroup], tables: list[AreaGroupTable], *, partner_area: str, benchmark: str,
                        small_area_label: str, period_end: str) -> list[Finding]:
    """Per area group, about its first indicator: the comparison (``compare``) and the group most affected."""
    findings: list[Finding | None] = []
    for group in groups:
        table = next((t for t in tables if t.group_id == group.id and t.indicator_id == group.indicators[0]), None)
        if table is None or table.hidden:  # a sentence would have to leave out or guess at a hidden figure
            continue
        if group.compare is not None:
            findings.append(contrast_sentence(table, group.compare, partner_area=partner_area, benchmark=benchmark,
                                              small_area_label=small_area_label, period_end=period_end))
        if group.most_affected:
            findings.append(most_affected_sentence(table, partner_area=partner_area, period_end=period_end))
    return [f for f in findings if f is not None]
