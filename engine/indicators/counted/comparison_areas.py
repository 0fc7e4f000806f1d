"""Which partner areas each partner's Comparisons sheet shows: the spec's ``comparison_areas``.

A county build shows every partner area (the default). A national build of every partnership
would put 300 bars in each of a workbook's comparison charts, and make every workbook's size
and render time grow with the number of partners (quadratic cost for the build); a spec names
instead the partnerships a partner is judged against — its force's (a shared column of the
partner-area lookup), its most similar group, or a list — so each workbook costs the same
whatever the build's size. The benchmark row is unchanged: it is still all partner areas.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from engine.errors import Problem, SpecError
from engine.ingest.geography import Geography
from engine.ingest.peer_table import PeerTable
from engine.report import AreaComparison
from engine.spec.models import ComparisonAreas
from engine.spec.suggest import did_you_mean


def comparison_positions(rule: ComparisonAreas | None, geo: Geography,
                         peer_table: PeerTable | None) -> list[np.ndarray] | None:
    """Per partner area, the positions (partner-name order) of the areas its Comparisons show; None: all of them."""
    if rule is None:
        return None
    n = len(geo.partner_names)
    shown = np.eye(n, dtype=bool)  # each partner always sees itself
    if rule.same is not None:
        shown |= _sharing(rule.same, geo)
    if rule.peer_group:
        shown |= _peer_group_members(geo, peer_table)
    if rule.areas:
        shown[:, _named(rule.areas, geo)] = True
    return [np.flatnonzero(row) for row in shown]


def _sharing(column: str, geo: Geography) -> np.ndarray:
    rows = geo.partner_rows
    if rows is None or column not in rows.columns:
        columns = [] if rows is None else [str(c) for c in rows.columns]
        raise SpecError(Problem(f"comparison_areas.same: {column!r} is not a column of the partner-area lookup"
                                f"{did_you_mean(column, columns)}", key_path="comparison_areas.same"))
    values = rows[column].astype(str).to_numpy()
    return values[:, None] == values[None, :]


def _peer_group_members(geo: Geography, peer_table: PeerTable | None) -> np.ndarray:
    assert peer_table is not None, "a peer_group rule without peer_groups is refused by engine.spec.method_checks"
    position = {str(name).casefold(): p for p, name in enumerate(geo.partner_names)}
    n = len(geo.partner_names)
    shown = np.zeros((n, n), dtype=bool)
    for partner, peer in zip(peer_table.partner, peer_table.peer):
        member = position.get(str(peer).strip().casefold())
        if member is not None:
            shown[int(partner), member] = True
    return shown


def _named(areas: list[str], geo: Geography) -> list[int]:
    names = [str(name) for name in geo.partner_names]
    position = {name.casefold(): p for p, name in enumerate(names)}
    problems = [Problem(f"comparison_areas.areas: {area!r} is not a partner area{did_you_mean(area, names)}",
                        key_path="comparison_areas.areas") for area in areas if area.casefold() not in position]
    if problems:
        raise SpecError(problems)
    return [position[area.casefold()] for area in areas]


def shown_areas(comparisons: list[AreaComparison], positions: np.ndarray | None) -> list[AreaComparison]:
    """The comparisons cut to the areas at ``positions`` (None: unchanged)."""
    if positions is None:
        return comparisons
    keep = positions.tolist()
    return [dataclasses.replace(c, areas=[c.areas[i] for i in keep], counts=[c.counts[i] for i in keep],
                                rates=[c.rates[i] for i in keep]) for c in comparisons]
