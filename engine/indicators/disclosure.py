"""Which numbers a partner's workbook must hide so that no small count of a sensitive indicator
can be read or worked out (small-number suppression across the whole workbook).

A workbook's numbers are related: a 12-month count is the sum of its months, a financial year's
cell too, a rolling quarter and a peak run of months too, a seasonal grid's cell is one month, the
Grand Total is the sum of the categories, a change is one count minus another,
"Serious acquisitive crime" is Burglary + Robbery + Vehicle crime. Each number is written as a
sum of unknown *atoms*, the partner area's events of one kind (rows passing the same set of
indicator filters) in one month; :func:`engine.indicators.protected_cuts.protect_cuts` then hides
whatever would let a hidden number be recovered, or narrowed to less than its threshold. The same
number shown twice (a month in the trend table, the monthly profile and a seasonal grid) has one
key, so it is hidden everywhere or nowhere.

Top 10 counts belong to single small areas. A reader cannot split the partner area's counts
between small areas, so each small area's counts form a separate problem, except where a Top 10
table lists every small area with an event (fewer than ten rows): then its rows add up to the
partner area's count, and those small areas join the partner-level problem.

Area groups (rates by a characteristic of the small areas, e.g. a deprivation decile) split the
partner area's current window by small area too, and a group's count less its listed Top 10 rows
bounds what is left. When a workbook shows them, every small area of the partner area gets its own
unknowns for the current window (merged where no number tells them apart), tied to the months by
one identity per kind of event: the small areas' events add up to the partner area's.

A partner area's problem holds its own figures only, wherever they are shown (its row of a breakdown laid out by
partner area, its count on another workbook's Comparisons sheet): each partner's events are its own, so the problems
are independent. The benchmark's figures, sums of the partner areas', are decided from them
(:mod:`engine.indicators.cross_partner`).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from engine.indicators.counted.seasonality import SeasonalCounts
from engine.indicators.protected_cuts import protect_cuts
from engine.report import AreaGroupTable, GroupRatio, IndicatorSeries, SeasonalTable
from engine.spec.models import Spec
from engine.stats.suppression import primary_suppression

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

#: A published number: ("current" | "previous" | "change", indicator), ("year", indicator, column),
#: ("month", indicator, month offset), ("year_total", column), ("month_total", month offset),
#: ("top", indicator, small area), ("quarter", indicator, quarter), ("peak", indicator, first offset, last offset),
#: ("group", indicator, area group id, group position; -1 for the small areas in no group).
#: Month offsets count from the first month of the rolling windows; seasonal grids reach earlier (negative).
Key = tuple
TOTAL_KINDS = ("year_total", "month_total")
#: A benchmark's figure, the sum of the partner areas' own: (LINK, what it sums, …); hidden in every workbook when any
#: partner area's summand is hidden in its own (:mod:`engine.indicators.cross_partner`).
LINK = "link"
BENCHMARK_RATE = "benchmark"  # (LINK, BENCHMARK_RATE, indicator): the benchmark's 12-month count, so its rate
BENCHMARK_GROUP = "benchmark_group"  # (LINK, BENCHMARK_GROUP, indicator, area group id, group position)


@dataclass(frozen=True)
class Layout:
    """The months (offsets from the first month counted) that each kind of number sums."""

    n_months: int
    current: range
    previous: range
    years: list[range]  # one per financial-year column of the trend table
    shown: range  # the months of the monthly trend table
    trend_rows: list[str]
    quarters: list[range] = field(default_factory=list)  # the series' rolling quarters
    before: int = 0  # months counted before offset 0 (the seasonal grids' earlier years)
    after: int = 0  # months after the last one counted that a breakdown's window still reaches


@dataclass(frozen=True)
class Signatures:
    """Kinds of event: the distinct sets of indicators a row counts towards, over all sources."""

    count: int
    members: dict[str, np.ndarray]  # indicator id -> the kinds it counts


@dataclass(frozen=True)
class SmallAreaGroups:
    """One partner area's small areas (global positions) and, per area group id, each one's group (-1: none)."""

    small_areas: np.ndarray
    group_of: dict[str, np.ndarray]


def event_kinds(spec: Spec, masks: dict[str, np.ndarray],
                extra: dict[str, tuple[str, np.ndarray]] | None = None) -> Signatures:
    """Group each source's rows by which indicators count them (``masks``: indicator id -> rows it
    counts) and, with ``extra`` (name -> (source, rows)), which breakdown figures count them; every group
    is one kind of event.

    Only kinds present in the data are used: treating an absent kind as known to be zero makes
    more numbers derivable, never fewer, so the protection errs on the safe side.
    """
    extra = extra or {}
    members: dict[str, np.ndarray] = {}
    offset = 0
    sources = dict.fromkeys([i.source for i in spec.indicators] + [source for source, _ in extra.values()])
    for name in sources:
        ids = [i.id for i in spec.indicators if i.source == name] + [e for e, (source, _) in extra.items()
                                                                      if source == name]
        bits = np.stack([masks[i] if i in masks else extra[i][1] for i in ids], axis=1).astype(bool)
        # Each row's filters packed into bytes, the distinct byte strings found at once: far faster than unique rows.
        packed = np.ascontiguousarray(np.packbits(bits, axis=1))
        codes = np.unique(packed.view(np.dtype((np.void, packed.shape[1]))).ravel())
        table = np.unpackbits(codes.view(np.uint8).reshape(codes.size, packed.shape[1]), axis=1,
                              count=len(ids)).astype(bool)
        for column, member in enumerate(ids):
            members[member] = offset + np.flatnonzero(table[:, column])
        offset += table.shape[0]
    return Signatures(offset, members)


@dataclass(frozen=True)
class BreakdownCells:
    """One partner's breakdown figures as numbers of the disclosure problem.

    ``values``: ("breakdown" | "breakdown_base", breakdown id, figure) -> value: a figure's count and the base of its
    percentage (a shown count and percentage give the base back), the partner area's own (the benchmark's are sums of
    every partner area's: :mod:`engine.indicators.cross_partner`). ``members``: each key's name in
    :class:`Signatures` (the rows it counts). ``months``: per breakdown, the month offsets of its window. ``rules``:
    the small-number rule of each figure counting a sensitive indicator's events."""

    values: dict[Key, float]
    members: dict[Key, str]
    months: dict[str, range]
    rules: dict[Key, tuple[int, bool]]


