"""Key-findings sentences for measured indicators: proportions, summed values, period on period.

One sentence per KPI, in the seeds' style: its level ("Repeat MARAC referrals were 45.0% of
referrals (76 of 153) in the 12 months to October 2022"), its threshold when the spec sets one
("above the 40% threshold (not met)"), then its change, worded by the test: "a 10% increase on the
previous quarter (236)" only when the change is significant, "no significant change on the previous
quarter" otherwise. A snapshot has no previous period: with a threshold, it is set against the benchmark.
Every figure quoted is in the Finding's ``figures``.
"""
from __future__ import annotations

from engine.months import month_label, month_number
from engine.report import CLOSE_TO_TARGET, MET, NOT_MET, Finding, Kpi

TOPIC = "measure"  # a measured KPI's level, threshold and change in one sentence
HIGHER_BANDS = {"Very Significantly High", "Significantly High"}
LOWER_BANDS = {"Very Significantly Low", "Significantly Low"}


def period_words(period_end: str) -> str:
    """"in the 12 months to September 2022"."""
    return f"in the 12 months to {month_label(month_number(period_end), long=True)}"


def _when(kpi: Kpi, period_end: str) -> str:
    if kpi.current_period is None:
        return period_words(period_end)
    if kpi.previous_period is None and kpi.previous is None:
        return "in the latest snapshot"
    return f"in {kpi.current_period}"


def _figure(kpi: Kpi, value: float) -> str:
    if kpi.value_format == "percent":
        return f"{value:.1%}"
    if kpi.value_format == "rate":
        return f"{value:,.1f} per {kpi.rate_per:,} residents"
    return f"{value:,}"


def _level(kpi: Kpi, when: str) -> str:
    if kpi.value_format == "percent":
        counts = f" ({kpi.numerator:,} of {kpi.denominator:,})" if kpi.numerator is not None else ""
        return f"{kpi.name} were {kpi.current:.1%} of {kpi.unit}{counts} {when}"
    unit = "" if kpi.value_format == "rate" else f" {kpi.unit}"
    return f"{kpi.name}: {_figure(kpi, kpi.current)}{unit} {when}"


def _threshold(kpi: Kpi, figures: dict[str, float]) -> str:
    """", above the 40% threshold (not met)": for proportions whose spec sets a target."""
    if kpi.target_value is None or kpi.value_format != "percent" or kpi.rate is None:
        return ""
    figures["threshold"] = kpi.target_value
    relation = "above" if kpi.rate > kpi.target_value else "below" if kpi.rate < kpi.target_value else "at"
    status = f" ({kpi.target_status.lower()})" if kpi.target_status in (MET, CLOSE_TO_TARGET, NOT_MET) else ""
    return f", {relation} the {kpi.target_value:.0%} threshold{status}"


def _change(kpi: Kpi, figures: dict[str, float]) -> str:
    """The change clause, by the test: increase / reduction only when significant."""
    if kpi.previous is None or kpi.change is None:
        return ""
    figures["previous"] = kpi.previous
    then = kpi.compared_with or "the previous 12 months"
    if kpi.value_format == "percent":
        if kpi.change_code == 0:
            return f", no significant change from {kpi.previous:.1%} in {then}"
        word = "increase" if kpi.change_code > 0 else "reduction"
        return f", a significant {word} from {kpi.previous:.1%} in {then}"
    previous = f"{kpi.previous:,.1f}" if kpi.value_format == "rate" else f"{kpi.previous:,}"
    if kpi.change_code == 0:
        return f", no significant change on {then} ({previous})"
    word = "increase" if kpi.change_code > 0 else "reduction"
    if kpi.percent_change is None:
        return f", an {word} on {then} (none)" if word == "increase" else f", a {word} on {then} ({previous})"
    figures["percent_change"] = kpi.percent_change
    return f", a {abs(kpi.percent_change):.0%} {word} on {then} ({previous})"


def _against_benchmark(kpi: Kpi, benchmark: str, figures: dict[str, float]) -> str:
    """For a snapshot: ", not significantly different from 13.6% across Leicestershire"."""
    if kpi.previous is not None or kpi.band is None:
        return ""
    figures["benchmark"] = kpi.benchmark_rate
    relation = ("significantly higher than" if kpi.band in HIGHER_BANDS else
                "significantly lower than" if kpi.band in LOWER_BANDS else "not significantly different from")
    return f", {relation} {_figure(kpi, kpi.benchmark_rate)} across {benchmark}"


def measure_sentence(kpi: Kpi, period_end: str, benchmark: str) -> Finding | None:
    """One measured KPI in a sentence; None when its current figure is unknown (suppressed at source), or when
    it is a snapshot with no threshold (nothing to report beyond the Summary's row and the Profiles sheet)."""
    if kpi.current is None or (kpi.previous is None and kpi.target_value is None):
        return None
    figures: dict[str, float] = {"current": kpi.current}
    if kpi.numerator is not None:
        figures.update(numerator=kpi.numerator, denominator=kpi.denominator or 0)
    text = (_level(kpi, _when(kpi, period_end)) + _threshold(kpi, figures) + _change(kpi, figures)
            + _against_benchmark(kpi, benchmark, figures) + ".")
    return Finding(TOPIC, text[0].upper() + text[1:], figures)
