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

Every partner area's problem is solved together with the others' (:mod:`engine.indicators.cross_partner`): a
workbook shows the other partner areas' counts and the benchmark's, their sum, so :class:`Linked` appends what ties
one partner's problem to the others'.
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
#: ("group", indicator, area group id, group position; -1 for the small areas in no group), ("benchmark_group", …):
#: the same group's count over the benchmark (the partner area's events and the rest's, which the reader cannot split).
#: Month offsets count from the first month of the rolling windows; seasonal grids reach earlier (negative).
Key = tuple
TOTAL_KINDS = ("year_total", "month_total")


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
    """One partner area's small areas (global positions) and, per area group id, each one's group (-1: none);
    ``in_benchmark``: whether the benchmark's counts include the partner area's (a benchmark may leave it out)."""

    small_areas: np.ndarray
    group_of: dict[str, np.ndarray]
    in_benchmark: bool = True


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

    ``values``: ("breakdown" | "breakdown_base" | "breakdown_benchmark" | "breakdown_benchmark_base", breakdown id,
    figure) -> value: a figure's count and the base of its percentage (a shown count and percentage give the base
    back), the partner area's and the benchmark's. ``members``: each key's name in :class:`Signatures` (the rows it
    counts). ``months``: per breakdown, the month offsets of its window. ``elsewhere``: per breakdown, the block of
    the rest of the benchmark's events it shares with breakdowns over the same rows (its own unknowns, as an area
    group's benchmark count has). ``rules``: the small-number rule of each figure counting a sensitive indicator's
    events."""

    values: dict[Key, float]
    members: dict[Key, str]
    months: dict[str, range]
    elsewhere: dict[str, tuple]
    rules: dict[Key, tuple[int, bool]]
    in_benchmark: bool = True


@dataclass(frozen=True)
class Linked:
    """What ties one partner's problem to the other partner areas' (built by
    :mod:`engine.indicators.cross_partner`): extra keys and unknowns appended to the partner's own.

    ``keys``: other partners' figures (``("partner", q, key)``) and shared totals (``("link", …)``: a benchmark's
    count, the sum of the partner areas' own figures). ``parts``: each extra key's columns among the extra unknowns
    (numbered from 0) and weights; ``own``: a shared total's summand in this partner's own problem, added to its part.
    ``known``: relations over the extra unknowns the reader knows, with their values. ``hidden``: extra keys hidden
    before this partner's check starts; ``costs``: what hiding each extra key costs."""

    keys: list[Key]
    values: dict[Key, float]
    parts: dict[Key, tuple]
    own: dict[Key, Key]
    hidden: set[Key]
    costs: dict[Key, float]
    width: int
    known: list[tuple[tuple, float]]


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
               rule_of, fixed: int | list[float] = 0, start: set[Key] = frozenset(),
               extra_costs: dict[Key, float] | None = None, wide: set[Key] = frozenset(),
               memo: dict | None = None, settled: set[Key] | None = None, exact: bool = False) -> set[Key]:
    """Protect one problem: ``keys`` (and ``fixed`` more rows of ``vectors``: numbers known to
    the reader that can never be hidden, their values when a list, else that many zeros). ``rule_of``: a primary
    key's small-number rule; ``start``: keys hidden already; ``extra_costs``: a cost for keys priced apart; ``wide``:
    keys that, once hidden, must stay uncertain by their rule's threshold as a small count must (a summand of a total
    other workbooks show: the other partners' checks count on its width). ``exact``: only stop exact derivation (no
    bounds solved): a quick first guess, never the last word."""
    fixed_values = [0.0] * fixed if isinstance(fixed, int) else list(fixed)
    value = np.array([values[k] for k in keys] + fixed_values)
    hidden = np.array([k in primary or k in start for k in keys] + [False] * len(fixed_values))
    if not hidden.any():
        return set()
    # A change beside a hidden count would give it away at once: hide it from the start.
    position = {k: i for i, k in enumerate(keys)}
    for key, i in position.items():
        if key[0] == "change":
            hidden[i] |= any(position.get((part, key[1])) is not None and hidden[position[(part, key[1])]]
                             for part in ("current", "previous"))
    # Totals are hidden only as a last resort: they cost more than any count. (Priced by the partner's own numbers,
    # so a group no other partner's figure touches costs the same in every check, and ``memo`` finds it.)
    own = np.array([k not in (extra_costs or {}) and k[0] != "partner" for k in keys] + [False] * len(fixed_values))
    big = 1 + np.abs(value[own]).sum()
    dearest = 1 + np.abs(value).sum()
    is_total = np.array([k[0] in TOTAL_KINDS for k in keys] + [False] * len(fixed_values))
    costs = np.where(value > 0, value, big) + np.where(is_total, 2 * big, 0)
    for key, cost in (extra_costs or {}).items():
        if key in position:
            costs[position[key]] = -cost * dearest if cost < 0 else cost  # negative: so many times the dearest
    hideable = np.arange(value.size) < len(keys)
    # A small count must stay uncertain by at least its threshold; a number hidden to protect one, by anything.
    required = np.array([float(rule_of(k)[0]) if (k in primary or k in wide) and not exact else 1.0 for k in keys]
                        + [1.0] * len(fixed_values))
    known = None if settled is None else np.array([k in settled for k in keys] + [False] * len(fixed_values))
    result = protect_cuts(vectors, value, hidden, required, hideable=hideable, costs=costs, memo=memo, settled=known)
    if settled is not None:  # handed back: the keys found wide enough
        settled |= {k for k, done in zip(keys, known) if done}
    return {k for k, hide in zip(keys, result) if hide}


