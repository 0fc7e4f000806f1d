"""Which numbers a partner's workbook must hide so that no small count of a sensitive indicator
can be read or worked out (small-number suppression across the whole workbook).

A workbook's numbers are related: a 12-month count is the sum of its months, a financial year's
cell too, the Grand Total is the sum of the categories, a change is one count minus another,
"Serious acquisitive crime" is Burglary + Robbery + Vehicle crime. Each number is written as a
sum of unknown *atoms*, the partner area's events of one kind (rows passing the same set of
indicator filters) in one month; :func:`engine.stats.suppression.protect` then hides whatever
would let a hidden number be recovered.

Top 10 counts belong to single small areas. A reader cannot split the partner area's counts
between small areas, so each small area's counts form a separate problem, except where a Top 10
table lists every small area with an event (fewer than ten rows): then its rows add up to the
partner area's count, and those small areas join the partner-level problem.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.spec.models import Spec
from engine.stats.suppression import primary_suppression, protect

#: A published number: ("current" | "previous" | "change", indicator), ("year", indicator, column),
#: ("month", indicator, month offset), ("year_total", column), ("month_total", month offset),
#: ("top", indicator, small area).
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


@dataclass(frozen=True)
class Signatures:
    """Kinds of event: the distinct sets of indicators a row counts towards, over all sources."""

    count: int
    members: dict[str, np.ndarray]  # indicator id -> the kinds it counts


def event_kinds(spec: Spec, masks: dict[str, np.ndarray]) -> Signatures:
    """Group each source's rows by which indicators count them (``masks``: indicator id -> rows it
    counts); every group is one kind of event.

    Only kinds present in the data are used: treating an absent kind as known to be zero makes
    more numbers derivable, never fewer, so the protection errs on the safe side.
    """
    members: dict[str, np.ndarray] = {}
    offset = 0
    for name in dict.fromkeys(i.source for i in spec.indicators):
        ids = [i.id for i in spec.indicators if i.source == name]
        bits = np.stack([masks[i] for i in ids], axis=1).astype(np.int64)
        if len(ids) < 63:  # pack each row's filters into one integer: far faster than unique rows
            codes = np.unique(bits @ (np.int64(1) << np.arange(len(ids), dtype=np.int64)))
            table = (codes[:, None] >> np.arange(len(ids), dtype=np.int64)) & 1
        else:
            table = np.unique(bits, axis=0)
        for column, indicator_id in enumerate(ids):
            members[indicator_id] = offset + np.flatnonzero(table[:, column])
        offset += table.shape[0]
    return Signatures(offset, members)


def _protected(keys: list[Key], vectors: np.ndarray, values: dict[Key, float], primary: set[Key],
               fixed: int = 0) -> set[Key]:
    """Protect one problem: ``keys`` (and ``fixed`` more rows of ``vectors``: numbers known to
    the reader that can never be hidden)."""
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
    result = protect(vectors @ vectors.T, value, hidden, hideable=hideable, costs=costs)
    return {k for k, hide in zip(keys, result) if hide}


def hidden_numbers(values: dict[Key, float], layout: Layout, kinds: Signatures, picks: dict[str, list[int]],
                   complete: set[str], rules: dict[str, tuple[int, bool]]) -> set[Key]:
    """The keys of ``values`` to hide in one partner's workbook.

    ``picks`` gives the small areas each indicator's Top 10 table lists; ``complete`` the
    indicators whose table lists every small area with an event. ``rules`` maps each sensitive
    indicator to (below, zero): its small counts are hidden first.
    """
    primary = {key for key, value in values.items()
               if key[0] not in ("change",) + TOTAL_KINDS and key[1] in rules
               and bool(primary_suppression([value], *rules[key[1]])[0])}
    if not primary:
        return set()
    n_kinds, n_months = kinds.count, layout.n_months
    coupled = sorted({area for indicator in complete for area in picks[indicator]})
    slot = {area: n_kinds * n_months + position * n_kinds for position, area in enumerate(coupled)}
    width = n_kinds * n_months + n_kinds * len(coupled)

    def months(indicator: str, span, sign: float = 1.0) -> np.ndarray:
        vector = np.zeros(width)
        members = kinds.members[indicator]
        vector[(members[:, None] * n_months + np.asarray(list(span))[None, :]).ravel()] = sign
        return vector

    def area(indicator: str, small_area: int, sign: float = 1.0) -> np.ndarray:
        vector = np.zeros(width)
        vector[slot[small_area] + kinds.members[indicator]] = sign
        return vector

    def vector_of(key: Key) -> np.ndarray:
        kind = key[0]
        if kind in ("current", "previous"):
            return months(key[1], getattr(layout, kind))
        if kind == "change":
            return months(key[1], layout.current) + months(key[1], layout.previous, -1.0)
        if kind == "year":
            return months(key[1], layout.years[key[2]])
        if kind == "month":
            return months(key[1], [key[2]])
        if kind == "year_total":
            return sum((months(i, layout.years[key[1]]) for i in layout.trend_rows), np.zeros(width))
        if kind == "month_total":
            return sum((months(i, [key[1]]) for i in layout.trend_rows), np.zeros(width))
        return area(key[1], key[2])  # "top"

    joint = [k for k in values if k[0] != "top" or k[2] in slot]
    # What the reader knows from a complete table: its indicator has no events outside the listed areas.
    known = [months(i, layout.current) - sum((area(i, a) for a in picks[i]), np.zeros(width)) for i in sorted(complete)]
    hidden = _protected(joint, np.array([vector_of(k) for k in joint] + known), values, primary, fixed=len(known))
    # Every other small area on its own: its Top 10 counts as sums of its events of each kind.
    for small_area in sorted({k[2] for k in values if k[0] == "top"} - set(slot)):
        keys = [k for k in values if k[0] == "top" and k[2] == small_area]
        vectors = np.zeros((len(keys), n_kinds))
        for row, key in enumerate(keys):
            vectors[row, kinds.members[key[1]]] = 1
        hidden |= _protected(keys, vectors, values, primary)
    return hidden