class _Rows:
    """A sparse matrix built row by row (one number's underlying counts and weights each): the problem's width is
    kinds × (months + small areas + …), far too wide for dense rows once breakdowns split the kinds."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.columns: list[np.ndarray] = []
        self.weights: list[np.ndarray] = []
        self.count = 0

    def add(self, part: tuple[np.ndarray, np.ndarray]) -> None:
        columns, weights = part
        self.rows.append(np.full(columns.size, self.count, dtype=np.int64))
        self.columns.append(columns)
        self.weights.append(weights)
        self.count += 1

    def matrix(self, width: int) -> csr_matrix:
        from scipy.sparse import csr_matrix

        if not self.count:
            return csr_matrix((0, width))
        cat = np.concatenate
        return csr_matrix((cat(self.weights), (cat(self.rows), cat(self.columns))), shape=(self.count, width))


Part = tuple  # (column indices, weights) of one number's underlying counts


def _join(*parts: Part) -> Part:
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _protected(keys: list[Key], vectors, values: dict[Key, float], primary: set[Key],
               rule_of, fixed: int = 0) -> set[Key]:
    """Protect one problem: ``keys`` (and ``fixed`` more rows of ``vectors``: numbers known to
    the reader that can never be hidden). ``rule_of``: a primary key's small-number rule."""
    value = np.array([values[k] for k in keys] + [0.0] * fixed)
    hidden = np.array([k in primary for k in keys] + [False] * fixed)
    if not hidden.any():
        return set()
    # A change beside a hidden count would give it away at once: hide it from the start.
    position = {k: i for i, k in enumerate(keys)}
    for key, i in position.items():
        if key[0] == "change":
            hidden[i] = any(position.get((part, key[1])) is not None and hidden[position[(part, key[1])]]
                            for part in ("current", "previous"))
    # Totals are hidden only as a last resort: they cost more than any count.
    big = 1 + np.abs(value).sum()
    is_total = np.array([k[0] in TOTAL_KINDS for k in keys] + [False] * fixed)
    costs = np.where(value > 0, value, big) + np.where(is_total, 2 * big, 0)
    hideable = np.arange(value.size) < len(keys)
    # A small count must stay uncertain by at least its threshold; a number hidden to protect one, by anything.
    required = np.array([float(rule_of(k)[0]) if k in primary else 1.0 for k in keys] + [1.0] * fixed)
    result = protect_cuts(vectors, value, hidden, required, hideable=hideable, costs=costs)
    return {k for k, hide in zip(keys, result) if hide}