BREAKDOWN_KINDS = ("breakdown", "breakdown_base", "breakdown_benchmark", "breakdown_benchmark_base")


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


@dataclass(frozen=True)
class _Joint:
    """One partner's joint problem, built: its keys, a row per key then the relations the reader knows (``known``
    values), the extra unknowns of :class:`Linked` after the partner's own; ``rule_of`` and ``primary`` as
    :func:`hidden_numbers` decides them."""

    keys: list[Key]
    matrix: csr_matrix
    values: dict[Key, float]
    known: list[float]
    primary: set[Key]
    rule_of: object
    alone: list[list[Key]]  # the Top 10 counts of small areas outside the joint problem, one list per small area
    n_kinds: int


def _joint_problem(values: dict[Key, float], layout: Layout, kinds: Signatures, picks: dict[str, list[int]],
                   complete: set[str], rules: dict[str, tuple[int, bool]], areas: SmallAreaGroups | None,
                   breakdowns: BreakdownCells | None, linked: Linked | None, always: bool = False) -> _Joint | None:
    """The sparse problem :func:`hidden_numbers` solves (None when nothing is small, unless ``always``)."""
    if breakdowns is not None:
        values = {**values, **breakdowns.values}

    def rule_of(key: Key) -> tuple[int, bool]:
        return breakdowns.rules[key] if key[0] in BREAKDOWN_KINDS else rules[key[1]]

    primary = {key for key, value in values.items()
               if key[0] not in ("change", "benchmark_group", "breakdown_benchmark", "breakdown_benchmark_base")
               + TOTAL_KINDS
               and (key in breakdowns.rules if key[0] in BREAKDOWN_KINDS else key[1] in rules)
               and bool(primary_suppression([value], *rule_of(key))[0])}
    if not primary and not (linked and linked.hidden) and not always:
        return None
    n_kinds, n_months = kinds.count, layout.before + layout.n_months + layout.after
    grouped = any(k[0] in ("group", "benchmark_group") for k in values)
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
    split_by = sorted({k[1] for k in joint if k[0] in ("top", "group", "benchmark_group")} | set(complete))
    class_of = _classes(n_kinds, [kinds.members[i] for i in split_by])
    n_classes = int(class_of.max(initial=-1)) + 1
    slot = {area: n_kinds * n_months + position * n_classes for position, area in enumerate(coupled)}
    # The rest of the benchmark's events in each group (and each breakdown's rows): unknowns of their own, so a
    # benchmark's count bounds the partner area's (it is never less) without giving it away.
    blocks = list(dict.fromkeys([k[2:] for k in values if k[0] == "benchmark_group"]
                                + ([breakdowns.elsewhere[k[1]] for k in breakdowns.values
                                    if k[0].startswith("breakdown_benchmark")] if breakdowns else [])))
    start = n_kinds * n_months + n_classes * len(coupled)
    elsewhere = {cell: start + n_kinds * position for position, cell in enumerate(blocks)}
    width = start + n_kinds * len(elsewhere)

    def of_months(members: np.ndarray, span, sign: float = 1.0) -> Part:
        offsets = layout.before + np.asarray(list(span), dtype=np.int64)
        columns = (members[:, None] * n_months + offsets[None, :]).ravel()
        return columns, np.full(columns.size, sign)

    def months(indicator: str, span, sign: float = 1.0) -> Part:
        return of_months(kinds.members[indicator], span, sign)

    def area(indicator: str, small_area: int, sign: float = 1.0) -> Part:
        columns = slot[small_area] + np.unique(class_of[kinds.members[indicator]])
        return columns, np.full(columns.size, sign)

    def block(start: int, members: np.ndarray) -> Part:
        return start + members, np.ones(members.size)

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
        if kind in ("group", "benchmark_group"):
            members = areas.small_areas[areas.group_of[key[2]] == key[3]]
            own = [area(key[1], a) for a in members.tolist()]
            if kind == "benchmark_group":
                own = (own if areas.in_benchmark else []) + [block(elsewhere[key[2:]], kinds.members[key[1]])]
            return _join(*own)
        if kind in BREAKDOWN_KINDS:
            members = kinds.members[breakdowns.members[key]]
            own = of_months(members, breakdowns.months[key[1]])
            if kind.startswith("breakdown_benchmark"):
                return _join(*([own] if breakdowns.in_benchmark else []),
                             block(elsewhere[breakdowns.elsewhere[key[1]]], members))
            return own
        return area(key[1], key[2])  # "top"

    def linked_vector(key: Key) -> Part:
        columns, weights = linked.parts[key]
        part = (width + np.asarray(columns, dtype=np.int64), np.asarray(weights, dtype=float))
        return _join(part, vector_of(linked.own[key])) if key in linked.own else part

    rows = _Rows()
    for key in joint:
        rows.add(vector_of(key))
    keys = list(joint)
    if linked is not None:
        for key in linked.keys:
            rows.add(linked_vector(key))
        keys += linked.keys
    # What the reader knows from a complete table: its indicator has no events outside the listed areas.
    known: list[float] = []
    for i in sorted(complete):
        rows.add(_join(months(i, layout.current), *(area(i, a, -1.0) for a in picks[i])))
        known.append(0.0)
    if grouped:  # every event of the current window is in one small area: per class of kinds, the small areas add up
        current = layout.before + np.asarray(list(layout.current), dtype=np.int64)
        for c in range(n_classes):
            members = np.flatnonzero(class_of == c)
            columns = np.concatenate([(members[:, None] * n_months + current[None, :]).ravel(),
                                      np.array([slot[a] + c for a in coupled], dtype=np.int64)])
            rows.add((columns, np.concatenate([np.ones(members.size * current.size), -np.ones(len(coupled))])))
            known.append(0.0)
    if linked is not None:
        for (columns, weights), value in linked.known:
            rows.add((width + np.asarray(columns, dtype=np.int64), np.asarray(weights, dtype=float)))
            known.append(float(value))
        values = {**values, **linked.values}
    matrix = rows.matrix(width + (linked.width if linked is not None else 0))
    alone = [[k for k in values if k[0] == "top" and k[2] == small_area]
             for small_area in sorted({k[2] for k in values if k[0] == "top"} - set(slot))]
    return _Joint(keys, matrix, values, known, primary, rule_of, alone, n_kinds)


