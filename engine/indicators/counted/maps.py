"""The maps' data: each area's band per mapped indicator, and the shapes to draw them with. No I/O.

A partner workbook's maps shade the partner area's small areas by the same band codes as its
Top 10 tables (``IndicatorResults.small_bands``: one computation, two views) and outline the
partner area, dissolved from its small areas through the spec's lookup. A dashboard's map shades
each member area by its band against the subject (the members sheet's bands) and outlines the
subject. Shapes are turned into plain coordinate rings here, once per build, so the renderer only
draws.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from engine.ingest.boundaries import Boundaries
from engine.ingest.geography import Geography
from engine.map_report import AreaMap, MappedArea, MapSet, MapShape
from engine.spec.models import Banding, Spec
from engine.stats import BAND_LABELS, NOT_COMPARED, rates

if TYPE_CHECKING:  # pragma: no cover - typing only
    from shapely.geometry import Polygon
    from shapely.geometry.base import BaseGeometry
# shapely itself is imported inside the functions that use it: importing the indicators (every build, the
# Excel add-in's Refresh) must not pay for it; only a spec with maps does.

#: Printed under every map when the spec does not name the boundaries' source.
DEFAULT_SOURCE = "Boundaries: {file}."


def _polygons(geometry: "BaseGeometry") -> list["Polygon"]:
    """The polygons of a (multi)polygon or of a collection a dissolve may leave (slivers of lines dropped)."""
    from shapely.geometry import Polygon

    if isinstance(geometry, Polygon):
        return [geometry]
    return [p for g in getattr(geometry, "geoms", []) for p in _polygons(g)]


def map_shape(code: str, name: str, geometry: "BaseGeometry") -> MapShape:
    """An area's rings (exteriors anticlockwise, holes clockwise) and a point inside it for its label."""
    from shapely.geometry.polygon import orient
    from shapely.ops import polylabel

    rings: list[np.ndarray] = []
    for polygon in _polygons(geometry):
        polygon = orient(polygon, 1.0)
        rings.append(np.asarray(polygon.exterior.coords)[:, :2])
        rings += [np.asarray(hole.coords)[:, :2] for hole in polygon.interiors]
    largest = max(_polygons(geometry), key=lambda p: p.area)
    point = polylabel(largest, tolerance=1e-4)  # the point farthest from the edges: room for a label
    return MapShape(code, name, tuple(rings), (float(point.x), float(point.y)))


def _dissolved(code: str, name: str, parts: Sequence["BaseGeometry"]) -> MapShape | None:
    """The outline of several areas together (shapely's union), or None when none of them has a shape."""
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    if not parts:
        return None
    union = shapely.union_all(list(parts))
    return map_shape(code, name, MultiPolygon(_polygons(union)) if not isinstance(union, Polygon) else union)


def _compared(banding: Banding, small_area_label: str, benchmark: str) -> str:
    """What the bands compare, in a caption's words (the Methodology sheet has the method in full)."""
    if banding.method == "sd":
        low, high = (f"{c:g}" for c in banding.cut_points)
        return (f"each {small_area_label}'s rate in standard deviations from the mean rate of all {small_area_label}s "
                f"in {benchmark} (more than {low} SD: Significantly, more than {high} SD: Very Significantly)")
    low, high = (f"{level:.1%}".replace(".0%", "%") for level in banding.levels)
    return f"each {small_area_label}'s rate against the {benchmark} rate ({low} and {high} confidence intervals)"


