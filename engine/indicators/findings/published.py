"""Key findings for published tables (spec ``published:``): the partner's own figure beside the published one.

"Youth justice: North West Leicestershire had 42 children cautioned or sentenced in 2021/22, 41.7 per 10,000 aged
10-17, significantly higher than the published figure for England (25.0), at 95% confidence." The period is always
said, because the published table's periods (financial years) are not the report's rolling window. "Significantly" is said only when a test was run: the
partner's rate's confidence interval against the published figure taken as a fixed value (the Fingertips rule
the Summary's bands use). With no rate (no population named) the two figures are stated side by side and nothing
is compared. A figure hidden in a protected build is never quoted: the sentence takes the latest period whose own
figure is shown, and says so when none is.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.indicators.words import possessive
from engine.report import Finding

TOPIC = "published"
RELATIONS = {1: "significantly higher than", -1: "significantly lower than", 0: "not significantly different from"}


@dataclass(frozen=True)
class PublishedFigures:
    """What one partner area's sentence quotes, chosen by :mod:`engine.indicators.published`."""

    heading: str  # the table's section, else its title: "Youth justice"; "" when the sentence is listed under it
    area: str  # the partner area
    measure: str  # the published figures' measure: "Rate per 10,000 aged 10-17"
    count_label: str  # "Children cautioned or sentenced"; "" when the table has no own figure
    period: str  # the period quoted: the latest whose own figure is shown (or, with none, the latest published)
    count: float | None  # the partner's own count in ``period``; None when not shown
    rate: float | None  # its rate; None when not shown or not given
    comparator: str  # the first published area with a figure in ``period``: "England"
    comparator_value: float | None
    decimals: int
    significance: int | None  # +1 / -1 / 0 by the test; None when no test was run
    level: float = 0.95  # the confidence level of that test


def _lower_first(text: str) -> str:
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _per(measure: str) -> str:
    """"Rate per 10,000 aged 10-17" -> "per 10,000 aged 10-17"; any other measure is named in brackets."""
    return measure[5:] if measure.lower().startswith("rate per ") else f"({_lower_first(measure)})"


def published_sentence(f: PublishedFigures) -> Finding:
    """One sentence per published table and partner area, stating the period and both figures."""
    lead = f"{f.heading}: " if f.heading else ""
    number = f"{{:,.{f.decimals}f}}"
    published = "" if f.comparator_value is None else number.format(f.comparator_value)
    figures: dict[str, float] = {}
    if f.comparator_value is not None:
        figures["published"] = f.comparator_value
    if f.count is None:
        if not f.count_label:
            text = (f"{lead}{possessive(f.comparator)} {_lower_first(f.measure)} was {published} in {f.period}, "
                    f"as published.")
        else:
            text = (f"{lead}{possessive(f.area)} own figure cannot be shown for any period of the table (its extract "
                    f"does not cover one whole, or the figures are hidden to protect small numbers); "
                    f"{possessive(f.comparator)} {_lower_first(f.measure)} was {published or 'not published'} in {f.period}.")
        return Finding(TOPIC, text, figures)
    figures["count"] = f.count
    text = f"{lead}{f.area} had {f.count:,.0f} {_lower_first(f.count_label)} in {f.period}"
    if f.rate is None:
        text += (f"; {possessive(f.comparator)} {_lower_first(f.measure)} was {published}, as published (no rate is "
                 f"given for {f.area}, so the two are not compared)." if published else ".")
        return Finding(TOPIC, text, figures)
    figures["rate"] = f.rate
    text += f", {number.format(f.rate)} {_per(f.measure)}"
    if not published:
        return Finding(TOPIC, text + f" ({f.comparator} has no published figure for {f.period}).", figures)
    if f.significance is None:
        return Finding(TOPIC, text + f", against {published} in {f.comparator}.", figures)
    figures["significance"] = f.significance
    return Finding(TOPIC, text + f", {RELATIONS[f.significance]} the published figure for {f.comparator} "
                                 f"({published}), at {f.level:.0%} confidence.", figures)
