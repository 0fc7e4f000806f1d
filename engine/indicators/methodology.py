"""The Methodology sheet's notes: sources, vintages, definitions and methods, in words."""
from __future__ import annotations

from typing import Any, Callable, Hashable

from engine.indicators.counted.seasonality import seasonality_note
from engine.indicators.targets import target_note
from engine.indicators.counted.area_groups import area_group_notes
from engine.indicators.profiles.breakdowns import profile_method_notes
from engine.indicators.describe import (describe_banding, describe_change, describe_indicator,
                                        describe_measure_methods, describe_peers, describe_suppression)
from engine.indicators.measured.measures import counted_spec, measured
from engine.indicators.counted.peer_groups import peer_group_note
from engine.indicators.periods import ReportPeriods
from engine.indicators.measured.missing_cells import absent_rows_are_missing
from engine.ingest import PARTNER_AREA, Inputs
from engine.ingest.geography import Geography
from engine.months import MONTH_NAMES, month_text
from engine.report import MethodNote
from engine.spec.labels import source_description, source_title
from engine.spec.models import Indicator, Spec


def benchmark_words(geo: Geography) -> str:
    """What the benchmark is made of, in a sentence: all partner areas, or the spec's subset and who is outside it."""
    if geo.in_benchmark.all():
        return f"the benchmark, {geo.benchmark_name}, is all of them together."
    inside = [str(n) for n, member in zip(geo.partner_names, geo.in_benchmark) if member]
    outside = [str(n) for n, member in zip(geo.partner_names, geo.in_benchmark) if not member]
    return (f"the benchmark, {geo.benchmark_name}, is {_listed(inside)} together; {_listed(outside)} "
            f"{'is' if len(outside) == 1 else 'are'} compared with it but not part of it.")


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _grouped(spec: Spec, setting: Callable[[Indicator], Hashable]) -> list[tuple[Any, list[str]]]:
    """Indicators grouped by one of their statistics settings (banding, change test), spec order."""
    groups: dict[Hashable, list[str]] = {}
    for indicator in spec.indicators:
        groups.setdefault(setting(indicator), []).append(indicator.name)
    return list(groups.items())


def _used_by(names: list[str], spec: Spec) -> str:
    return "" if len(names) == len(spec.indicators) else f" Used for: {', '.join(names)}."


def _measure_notes(spec: Spec) -> list[MethodNote]:
    """How proportions, summed values and period-on-period comparisons are tested, per banding and change setting."""
    groups: dict[tuple, list[Indicator]] = {}
    for indicator in measured(spec):
        groups.setdefault((spec.banding_for(indicator).levels, spec.change_for(indicator)), []).append(indicator)
    return [MethodNote("Proportions, values and periods", describe_measure_methods(
        levels, change, any(i.measure.kind == "proportion" for i in group if i.measure),
        any(i.measure.kind != "proportion" for i in group if i.measure))
        + f" Used for: {', '.join(i.name for i in group)}.") for (levels, change), group in groups.items()]


SYNTHETIC_WORDS = "SYNTHETIC — generated for the demo; not real records"


def synthetic_note(spec: Spec) -> str | None:
    """The Summary's footnote naming the indicators counted from synthetic sources, or None if there are none."""
    names = [i.name for i in spec.indicators if spec.sources[i.source].synthetic]
    if not names:
        return None
    return (f"{SYNTHETIC_WORDS}: {', '.join(names)}. These figures show what the workbook does with such data and "
            f"must not be quoted as real (sources on the Methodology sheet).")


def missing_words(sources: list[str], partner: str) -> str:
    """The missing-is-not-zero rule in words, for the sources it applies to (by their titles)."""
    return (f"Missing is not zero. In {', '.join(sources)}, a {partner} with no row for a period, or whose row was "
            f"rejected for a bad value, has no figure for that period: any figure whose periods include it is shown "
            f"as n/a with the reason, and takes no band, rank, direction of travel or key finding; the other "
            f"{partner}s are ranked among themselves and the benchmark pools them only. Zero is only what a source "
            f"says is zero; in sources that list events (a row per crime or referral), no row means none.")


