"""Checks on the validated spec that need its settings resolved (an indicator's banding is its own or the
spec's): methods the data could never support, found before any data is read.

Each used to surface during computation, after every source had been read, and without a line:
banding by the spread of small-area rates (``sd``) for figures that have no small areas, rolling
monthly windows or a month-of-year profile over a quarterly or annual return, a map of figures
with no small areas, comparison with a most similar group the spec does not read, a dashboard
banded by ``sd``, a label with an unknown placeholder. They need only the spec, so they are spec mistakes, reported with the rest.
"""
from __future__ import annotations

import string
from typing import Iterator

from engine.errors import Problem
from engine.months import month_number
from engine.spec.models import Indicator, Source, Spec
from engine.suggest import did_you_mean
from engine.vocabulary.periods import PERIOD_MONTHS

KeyPath = tuple[str | int, ...]
MONTH = "month"
SMALL_AREA_CODE = "small_area_code"
#: What ``periods.financial_year.label`` may name (engine.indicators.periods fills them in).
YEAR_LABEL_FIELDS = ("start_year", "end_year", "short_end_year")


def method_problems(spec: Spec) -> Iterator[tuple[KeyPath, str]]:
    """Yield ``(key_path, message)`` for every method the spec asks of data that cannot support it."""
    for position, indicator in enumerate(spec.indicators):
        yield from _banding_problems(spec, position, indicator)
        yield from _compare_problems(spec, position, indicator)
    yield from _seasonality_problems(spec)
    yield from _map_problems(spec)
    yield from _comparison_area_problems(spec)
    yield from _dashboard_problems(spec)
    yield from _label_problems(spec.periods.financial_year.label, ("periods", "financial_year", "label"),
                               YEAR_LABEL_FIELDS)


def period_end_argument_problems(period_end: str | None, spec_file: str) -> list[Problem]:
    """``--period-end`` (the CLI's, or ``prepare(period_end=...)``) must be YYYY-MM or latest; whether the data
    reaches it is known only once the data is read."""
    if period_end is None or period_end == "latest":
        return []
    try:
        month_number(period_end)
    except ValueError:
        return [Problem(f"period end must be YYYY-MM, not {period_end!r}", file=spec_file, key_path="--period-end")]
    return []


def records_small_areas(source: Source) -> bool:
    """A police.uk folder, or a table mapping a column to small_area_code: its rows can be placed in small areas."""
    return source.type == "police_uk" or any(c.name == SMALL_AREA_CODE for c in source.tidy_columns())


def period_months(source: Source) -> int:
    """How many months each of the source's periods covers (1 for monthly data and for a police.uk folder)."""
    month = next((c for c in source.tidy_columns() if c.name == MONTH), None) if source.type != "police_uk" else None
    return PERIOD_MONTHS.get(month.type, 1) if month is not None else 1


def _banding_at(position: int, indicator: Indicator) -> KeyPath:
    """Where the indicator's banding method is set: its own banding, else the spec's."""
    return ("indicators", position, "banding", "method") if indicator.banding is not None else ("banding", "method")


def _banding_problems(spec: Spec, position: int, indicator: Indicator) -> Iterator[tuple[KeyPath, str]]:
    if spec.banding_for(indicator).method != "sd" or indicator.source not in spec.sources:
        return
    label = spec.geography.partner_areas.label.lower()
    small = spec.geography.small_areas.label
    inherited = "" if indicator.banding is not None else f" (give indicator {indicator.id!r} banding: {{method: ci}})"
    if indicator.measure is not None:
        yield _banding_at(position, indicator), (
            f"indicator {indicator.id!r} has a measure block and is reported by {label}, so it cannot be banded by "
            f"the spread of {small} rates: use banding method ci{inherited}")
    elif not records_small_areas(spec.sources[indicator.source]):
        yield _banding_at(position, indicator), (
            f"indicator {indicator.id!r} counts a source that records only the {label}, so it cannot be banded by "
            f"the spread of {small} rates: use banding method ci{inherited}")


