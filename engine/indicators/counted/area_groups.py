"""Who is affected: each indicator's rate by a characteristic of the small areas, for every partner area.

The seeds conclude that "more deprived communities are more likely to be a victim of crime" and
name the area type "most affected by crime". Both are rates by group: the events in the current
window in a group's small areas ÷ their residents. Everything is computed for all partner areas
and groups at once (one ``bincount`` per quantity), then sliced per partner, like the rest of
:mod:`engine.indicators.compute`. Intervals come from :mod:`engine.stats`; nothing here writes a
sentence (see :mod:`engine.indicators.findings.area_groups`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.errors import Problem, SpecError
from engine.ingest import Inputs
from engine.ingest.area_groups import SmallAreaGroups, group_key
from engine.report import AreaGroupRow, AreaGroupTable, GroupRatio, MethodNote
from engine.spec.models import AreaGroup, Spec
from engine.stats import rate_limits, rate_ratio, rates


@dataclass(frozen=True)
class _Sums:
    """Per (partner area, group) sums of one area group, and the benchmark's per group."""

    small_areas: np.ndarray  # [partner, group]
    population: np.ndarray
    in_benchmark: np.ndarray  # bool [partner]: the partner areas the benchmark sums

    @property
    def benchmark_small_areas(self) -> np.ndarray:
        return self.small_areas[self.in_benchmark].sum(axis=0)

    @property
    def benchmark_population(self) -> np.ndarray:
        return self.population[self.in_benchmark].sum(axis=0)


def _by_partner_and_group(values: np.ndarray, grouped: SmallAreaGroups, partner_of: np.ndarray,
                          n_partners: int) -> np.ndarray:
    """Sum a per-small-area quantity into [partner, group] cells (small areas in no group left out)."""
    placed = grouped.of_small_area >= 0
    n_groups = len(grouped.labels)
    cells = partner_of[placed] * n_groups + grouped.of_small_area[placed]
    return np.bincount(cells, weights=values[placed], minlength=n_partners * n_groups).reshape(n_partners, n_groups)