def hidden_numbers(values: dict[Key, float], layout: Layout, kinds: Signatures, picks: dict[str, list[int]],
                   complete: set[str], rules: dict[str, tuple[int, bool]],
                   areas: SmallAreaGroups | None = None, breakdowns: BreakdownCells | None = None,
                   linked: Linked | None = None, start: set[Key] = frozenset(),
                   wide: set[Key] = frozenset(), memo: dict | None = None,
                   settled: set[Key] | None = None, exact: bool = False) -> set[Key]:
    """The keys of ``values`` (and of ``breakdowns.values``, and ``linked.keys``) to hide in one partner's workbook.

    ``picks`` gives the small areas each indicator's Top 10 table lists; ``complete`` the
    indicators whose table lists every small area with an event. ``rules`` maps each sensitive
    indicator to (below, zero): its small counts are hidden first. ``areas``: the partner area's
    small areas and their area groups, needed when ``values`` holds area-group counts. ``breakdowns``:
    the breakdown figures shown of the sources of sensitive indicators. ``linked``: the other partner areas'
    figures and the shared totals tied to this partner's (:mod:`engine.indicators.cross_partner`); ``start``: this
    partner's keys hidden already (another partner's check asked for them); ``wide``: its summands of those totals,
    which once hidden must stay as uncertain as a small count of their rule (when they have one); ``memo``: kept
    between checks of the same partner, so groups of numbers nothing changed in are not solved again; ``settled``:
    keys known wide enough from an earlier check whose problem has only loosened since, updated in place with the
    keys found wide enough by this one; ``exact``: stop exact derivation only, a quick first guess (bounds unsolved).

    The problem is built sparse (a row per number, its underlying counts as column indices) and split
    into independent groups before anything dense is made (:func:`engine.indicators.protected_cuts.protect_cuts`).
    """
    problem = _joint_problem(values, layout, kinds, picks, complete, rules, areas, breakdowns, linked,
                             always=bool(start))
    if problem is None:
        return set()
    begun = set(start) | (linked.hidden if linked is not None else set())
    hidden = _protected(problem.keys, problem.matrix, problem.values, problem.primary, problem.rule_of,
                        fixed=problem.known, start=begun, extra_costs=linked.costs if linked is not None else None,
                        wide={k for k in wide if k in problem.values and _has_rule(k, rules, breakdowns)}, memo=memo,
                        settled=settled, exact=exact)
    # Every other small area on its own: its Top 10 counts as sums of its events of each kind.
    for keys in problem.alone:
        vectors = np.zeros((len(keys), problem.n_kinds))
        for row, key in enumerate(keys):
            vectors[row, kinds.members[key[1]]] = 1
        hidden |= _protected(keys, vectors, problem.values, problem.primary, problem.rule_of,
                             start=set(start) & set(keys))
    return hidden


