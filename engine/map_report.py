"""What a workbook's maps show, computed once, with no I/O: part of the Report contract.

A :class:`MapSet` holds the shapes of every area one workbook draws (a partner area's small areas,
or a dashboard's member districts) and one :class:`AreaMap` per mapped indicator: each area's
band in words, its value and, for small areas, its rank in the Top 10 table. The renderer turns
band words into the theme's colours and draws; it decides nothing about which area gets which band.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, eq=False)
class MapShape:
    """One area's outline in longitude/latitude: its rings, exteriors anticlockwise and holes clockwise
    (so that a compound path fills with holes), and a point inside it for a label."""

    code: str
    name: str
    rings: tuple[np.ndarray, ...]  # each (n, 2): longitude, latitude
    label_at: tuple[float, float]


@dataclass(frozen=True)
class MappedArea:
    """One area on one map: its band against the comparator, in the words the tables use."""

    code: str
    name: str
    band: str  # one of the seven band words, or "Not compared"
    value: float | None  # the rate per ``rate_per`` (None: not computed, e.g. no residents)
    count: int | None
    rank: int | None = None  # its rank in the Top 10 table, when it is listed there


@dataclass(frozen=True)
class AreaMap:
    """One indicator's map: every area of the workbook's place, banded."""

    indicator_id: str
    title: str  # "Total recorded crime"
    compared: str  # what the bands compare, in words, for the caption
    value_label: str  # "Rate per 1,000 residents"
    polarity: str  # the indicator's: where higher is better the colours flip, as in the tables
    areas: list[MappedArea]
    labels: str = "ranks"  # what is written on the map: "ranks" (Top 10 ranks) or "names" (each area's name)


@dataclass(frozen=True)
class MapSet:
    """A workbook's maps and the shapes they share (drawn once per workbook, reused by every map)."""

    maps: list[AreaMap]
    shapes: dict[str, MapShape]  # by area code: every area the maps shade
    outline: MapShape | None  # the place the workbook is about (a partner area, a dashboard's subject)
    area_label: str  # what one shaded area is called ("LSOA", "District")
    place: str  # the outlined place's name
    source: str  # the boundaries' source and licence, printed under every map
    notes: list[str] = field(default_factory=list)  # what is not drawn, and why (areas with no boundary, withheld maps)
    context: list[MapShape] = field(default_factory=list)  # neighbours drawn unshaded for orientation (not banded)