def partner_map_sets(spec: Spec, geography: Geography, boundaries: Boundaries, results: dict, picks: dict,
                     withheld: set[str]) -> list[MapSet]:
    """Every partner area's maps, in partner order.

    ``results`` and ``picks`` are the counted phase's per-indicator results and Top 10 picks (every mapped
    indicator has small-area figures: :mod:`engine.spec.method_checks`); ``withheld``: indicators whose maps a
    privacy-protected build leaves out (a small area's band could reveal a hidden small count).
    """
    assert spec.maps is not None
    label = geography.small_area_label
    source = spec.maps.source or DEFAULT_SOURCE.format(file=boundaries.file_name)
    codes = geography.small_area_codes.astype(str)
    names = geography.small_area_names.astype(str)
    shapes = {code: map_shape(code, str(names[i]), boundaries.shapes[code])
              for i, code in enumerate(codes) if code in boundaries.shapes}
    sets = []
    for p, partner in enumerate(geography.partner_names.astype(str)):
        members = np.flatnonzero(geography.small_area_partner == p)
        drawn = [i for i in members if codes[i] in shapes]
        missing = [i for i in members if codes[i] not in shapes]
        notes = []
        if missing:
            listed = ", ".join(f"{codes[i]} ({names[i]})" for i in missing[:20]) + (" …" if len(missing) > 20 else "")
            notes.append(f"{len(missing)} {label}{'s' if len(missing) > 1 else ''} of {partner} "
                         f"{'have' if len(missing) > 1 else 'has'} no boundary in {boundaries.file_name} and "
                         f"{'are' if len(missing) > 1 else 'is'} not drawn: {listed}.")
        maps = []
        for indicator_id in spec.maps.indicators:
            indicator = spec.indicator(indicator_id)
            if indicator_id in withheld:
                notes.append(f"The map of {indicator.name.lower()} is left out of this workbook: the indicator is "
                             f"sensitive, or some of its counts are hidden, and a {label}'s band could reveal a "
                             f"hidden small count.")
                continue
            r = results[indicator_id]
            rate = rates(r.current[drawn], geography.small_area_population[drawn], indicator.rate_per)
            rank = {int(i): position for position, i in enumerate(picks[indicator_id][p], start=1)}
            areas = [MappedArea(codes[i], str(names[i]), BAND_LABELS[int(r.small_bands[i])],
                                None if not np.isfinite(v) else float(v), int(r.current[i]), rank.get(int(i)))
                     for i, v in zip(drawn, rate)]
            maps.append(AreaMap(indicator_id, indicator.name,
                                _compared(spec.banding_for(indicator), label, geography.benchmark_name),
                                f"Rate per {indicator.rate_per:,} residents", indicator.polarity, areas))
        outline = _dissolved(str(geography.partner_codes[p]), partner,
                             [boundaries.shapes[codes[i]] for i in drawn])
        sets.append(MapSet(maps, {codes[i]: shapes[codes[i]] for i in drawn}, outline, label, partner, source, notes))
    return sets


def dashboard_map_set(spec: Spec, geography: Geography, boundaries: Boundaries, members: np.ndarray,
                      subject: str, items: list) -> MapSet:
    """The dashboard's maps: each member area shaded by its band against the subject, the subject outlined.

    ``members``: the subject's partner-area indices; ``items``: the dashboard's KPIs (``DashboardKpi``)."""
    assert spec.maps is not None
    label = geography.partner_label
    codes = geography.small_area_codes.astype(str)
    parts = {int(p): [boundaries.shapes[c] for c in codes[geography.small_area_partner == p] if c in boundaries.shapes]
             for p in members}
    shapes = {str(geography.partner_codes[p]): shape for p in members
              if (shape := _dissolved(str(geography.partner_codes[p]), str(geography.partner_names[p]), parts[int(p)]))}
    by_id = {item.indicator_id: item for item in items}
    maps = []
    for indicator_id in spec.maps.indicators:
        item = by_id[indicator_id]
        areas = [MappedArea(str(geography.partner_codes[p]), row.name, row.band or BAND_LABELS[NOT_COMPARED],
                            row.rate, row.current)
                 for p, row in zip(members, item.members) if str(geography.partner_codes[p]) in shapes]
        maps.append(AreaMap(indicator_id, item.kpi.name,
                            f"each {label.lower()}'s rate against the {subject} rate (confidence intervals, as on the "
                            f"{label}s sheet)", item.value_label, item.kpi.polarity, areas, labels="names"))
    outline = _dissolved(subject, subject, [g for p in members for g in parts[int(p)]])
    source = spec.maps.source or DEFAULT_SOURCE.format(file=boundaries.file_name)
    notes = [f"{geography.partner_names[p]} has no {geography.small_area_label} with a boundary in "
             f"{boundaries.file_name} and is not drawn." for p in members if str(geography.partner_codes[p]) not in shapes]
    others = [p for p in range(len(geography.partner_names)) if p not in set(members.tolist())]
    context = [shape for p in others if (shape := _dissolved(
        str(geography.partner_codes[p]), str(geography.partner_names[p]),
        [boundaries.shapes[c] for c in codes[geography.small_area_partner == p] if c in boundaries.shapes]))]
    return MapSet(maps, shapes, outline, label, subject, source, notes, context)