BREAKDOWN_KINDS = ("breakdown", "breakdown_base")


def _classes(n_kinds: int, members: list[np.ndarray]) -> np.ndarray:
    """A class per kind of event: kinds counted by the same of ``members`` (indicators' kinds) share one; kinds none
    counts get -1 (no small-area number touches them)."""
    if not members:
        return np.full(n_kinds, -1, dtype=np.int64)
    table = np.zeros((n_kinds, len(members)), dtype=bool)
    for column, kinds in enumerate(members):
        table[kinds, column] = True
    used = table.any(axis=1)
    packed = np.packbits(table, axis=1)
    _, inverse = np.unique(packed[used], axis=0, return_inverse=True)
    classes = np.full(n_kinds, -1, dtype=np.int64)
    classes[used] = inverse.ravel()
    return classes


def hidden_numbers(values: dict[Key, float], layout: Layout, kinds: Signatures, picks: dict[str, list[int]],
                   complete: set[str], rules: dict[str, tuple[int, bool]],
                   areas: SmallAreaGroups | None = None, breakdowns: BreakdownCells | None = None) -> set[Key]:
    """The keys of ``values`` (and of ``breakdowns.values``) to hide in one partner's workbook.

    ``picks`` gives the small areas each indicator's Top 10 table lists; ``complete`` the
    indicators whose table lists every small area with an event. ``rules`` maps each sensitive
    indicator to (below, zero): its small counts are hidden first. ``areas``: the partner area's
    small areas and their area groups, needed when ``values`` holds area-group counts. ``breakdowns``:
    the breakdown figures shown of the sources of sensitive indicators.

    The problem is built sparse (a row per number, its underlying counts as column indices) and split
    into independent groups before anything dense is made (:func:`engine.indicators.protected_cuts.protect_cuts`).
    """
    if breakdowns is not None:
        values = {**values, **breakdowns.values}

    def rule_of(key: Key) -> tuple[int, bool]:
        return breakdowns.rules[key] if key[0] in BREAKDOWN_KINDS else rules[key[1]]

    primary = {key for key, value in values.items()
               if key[0] not in ("change",) + TOTAL_KINDS
               and (key in breakdowns.rules if key[0] in BREAKDOWN_KINDS else key[1] in rules)
               and bool(primary_suppression([value], *rule_of(key))[0])}
    if not primary:
        return set()
    n_kinds, n_months = kinds.count, layout.before + layout.n_months + layout.after
    grouped = any(k[0] == "group" for k in values)
    if grouped and areas is None:
        raise ValueError("area-group counts need the partner area's small areas and their groups")
    # With area groups every small area is in the joint problem; otherwise only those a complete table lists.
    coupled = sorted(areas.small_areas.tolist()) if grouped else \
        sorted({area for indicator in complete for area in picks[indicator]})
    # A small area's events need telling apart only by the indicators some small-area number counts: kinds alike for
    # all of them share one unknown per small area (a class). Nothing is lost: any split of a class's events among
    # small areas and of its kinds' events among months, with the same totals, can be made together (a transport
    # problem with equal supply and demand is always feasible), and breakdowns split the kinds far more finely.
    joint = [k for k in values if k[0] != "top" or k[2] in set(coupled)]
    split_by = sorted({k[1] for k in joint if k[0] in ("top", "group")} | set(complete))
    class_of = _classes(n_kinds, [kinds.members[i] for i in split_by])
    n_classes = int(class_of.max(initial=-1)) + 1
    slot = {area: n_kinds * n_months + position * n_classes for position, area in enumerate(coupled)}
    width = n_kinds * n_months + n_classes * len(coupled)

    def of_months(members: np.ndarray, span, sign: float = 1.0) -> Part:
        offsets = layout.before + np.asarray(list(span), dtype=np.int64)
        columns = (members[:, None] * n_months + offsets[None, :]).ravel()
        return columns, np.full(columns.size, sign)

    def months(indicator: str, span, sign: float = 1.0) -> Part:
        return of_months(kinds.members[indicator], span, sign)

    def area(indicator: str, small_area: int, sign: float = 1.0) -> Part:
        columns = slot[small_area] + np.unique(class_of[kinds.members[indicator]])
        return columns, np.full(columns.size, sign)

    def vector_of(key: Key) -> Part:
        kind = key[0]
        if kind in ("current", "previous"):
            return months(key[1], getattr(layout, kind))
        if kind == "change":
            return _join(months(key[1], layout.current), months(key[1], layout.previous, -1.0))
        if kind == "year":
            return months(key[1], layout.years[key[2]])
        if kind == "month":
            return months(key[1], [key[2]])
        if kind == "quarter":
            return months(key[1], layout.quarters[key[2]])
        if kind == "peak":
            return months(key[1], range(key[2], key[3] + 1))
        if kind == "year_total":
            return _join(*(months(i, layout.years[key[1]]) for i in layout.trend_rows))
        if kind == "month_total":
            return _join(*(months(i, [key[1]]) for i in layout.trend_rows))
        if kind == "group":
            members = areas.small_areas[areas.group_of[key[2]] == key[3]]
            return _join(*(area(key[1], a) for a in members.tolist()))
        if kind in BREAKDOWN_KINDS:
            return of_months(kinds.members[breakdowns.members[key]], breakdowns.months[key[1]])
        return area(key[1], key[2])  # "top"

    rows = _Rows()
    for key in joint:
        rows.add(vector_of(key))
    # What the reader knows from a complete table: its indicator has no events outside the listed areas.
    known = 0
    for i in sorted(complete):
        rows.add(_join(months(i, layout.current), *(area(i, a, -1.0) for a in picks[i])))
        known += 1
    if grouped:  # every event of the current window is in one small area: per class of kinds, the small areas add up
        current = layout.before + np.asarray(list(layout.current), dtype=np.int64)
        for c in range(n_classes):
            members = np.flatnonzero(class_of == c)
            columns = np.concatenate([(members[:, None] * n_months + current[None, :]).ravel(),
                                      np.array([slot[a] + c for a in coupled], dtype=np.int64)])
            rows.add((columns, np.concatenate([np.ones(members.size * current.size), -np.ones(len(coupled))])))
            known += 1
    hidden = _protected(joint, rows.matrix(width), values, primary, rule_of, fixed=known)
    # Every other small area on its own: its Top 10 counts as sums of its events of each kind.
    for small_area in sorted({k[2] for k in values if k[0] == "top"} - set(slot)):
        keys = [k for k in values if k[0] == "top" and k[2] == small_area]
        vectors = np.zeros((len(keys), n_kinds))
        for row, key in enumerate(keys):
            vectors[row, kinds.members[key[1]]] = 1
        hidden |= _protected(keys, vectors, values, primary, rule_of)
    return hidden


