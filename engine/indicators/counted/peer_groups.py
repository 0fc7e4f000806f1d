"""Each partner area against its own group of similar partnerships (a "most similar group" export).

The seeds quote iQuanta: "The CSP is ranked 13/15 and is currently performing in line with its
peers". For every indicator the spec maps to one of the export's measures, the partner area's
own rate (from its own data, as everywhere else in the workbook) is ranked among its group
members' rates (1 = the lowest rate; N counts the area itself), set against the peer average —
the pooled rate of its peers, their events over their population, as iQuanta's group average
— and called above, in line with or below it by the area's confidence interval (the same rule
as every other comparison). These replace the ranks among the spec's partner areas for the
mapped indicators; the rest keep them.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from engine.errors import DataError, Problem, SpecError
from engine.ingest.peer_table import PeerTable
from engine.months import month_label, month_text
from engine.report import AreaComparison, Kpi, MethodNote
from engine.spec.models import Spec
from engine.stats import PEER_LABELS, peer_ranks, pooled_rates, quartiles, rate_limits, rates, significance


@dataclass(frozen=True)
class PeerGroupResults:
    """One indicator in every partner area's group, arrays in partner order (rank 0: the area has no group)."""

    indicator_id: str
    label: str
    rank: np.ndarray
    size: np.ndarray  # members ranked, the area included
    quartile: np.ndarray
    average: np.ndarray  # the peers' pooled rate per the indicator's rate_per; NaN without a group
    code: np.ndarray  # +1 significantly above the peer average, −1 below, 0 in line


def check_period(table: PeerTable, period_end: int, window_months: int, report_window: int, spec_file: str) -> None:
    """The export must cover the report's window: a group ranked on another year's crime would mislead."""
    if window_months != report_window:
        raise SpecError(Problem(f"the export's counts cover {window_months} months but periods.window_months is "
                                f"{report_window}: rates over different windows cannot be ranked together",
                                file=spec_file, key_path="peer_groups.window_months"))
    wrong = np.flatnonzero(table.period_end != period_end)
    if wrong.size:
        first = int(wrong[0])
        found = table.period_end[first]
        shown = month_text(int(found)) if found >= 0 else "blank"
        raise DataError(Problem(
            f"the peer-group export is for the {window_months} months to {shown}, but the report's period ends "
            f"{month_text(period_end)}: use an export for the same period (or build with --period-end {shown})"
            if found >= 0 else "the peer-group export's period end is blank",
            file=str(table.path), sheet=table.sheet, row=int(table.rows[first]), column=table.period_column, value=shown))


def peer_group_results(spec: Spec, table: PeerTable, partner_current: dict[str, np.ndarray],
                       partner_population: np.ndarray, period_end: int, spec_file: str) -> dict[str, PeerGroupResults]:
    """Rank, quartile, peer average and comparison of every mapped indicator, for all partner areas at once."""
    groups = spec.peer_groups
    check_period(table, period_end, groups.window_months, spec.periods.window_months, spec_file)
    n_partners = len(partner_population)
    out = {}
    for indicator_id, measure in groups.measures.items():
        per = spec.indicator(indicator_id).rate_per
        usable = (table.measure == measure) & ~np.isnan(table.per_resident) & ~np.isnan(table.count)
        member_partner = table.partner[usable]
        grouped = np.flatnonzero(np.bincount(member_partner, minlength=n_partners) > 0)
        own_count = partner_current[indicator_id]
        own_rate = rates(own_count, partner_population, per)
        ranks, sizes = peer_ranks(np.concatenate([own_rate[grouped], table.per_resident[usable] * per]),
                                  np.concatenate([grouped, member_partner]))
        rank, size = np.zeros(n_partners, dtype=np.int64), np.zeros(n_partners, dtype=np.int64)
        rank[grouped], size[grouped] = ranks[:grouped.size], sizes[:grouped.size]
        pooled = pooled_rates(table.count[usable], table.population[usable], member_partner, per)
        average = np.full(n_partners, np.nan)
        average[member_partner] = pooled  # every row of a group carries the group's pooled rate
        lower, upper = rate_limits(own_count, partner_population, spec.peers.level, per)
        code = np.where(rank > 0, significance(lower, upper, np.nan_to_num(average)), 0)
        out[indicator_id] = PeerGroupResults(indicator_id, groups.label, rank, size, quartiles(rank, size), average, code)
    return out


def with_peer_group(kpi: Kpi, results: PeerGroupResults | None, p: int) -> Kpi:
    """The KPI ranked in the partner area's peer group, when the indicator is mapped and the area has a group."""
    if results is None or results.rank[p] == 0:
        return kpi
    return dataclasses.replace(
        kpi, peer_rank=int(results.rank[p]), peer_count=int(results.size[p]), peer_quartile=int(results.quartile[p]),
        peer_comparison=PEER_LABELS[int(results.code[p])], peer_group=results.label,
        peer_average=float(results.average[p]))


def with_peer_averages(comparisons: list[AreaComparison], results: dict[str, PeerGroupResults],
                       p: int) -> list[AreaComparison]:
    """The Comparisons charts' data for one partner area: its own peer average beside each charted indicator."""
    return [dataclasses.replace(c, peer_average=float(results[c.indicator_id].average[p]))
            if c.indicator_id in results and results[c.indicator_id].rank[p] else c for c in comparisons]


def peer_group_note(spec: Spec, table: PeerTable, period_end: int, partner_label: str, n_partners: int) -> MethodNote:
    """What the peer group is, where it comes from, and how rank, average and comparison are worked out."""
    groups = spec.peer_groups
    names = [spec.indicator(i).name for i in groups.measures]
    level = f"{spec.peers.level * 100:g}%"
    source = table.description or table.source
    text = (f"For {', '.join(names)}, each {partner_label.lower()}'s rate is ranked within its {groups.label}: 1 = "
            f"the lowest rate, shown as 'x/N' where N counts the {partner_label.lower()} itself; tied rates share a "
            f"rank; the quartile follows (1 = the lowest quarter). The group and its members' counts and populations "
            f"come from {source} ({table.path.name}, the {groups.window_months} months to "
            f"{month_label(period_end, long=True)}); the {partner_label.lower()}'s own rate is worked out from its own "
            f"data, as everywhere in this workbook. The peer average is the pooled rate of its peers, the sum of their "
            f"counts over the sum of their populations (as iQuanta's group average), not the mean of their rates; "
            f"members with no count are left out. 'Above' or 'Below the peer average' means the "
            f"{partner_label.lower()}'s {level} confidence interval lies entirely above or below the peer average; "
            f"otherwise 'In line with the peer average'.")
    if table.missing_partners:
        text += (f" The export has no group for {', '.join(table.missing_partners)}: ranked among the "
                 f"{n_partners} {partner_label.lower()}s instead.")
    return MethodNote("Peer groups", text)