def methodology_notes(spec: Spec, inputs: Inputs, periods: ReportPeriods, suppress: bool = False) -> list[MethodNote]:
    geo = inputs.geography
    start = spec.periods.financial_year.start_month
    notes = [
        MethodNote("Period", f"Current: the {spec.periods.window_months} months {periods.current.label}. "
                             f"Compared with the {spec.periods.window_months} months before: {periods.previous.label}."),
        MethodNote("Financial years", f"Financial years run from {MONTH_NAMES[start]} to {MONTH_NAMES[(start + 10) % 12 + 1]}."),
    ]
    for name, source in inputs.sources.items():
        months = sorted(m for m in source.months_present if m >= 0)
        ending = "" if source.period_months == 1 else f"{source.period_word}s ending "
        span = f"{ending}{month_text(months[0])} to {month_text(months[-1])}" if months else "a snapshot (no month column)"
        level = f" Recorded by {geo.partner_label.lower()}, not {geo.small_area_label}." if source.level == PARTNER_AREA else ""
        files = f"{len(source.files)} file{'' if len(source.files) == 1 else 's'}"
        notes.append(MethodNote(f"Source: {source_title(spec, name)}",
                                (f"{SYNTHETIC_WORDS}. " if spec.sources[name].synthetic else "") +
                                f"{source_description(spec, name)}: {files}, {span}, "
                                f"{len(source.rows):,} rows.{level} {spec.sources[name].licence}".strip()))
    population_source = source_description(spec, spec.geography.population.source)
    notes += [
        MethodNote("Geography", f"{len(geo.small_area_codes):,} {geo.small_area_label}s in {len(geo.partner_names)} "
                                f"{geo.partner_label.lower()}s ({', '.join(geo.partner_names)}); "
                                f"{benchmark_words(geo)} Lookup: "
                                f"{source_description(spec, spec.geography.small_areas.source)}."),
        MethodNote("Population", f"{spec.geography.population.description or population_source}: "
                                 f"{geo.benchmark_population:,.0f} residents in {geo.benchmark_name}. Partner-area and "
                                 f"benchmark populations are the sums of their {geo.small_area_label} populations."),
        MethodNote("Rates", "Rate = count in the current window ÷ resident population × the indicator's multiplier "
                            "(per 1,000 residents unless stated)."),
    ]
    returns = list(dict.fromkeys(i.source for i in spec.indicators if i.measure is not None
                                 and absent_rows_are_missing(i, spec.sources[i.source])))
    if returns:
        notes.append(MethodNote("Missing data", missing_words([source_title(spec, name) for name in returns],
                                                              geo.partner_label.lower())))
    counted = counted_spec(spec)  # measured indicators' methods are described together, below
    for banding, names in _grouped(counted, spec.banding_for):
        topic = "Comparison bands" + (" (standard deviations)" if banding.method == "sd" else "")
        notes.append(MethodNote(topic, describe_banding(banding, geo.benchmark_name, geo.small_area_label,
                                                        geo.partner_label) + _used_by(names, counted)))
    notes += [
        MethodNote("Top areas", f"Each {geo.partner_label.lower()}'s {geo.small_area_label}s with at least one event, ranked "
                                f"by count (ties: higher rate first, then name) unless an indicator ranks by rate."),
    ]
    for change, names in _grouped(counted, spec.change_for):
        notes.append(MethodNote("Direction of travel", describe_change(change, spec.periods.window_months)
                                + _used_by(names, counted)))
    notes += _measure_notes(spec)
    notes += [note for note in (target_note(spec), seasonality_note(spec)) if note is not None]
    mapped = set(spec.peer_groups.measures) if spec.peer_groups and inputs.peer_table else set()
    within = [i.name for i in spec.indicators if i.id not in mapped or inputs.peer_table.missing_partners]
    if within:
        notes.append(MethodNote("Peer comparison", describe_peers(
            spec.peers, len(geo.partner_names), geo.partner_label,
            geo.benchmark_name if geo.in_benchmark.all() else None) + _used_by(within, spec)))
    if mapped:
        notes.append(peer_group_note(spec, inputs.peer_table, periods.end, geo.partner_label, len(geo.partner_names)))
    notes += profile_method_notes(spec.breakdowns, geo.partner_label, geo.benchmark_name)
    rules = [(i.name, rule) for i in spec.indicators if (rule := spec.suppression_for(i)) is not None]
    if rules:
        notes.append(MethodNote("Small numbers", describe_suppression(rules, suppress)))
    for indicator in spec.indicators:
        notes.append(MethodNote(f"Indicator: {indicator.name}", describe_indicator(indicator, spec)))
    notes += area_group_notes(spec, inputs)
    if spec.attribution:
        notes.append(MethodNote("Licence and attribution", spec.attribution))
    return notes