def _offset(date: dt.date, first_month: int) -> int:
    return date.year * 12 + date.month - 1 - first_month


def series_numbers(series: IndicatorSeries, first_month: int) -> dict[Key, float]:
    """The counts one partner's series shows (monthly profile, rolling quarters, peak), keyed as above; a month
    shares its key with the same month in the trend table and the seasonal grids."""
    values: dict[Key, float] = {("month", series.indicator_id, _offset(m, first_month)): float(v)
                                for m, v in zip(series.months, series.monthly)}
    values.update({("quarter", series.indicator_id, q): float(v) for q, v in enumerate(series.quarterly)
                   if v is not None})
    if series.peak is not None:
        values[_peak_key(series, first_month)] = float(series.peak.count)
    return values


def _peak_key(series: IndicatorSeries, first_month: int) -> Key:
    assert series.peak is not None
    return "peak", series.indicator_id, _offset(series.peak.first, first_month), _offset(series.peak.last, first_month)


def shown_series(series: IndicatorSeries, first_month: int, hidden: set[Key]) -> IndicatorSeries:
    """The series as the partner sees it: hidden months ``None``, hidden quarters listed, a hidden peak gone."""
    if not hidden:
        return series
    i = series.indicator_id
    quarters = tuple(q for q in range(len(series.quarterly)) if ("quarter", i, q) in hidden)
    return dataclasses.replace(
        series, monthly=[None if ("month", i, _offset(m, first_month)) in hidden else v
                         for m, v in zip(series.months, series.monthly)],
        quarterly=[None if q in quarters else v for q, v in enumerate(series.quarterly)], hidden_quarters=quarters,
        peak=None if series.peak is not None and _peak_key(series, first_month) in hidden else series.peak)