def _compare_problems(spec: Spec, position: int, indicator: Indicator) -> Iterator[tuple[KeyPath, str]]:
    measure = indicator.measure
    if measure is None or measure.compare != "rolling" or indicator.source not in spec.sources:
        return
    months = period_months(spec.sources[indicator.source])
    if months != 1:
        yield ("indicators", position, "measure", "compare"), (
            f"indicator {indicator.id!r} reads source {indicator.source!r}, whose periods are {months} months long, "
            "so rolling monthly windows cannot be formed: use compare: previous_period")


def _seasonality_problems(spec: Spec) -> Iterator[tuple[KeyPath, str]]:
    """The seasonal profile lays counts out by month of the year: a source whose rows are quarters or years has
    no month of the year to show."""
    if spec.seasonality is None:
        return
    sources = {i.id: i.source for i in spec.indicators}
    for position, indicator_id in enumerate(spec.seasonality.indicators):
        source = sources.get(indicator_id)
        if source not in spec.sources:  # an unknown indicator or source is reported by engine.spec.checks
            continue
        months = period_months(spec.sources[source])
        if months != 1:
            yield ("seasonality", "indicators", position), (
                f"indicator {indicator_id!r} reads source {source!r}, whose periods are {months} months long, so it "
                "has no month of the year to show: leave it out of seasonality")


def _map_problems(spec: Spec) -> Iterator[tuple[KeyPath, str]]:
    """A map shades small areas: a counted indicator whose source records only the partner area has nothing to
    shade. (A measured indicator in maps is refused by :mod:`engine.spec.checks`.)"""
    if spec.maps is None:
        return
    counted = {i.id: i.source for i in spec.indicators if i.measure is None}
    label = spec.geography.partner_areas.label.lower()
    for position, indicator_id in enumerate(spec.maps.indicators):
        source = counted.get(indicator_id)
        if source in spec.sources and not records_small_areas(spec.sources[source]):
            yield ("maps", "indicators", position), (
                f"indicator {indicator_id!r} counts a source that records only the {label}, so it has no "
                "small-area figures to map: leave it out of maps.indicators")


def _comparison_area_problems(spec: Spec) -> Iterator[tuple[KeyPath, str]]:
    """Comparing with the most similar group needs the spec's most-similar-groups export."""
    rule = spec.comparison_areas
    if rule is not None and rule.peer_group and spec.peer_groups is None:
        yield ("comparison_areas", "peer_group"), ("comparison_areas.peer_group needs the spec's peer_groups (the most "
                                                   "similar groups export)")


def _dashboard_problems(spec: Spec) -> Iterator[tuple[KeyPath, str]]:
    """The dashboard bands its subject against the benchmark, and each member against the subject, by confidence
    intervals: a group of partner areas has no spread of small-area rates to band by."""
    if spec.dashboard is None:
        return
    for position, indicator in enumerate(spec.indicators):
        if spec.banding_for(indicator).method == "sd":
            yield _banding_at(position, indicator), (
                f"indicator {indicator.id!r} is banded by method sd, but a dashboard compares groups of "
                f"{spec.geography.partner_areas.label.lower()}s by confidence intervals: use banding method ci")


def _label_problems(label: str, here: KeyPath, fields: tuple[str, ...]) -> Iterator[tuple[KeyPath, str]]:
    """A label's ``{placeholders}`` must be ones the engine fills in (``{{`` and ``}}`` are literal braces)."""
    try:
        parsed = list(string.Formatter().parse(label))
    except ValueError as error:
        yield here, f"{label!r} is not a valid label: {error} (write {{{{ or }}}} for a literal brace)"
        return
    for _, name, format_spec, conversion in parsed:
        if name is None:
            continue
        if name not in fields:
            yield here, f"unknown placeholder {{{name}}} in {label!r}{did_you_mean(name, fields)}"
        elif format_spec or conversion:
            yield here, f"placeholder {{{name}}} in {label!r} takes no format or conversion"
