"""Breakdown tables as part of a protected build's disclosure problem.

A breakdown of a sensitive indicator's source splits the same events the indicator counts: each figure
(a category's count, the base of its percentage, and the benchmark's two) is a sum over the rows it
counts in its window, and those rows are kinds of event (:func:`engine.indicators.disclosure.event_kinds`)
like the indicators' own. So each figure joins the disclosure problem as its own key, written over the
same underlying counts as the KPIs, months and quarters, and protection chooses what to hide across every
cut together. What this module decides is which breakdowns can be written that way, what each figure's
rows are, and how a table reads once its hidden figures are taken out.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from engine.indicators.disclosure import LINK, BreakdownCells, Key
from engine.indicators.periods import Window
from engine.indicators.profiles.breakdowns import breakdown_cell_masks
from engine.ingest import SourceRows
from engine.report import Breakdown
from engine.spec.models import BreakdownSpec, Spec

COUNT, BASE, BENCHMARK, BENCHMARK_BASE = "breakdown", "breakdown_base", "breakdown_benchmark", "breakdown_benchmark_base"

# Why a breakdown of a sensitive indicator's source is left out of a protected workbook (completing "… because").
HIDDEN_SOURCE = ("its source has hidden figures in this workbook and the check does not cover this table's "
                 "categories")


@dataclass(frozen=True)
class CheckedBreakdown:
    """A breakdown the disclosure check covers: its figures' rows (masks over its source's rows, by name for
    :func:`engine.indicators.disclosure.event_kinds`) and its window as month offsets from the first month counted."""

    spec: BreakdownSpec
    position: int  # in spec.breakdowns
    masks: dict[str, np.ndarray]  # member name -> rows
    names: list[tuple[str, str]]  # per figure: (count rows' name, base rows' name)
    first: int  # the window's months (month numbers)
    last: int


def _member(breakdown_id: str, figure: int, part: str) -> str:
    return f"breakdown:{breakdown_id}:{figure}:{part}"


def checked_breakdowns(spec: Spec, sources: dict[str, SourceRows], partner_of_small_area: np.ndarray,
                       windows: list[Window | None], end: int) -> tuple[list[CheckedBreakdown], dict[int, str]]:
    """The breakdowns of sensitive indicators' sources that a protected build keeps, and (by position in
    ``spec.breakdowns``) why any other of those sources is left out: none is, today, so the mapping is empty; it stays
    for a cut the check cannot write as sums of counted events.

    A ``partner_areas`` layout shows every partner area's figures: each is that partner's own (the same rows as its
    categories), checked in its own problem and shown with its status in every workbook; the benchmark's are shared
    totals (:mod:`engine.indicators.cross_partner`). An undated snapshot's rows have no month: they are given the last
    month counted, a slot of their own since no indicator counts the source's kinds of event by month, so its figures
    form a problem (group) of their own, tied to whatever else shows the same rows. (No spec reaches this today: a
    counted indicator's source needs a month column, and a measured indicator cannot be sensitive; it is kept so
    that allowing either cannot silently publish a snapshot's small counts.) A window reaching past the last
    month counted is kept: its later months are unknowns of their own, which no other figure of the workbook sums."""
    sensitive = {i.source for i in spec.indicators if spec.suppression_for(i) is not None}
    checked: list[CheckedBreakdown] = []
    left_out: dict[int, str] = {}
    for position, (b, window) in enumerate(zip(spec.breakdowns, windows)):
        source = sources[b.source]
        if b.source not in sensitive:
            continue
        cells = breakdown_cell_masks(b, source, partner_of_small_area, window)
        kept = np.zeros(len(source.month), dtype=bool)
        for count, base in cells:
            kept |= count | base
        months = source.month[kept]
        if not source.dated:
            first = last = end
        elif window is not None:
            first, last = window.first, window.last
        elif months.size:
            first, last = int(months.min()), int(months.max())
        else:
            first = last = end
        masks, names = {}, []
        for figure, (count, base) in enumerate(cells):
            names.append((_member(b.id, figure, "count"), _member(b.id, figure, "base")))
            masks[names[-1][0]], masks[names[-1][1]] = count, base
        checked.append(CheckedBreakdown(b, position, masks, names, first, last))
    return checked, left_out


def figure_rules(checked: list[CheckedBreakdown], rules: dict[str, tuple[int, bool]],
                 members: dict[str, np.ndarray]) -> dict[str, tuple[int, bool]]:
    """Each figure's rows (by member name) that count any event a sensitive indicator counts, with the strictest of
    those indicators' rules: the same for every partner area, so worked out once."""
    sensitive = [(members[i], rule) for i, rule in rules.items()]
    found: dict[str, tuple[int, bool]] = {}
    for b in checked:
        for name in b.masks:
            hits = [rule for kinds, rule in sensitive if np.intersect1d(kinds, members[name]).size]
            if hits:
                found[name] = (max(r[0] for r in hits), any(r[1] for r in hits))
    return found


def _own_rows(b: CheckedBreakdown, table: Breakdown, p: int, n_partners: int) -> list:
    """Partner ``p``'s row of each figure: the table's rows, or in a ``partner_areas`` layout (a row per figure and
    partner area) its own."""
    if b.spec.layout == "partner_areas":
        return [table.rows[figure * n_partners + p] for figure in range(len(b.names))]
    return list(table.rows)


def partner_cells(checked: list[CheckedBreakdown], tables: list[Breakdown], rules: dict[str, tuple[int, bool]],
                  first_month: int, p: int, n_partners: int) -> BreakdownCells:
    """Partner ``p``'s own breakdown figures (``tables``: its Breakdown for each of ``checked``) as disclosure keys:
    each figure's count and the base of its percentage. The benchmark's are shared totals of every partner's
    (:mod:`engine.indicators.cross_partner`); ``rules``: :func:`figure_rules`."""
    values: dict[Key, float] = {}
    names: dict[Key, str] = {}
    cell_rules: dict[Key, tuple[int, bool]] = {}
    months = {}
    for b, table in zip(checked, tables):
        months[b.spec.id] = range(b.first - first_month, b.last - first_month + 1)
        for figure, (row, (count, base)) in enumerate(zip(_own_rows(b, table, p, n_partners), b.names)):
            for kind, value, name in ((COUNT, row.count, count), (BASE, row.base, base)):
                key = (kind, b.spec.id, figure)
                values[key], names[key] = float(value), name
                if name in rules:
                    cell_rules[key] = rules[name]
    return BreakdownCells(values, names, months, cell_rules)


def earliest_offset(checked: list[CheckedBreakdown], first_month: int) -> int:
    """How many months before the first month counted the breakdowns' windows reach (0 when none do)."""
    return max([first_month - b.first for b in checked] + [0])


def latest_offset(checked: list[CheckedBreakdown], end: int) -> int:
    """How many months after the last month counted (``end``) the breakdowns' windows reach (0 when none do)."""
    return max([b.last - end for b in checked] + [0])


def shown_breakdown(table: Breakdown, hidden: set[Key], others: list[set[Key]] | None = None) -> Breakdown:
    """The table as the partner sees it: a hidden count takes its percentage, difference, ▲/▼ and significance
    with it; a hidden base takes the percentage (a shown count and percentage give the base back); the
    benchmark's likewise (``(LINK, …)`` in ``hidden``: hidden when any partner area's summand is). Hidden figures are None and listed, so the
    sheet writes the word and no sentence quotes the table. ``others``: every partner area's hidden keys, for a
    ``partner_areas`` layout, whose rows (figure by partner area) show each partner's figure with its own status."""
    i = table.breakdown_id
    n = len(others) if table.layout == "partner_areas" and others else 1
    rows, cells = [], []
    for position, row in enumerate(table.rows):
        figure, own = (position // n, others[position % n]) if n > 1 else (position, hidden)
        count, base = (COUNT, i, figure) in own, (BASE, i, figure) in own
        bench, bench_base = (LINK, BENCHMARK, i, figure) in hidden, (LINK, BENCHMARK_BASE, i, figure) in hidden
        if not (count or base or bench or bench_base):
            rows.append(row)
            continue
        cells.append(position)
        gone = {"count"} if count else set()
        gone |= {"base"} if base else set()
        gone |= {"percent"} if count or base else set()
        gone |= {"benchmark_count"} if bench else set()
        gone |= {"benchmark_base"} if bench_base else set()
        gone |= {"benchmark_percent"} if bench or bench_base else set()
        gone |= {"difference", "flag", "significance"}  # a comparison of a hidden share would narrow it down
        rows.append(dataclasses.replace(row, suppressed=frozenset(gone),
                                        **{name: None for name in gone if name not in ("flag", "significance")},
                                        flag="", significance=""))
    if not cells:
        return table
    return dataclasses.replace(table, rows=rows, hidden=tuple(cells))