def _optional(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _rates_and_limits(counts: np.ndarray, population: np.ndarray, level: float, per: int
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rates and limits (engine.stats), NaN where a group has no residents."""
    denominators = np.where(population > 0, population, np.nan)
    lower, upper = rate_limits(counts, denominators, level, per)
    return rates(counts, denominators, per), lower, upper


def _contrast_positions(position: int, group: AreaGroup, grouped: SmallAreaGroups) -> tuple[int, int] | None:
    """Positions of the compared groups among the groups read; an unknown one is a spec error."""
    if group.compare is None:
        return None
    keys = [group_key(label) for label in grouped.labels]
    found = []
    for side in ("high", "low"):
        key = group_key(getattr(group.compare, side))
        if key not in keys:
            raise SpecError(Problem(f"{key!r} is not among the groups of {grouped.description} "
                                    f"({', '.join(map(str, grouped.labels))})",
                                    key_path=f"area_groups[{position}].compare.{side}"))
        found.append(keys.index(key))
    return found[0], found[1]


def _ratios(counts: np.ndarray, population: np.ndarray, pair: tuple[int, int], level: float, per: int
            ) -> tuple[np.ndarray, ...]:
    """Rate ratio of the pair's groups along the last axis: (high rate, low rate, ratio, lower, upper, p)."""
    high, low = pair
    denominators = np.where(population > 0, population, np.nan)
    result = rate_ratio(counts[..., high], denominators[..., high], counts[..., low], denominators[..., low], level)
    high_rate = rates(counts[..., high], denominators[..., high], per)
    low_rate = rates(counts[..., low], denominators[..., low], per)
    return high_rate, low_rate, result.ratio, result.lower, result.upper, result.p_value


def _ratio(area: str, labels: list, pair: tuple[int, int], values: tuple[np.ndarray, ...], index: tuple) -> GroupRatio:
    high_rate, low_rate, ratio, lower, upper, p_value = (_optional(v[index]) for v in values)
    return GroupRatio(area, labels[pair[0]], labels[pair[1]], high_rate, low_rate, ratio, lower, upper, p_value)


def _ungrouped_words(grouped: SmallAreaGroups, partner_of: np.ndarray, population: np.ndarray, counts: np.ndarray,
                     p: int, small_area_label: str, unit: str) -> str:
    """"2 LSOAs (3,104 residents, 57 crimes) are in no group …" for one partner area, or ""."""
    missing = (grouped.of_small_area < 0) & (partner_of == p)
    if not missing.any():
        return ""
    n = int(missing.sum())
    return (f"{n:,} {small_area_label}{'s are' if n != 1 else ' is'} in no group ({population[missing].sum():,.0f} "
            f"residents, {int(counts[missing].sum()):,} {unit}): {grouped.description} does not list "
            f"{'them' if n != 1 else 'it'} (see Data Quality).")


def area_group_tables(spec: Spec, inputs: Inputs, current: dict[str, np.ndarray], partner_rates: dict[str, np.ndarray],
                      benchmark_rates: dict[str, float]) -> list[list[AreaGroupTable]]:
    """Every partner area's tables (area group × indicator, spec order).

    ``current`` holds each indicator's current-window count per small area; ``partner_rates`` and
    ``benchmark_rates`` the overall rates the tables are read against.
    """
    geo = inputs.geography
    n_partners = len(geo.partner_names)
    partner_of = geo.small_area_partner
    tables: list[list[AreaGroupTable]] = [[] for _ in range(n_partners)]
    for position, group in enumerate(spec.area_groups):
        grouped = inputs.area_groups[group.id]
        pair = _contrast_positions(position, group, grouped)
        sums = _Sums(_by_partner_and_group(np.ones(len(partner_of)), grouped, partner_of, n_partners).astype(np.int64),
                     _by_partner_and_group(geo.small_area_population, grouped, partner_of, n_partners),
                     geo.in_benchmark)
        for indicator_id in group.indicators:
            indicator = spec.indicator(indicator_id)
            per = indicator.rate_per
            counts = np.rint(_by_partner_and_group(current[indicator_id].astype(float), grouped, partner_of,
                                                   n_partners)).astype(np.int64)
            bench_counts = counts[geo.in_benchmark].sum(axis=0)
            rate, lower, upper = _rates_and_limits(counts, sums.population, group.level, per)
            b_rate, b_lower, b_upper = _rates_and_limits(bench_counts, sums.benchmark_population, group.level, per)
            if pair is not None:
                area_ratios = _ratios(counts, sums.population, pair, group.level, per)
                bench_ratios = _ratios(bench_counts, sums.benchmark_population, pair, group.level, per)
            for p in range(n_partners):
                rows = [AreaGroupRow(label, int(sums.small_areas[p, g]), float(sums.population[p, g]), int(counts[p, g]),
                                     _optional(rate[p, g]), _optional(lower[p, g]), _optional(upper[p, g]),
                                     int(sums.benchmark_small_areas[g]), float(sums.benchmark_population[g]),
                                     int(bench_counts[g]), _optional(b_rate[g]), _optional(b_lower[g]),
                                     _optional(b_upper[g]))
                        for g, label in enumerate(grouped.labels)]
                ratios = [] if pair is None else [
                    _ratio(str(geo.partner_names[p]), grouped.labels, pair, area_ratios, (p,)),
                    _ratio(geo.benchmark_name, grouped.labels, pair, bench_ratios, ())]
                tables[p].append(AreaGroupTable(
                    group.id, group.title, group.label, indicator.id, indicator.name, indicator.unit, per, group.level,
                    rows, float(partner_rates[indicator_id][p]), benchmark_rates[indicator_id], ratios, group.note,
                    _ungrouped_words(grouped, partner_of, geo.small_area_population, current[indicator_id], p,
                                     geo.small_area_label, indicator.unit)))
    return tables


def area_group_notes(spec: Spec, inputs: Inputs) -> list[MethodNote]:
    """The Methodology sheet's words for each area group: where the groups come from and how rates compare."""
    geo = inputs.geography
    notes = []
    for group in spec.area_groups:
        grouped = inputs.area_groups[group.id]
        level = f"{group.level:.0%}"
        text = (f"{group.label}: each {geo.small_area_label}'s group is read from {grouped.description} (column "
                f"{group.column!r}). A group's rate is the events in its {geo.small_area_label}s in the current window ÷ "
                f"their residents × the indicator's multiplier, for the {geo.partner_label.lower()} and for "
                f"{geo.benchmark_name}; {level} confidence intervals use Byar's method (exact Poisson below 10 events).")
        if group.compare is not None:
            text += (f" The rate ratio of group {group.compare.high} to group {group.compare.low} has an exact {level} "
                     f"interval (Clopper–Pearson limits on the first group's share of the two groups' events, as R's "
                     f"poisson.test); the groups' rates are called different only when it excludes 1.")
        if grouped.missing:
            text += (f" {len(grouped.missing):,} {geo.small_area_label}s are in no group (not in {grouped.description}): "
                     f"{', '.join(grouped.missing[:10])}{' …' if len(grouped.missing) > 10 else ''}.")
        if group.note:
            text += f" {group.note}"
        notes.append(MethodNote(f"Who is affected: {group.title}", text))
    return notes