def _has_rule(key: Key, rules: dict[str, tuple[int, bool]], breakdowns: BreakdownCells | None) -> bool:
    return key in breakdowns.rules if key[0] in BREAKDOWN_KINDS else key[1] in rules


def interface_points(values: dict[Key, float], layout: Layout, kinds: Signatures, picks: dict[str, list[int]],
                     complete: set[str], rules: dict[str, tuple[int, bool]], areas: SmallAreaGroups | None,
                     breakdowns: BreakdownCells | None, hidden: set[Key], interface: list[Key],
                     targets: list[Key]) -> np.ndarray:
    """Values the ``interface`` keys take together at feasible assignments of this partner's counts with ``hidden``
    hidden: a row per point, each of ``targets`` (hidden keys) at its least and then its greatest. Any mixture of
    feasible assignments is one too (the problem is convex)."""
    from engine.indicators.protected_cuts import extreme_points

    problem = _joint_problem(values, layout, kinds, picks, complete, rules, areas, breakdowns, None, always=True)
    position = {k: i for i, k in enumerate(problem.keys)}
    shown_values = np.array([problem.values[k] for k in problem.keys] + problem.known)
    shut = np.array([k in hidden for k in problem.keys] + [False] * len(problem.known))
    return extreme_points(problem.matrix, shown_values, shut, np.array([position[k] for k in targets]),
                          np.array([position[k] for k in interface]))


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
    return {k[1] for k in hidden if k[0] not in TOTAL_KINDS + BREAKDOWN_KINDS + ("link",)}


def area_group_numbers(table: AreaGroupTable, ungrouped: float) -> dict[Key, float]:
    """The counts one partner's area-group table shows: each group's, in the partner area and over the benchmark, and
    the events in small areas in no group (``ungrouped``, quoted in the table's note when there are any)."""
    i, gid = table.indicator_id, table.group_id
    values: dict[Key, float] = {}
    for g, row in enumerate(table.rows):
        values[("group", i, gid, g)] = float(row.count)
        values[("benchmark_group", i, gid, g)] = float(row.benchmark_count)
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
            if ("benchmark_group", i, gid, g) in hidden else row for g, row in enumerate(rows)]
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