def seasonal_numbers(grid: SeasonalCounts, p: int, starts: list[int], first_month: int) -> dict[Key, float]:
    """The counts one partner's seasonal grid shows: each is one month, keyed as the trend table's months."""
    rows, columns = np.nonzero(grid.known)
    return {("month", grid.indicator.id, starts[c] + r - first_month): float(grid.counts[p, r, c])
            for r, c in zip(rows.tolist(), columns.tolist())}


def shown_seasonal(table: SeasonalTable, starts: list[int], first_month: int, hidden: set[Key]) -> SeasonalTable:
    """The seasonal table as the partner sees it: hidden cells ``None`` and listed in ``hidden``."""
    cells = tuple((r, c) for r in range(len(table.counts)) for c in range(len(starts))
                  if table.counts[r][c] is not None and ("month", table.indicator_id, starts[c] + r - first_month) in hidden)
    if not cells:
        return table
    counts = [[None if (r, c) in cells else v for c, v in enumerate(row)] for r, row in enumerate(table.counts)]
    return dataclasses.replace(table, counts=counts, hidden=cells)


def touched_indicators(hidden: set[Key]) -> set[str]:
    """Indicators with any hidden number: other cuts of them the check does not cover (breakdowns of their rows it
    has not written as sums of events) could give a hidden number away, so a protected workbook leaves those out."""
    return {k[1] for k in hidden if k[0] not in TOTAL_KINDS + BREAKDOWN_KINDS + (LINK,)}


def area_group_numbers(table: AreaGroupTable, ungrouped: float) -> dict[Key, float]:
    """The partner area's own counts its area-group table shows: each group's, and the events in small areas in no
    group (``ungrouped``, quoted in the table's note when there are any). The benchmark's count of each group is the
    sum of every partner area's (:mod:`engine.indicators.cross_partner`)."""
    i, gid = table.indicator_id, table.group_id
    values: dict[Key, float] = {}
    for g, row in enumerate(table.rows):
        values[("group", i, gid, g)] = float(row.count)
    if table.ungrouped:
        values[("group", i, gid, -1)] = float(ungrouped)
    return values


def shown_area_group(table: AreaGroupTable, ungrouped: int, hidden: set[Key]) -> AreaGroupTable:
    """The table as the partner sees it: a hidden count takes its rate and limits with it (the residents are shown, so
    a rate gives the count back), a rate ratio of a hidden group goes, and the note's count of events in no group goes
    when that is hidden. ``hidden`` marks the table, so no sentence quotes it."""
    i, gid = table.indicator_id, table.group_id
    rows = [dataclasses.replace(row, count=None, rate=None, lower=None, upper=None, hidden=True)
            if ("group", i, gid, g) in hidden else row for g, row in enumerate(table.rows)]
    rows = [dataclasses.replace(row, benchmark_count=None, benchmark_rate=None, benchmark_lower=None,
                                benchmark_upper=None, benchmark_hidden=True)
            if (LINK, BENCHMARK_GROUP, i, gid, g) in hidden else row for g, row in enumerate(rows)]
    if rows == table.rows and ("group", i, gid, -1) not in hidden and ("current", i) not in hidden:
        return table
    by_value = {str(r.value): r for r in rows}

    def ratio(r: GroupRatio, first: bool) -> GroupRatio:
        pair = (by_value[str(r.high)], by_value[str(r.low)])
        gone = any(row.hidden if first else row.benchmark_hidden for row in pair)
        return dataclasses.replace(r, high_rate=None, low_rate=None, ratio=None, lower=None, upper=None, p_value=None,
                                   hidden=True) if gone else r

    ratios = [ratio(r, k == 0) for k, r in enumerate(table.ratios)]
    words = table.ungrouped
    if ("group", i, gid, -1) in hidden:
        words = words.replace(f", {ungrouped:,} {table.unit})", ")")
    return dataclasses.replace(table, rows=rows, ratios=ratios, ungrouped=words, hidden=True,
                               rate=None if ("current", i) in hidden else table.rate)
