"""Draw a map of the Report's :class:`~engine.map_report.AreaMap` to PNG bytes with matplotlib.

matplotlib is imported here only, when a map is drawn, so that commands that draw none start
fast; it draws through the Agg canvas directly (no pyplot, no global state), in matplotlib's own font. The areas of a
workbook are turned into matplotlib paths once (:class:`MapCanvas`) and reused by every map of it;
each map is one ``PathCollection`` (one artist for all areas, holes kept by the rings' winding).
Colours come from the theme's band colours, flipped where higher is better, exactly as the
tables' conditional formats: the map says in colour what the Top 10 table says in words, and its
legend says it in words too. The PNG carries no date or software version, so the same Report
gives the same bytes and the workbook stays byte-identical from build to build.
"""
from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.map_report import AreaMap, MapSet
from engine.render.theme import BAND_NAMES, Theme

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.figure import Figure

NOT_COMPARED = "Not compared"
NOT_COMPARED_FILL = "#BDBDBD"
EDGE = "#808080"  # small-area edges: visible on the palest band, light enough not to darken the dark ones
FIGURE_INCHES = (8.4, 4.7)  # with the heading and caption, fits a landscape A4 page at 100%
DPI = 100
NAME_WIDTH = 12  # area names on a map break onto lines of at most this many characters, to overlap less
#: Map text is in DejaVu Sans, which comes with matplotlib: a map's pixels then do not depend on the fonts a
#: machine has installed (the theme's font may be missing, and a fallback would change the bytes).
MAP_FONT = "DejaVu Sans"
#: The PNG's metadata: matplotlib would otherwise write its version ("Software"), which changes with upgrades.
PNG_METADATA = {"Software": None}


def band_fill(theme: Theme, band: str, polarity: str) -> str:
    """The fill of a band on the map: the theme's, flipped where higher is better, as in the tables."""
    if band == NOT_COMPARED:
        return NOT_COMPARED_FILL
    return theme.band_colours(band, polarity == "higher_is_better")["fill"]


def band_order(area_map: AreaMap) -> list[str]:
    """The legend's bands: all seven, high to low, and "Not compared" when an area is not banded."""
    present = {a.band for a in area_map.areas}
    return list(BAND_NAMES) + ([NOT_COMPARED] if NOT_COMPARED in present else [])


@dataclass
class MapCanvas:
    """A workbook's areas as matplotlib paths, built once and shared by its maps."""

    map_set: MapSet
    paths: dict[str, Any]  # area code -> matplotlib.path.Path
    outline: Any | None
    context: list[Any]  # the neighbours' paths, in map_set.context order
    aspect: float  # y stretch that makes a degree of longitude as long as one of latitude at this latitude
    limits: tuple[float, float, float, float]  # west, east, south, north with a margin

    @classmethod
    def of(cls, map_set: MapSet) -> "MapCanvas":
        from matplotlib.path import Path

        def compound(rings) -> Any:
            return Path.make_compound_path(*(Path(ring, closed=True) for ring in rings))

        paths = {code: compound(shape.rings) for code, shape in map_set.shapes.items()}
        everything = [r for shape in [*map_set.shapes.values(), *map_set.context] for r in shape.rings]
        if map_set.outline is not None:
            everything += list(map_set.outline.rings)
        xs = [x for r in everything for x in (r[:, 0].min(), r[:, 0].max())] or [0.0, 1.0]
        ys = [y for r in everything for y in (r[:, 1].min(), r[:, 1].max())] or [0.0, 1.0]
        west, east, south, north = min(xs), max(xs), min(ys), max(ys)
        pad_x, pad_y = (east - west) * 0.03 or 0.01, (north - south) * 0.03 or 0.01
        return cls(map_set, paths, compound(map_set.outline.rings) if map_set.outline is not None else None,
                   [compound(shape.rings) for shape in map_set.context],
                   1 / math.cos(math.radians((south + north) / 2)),
                   (west - pad_x, east + pad_x, south - pad_y, north + pad_y))


@dataclass(frozen=True)
class DrawnMap:
    """A drawn map, the artist that paints the banded areas, and their codes in its order (tests read the
    colours back from ``areas.get_facecolors()``)."""

    figure: "Figure"
    areas: Any  # the PathCollection of the banded areas
    codes: list[str]


def draw_map(canvas: MapCanvas, area_map: AreaMap, theme: Theme) -> DrawnMap:
    """One map: every area filled with its band's colour, the place outlined, labels, and a legend in words."""
    from matplotlib import patheffects
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    font = {"family": MAP_FONT}
    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI, facecolor="white")
    axes = figure.add_axes((0.01, 0.08, 0.64, 0.9))
    axes.set_axis_off()
    drawn = [a for a in area_map.areas if a.code in canvas.paths]
    muted = theme.colours.get("muted_text", "#404040")
    if canvas.context:  # neighbours first, unshaded, so that the banded areas and the outline lie on top
        axes.add_collection(PathCollection(canvas.context, facecolors="white", edgecolors=EDGE, linewidths=0.6,
                                           linestyles="dashed"), autolim=False)
    fills = [band_fill(theme, a.band, area_map.polarity) for a in drawn]
    areas = PathCollection([canvas.paths[a.code] for a in drawn], facecolors=fills, edgecolors=EDGE, linewidths=0.3)
    axes.add_collection(areas, autolim=False)
    title_colour = theme.colours.get("title", "#000000")
    if canvas.outline is not None:
        axes.add_collection(PathCollection([canvas.outline], facecolors="none", edgecolors=title_colour,
                                           linewidths=1.6), autolim=False)
    west, east, south, north = canvas.limits
    axes.set_xlim(west, east)
    axes.set_ylim(south, north)
    axes.set_aspect(canvas.aspect)
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for area in drawn:
        text = (textwrap.fill(area.name, NAME_WIDTH, break_long_words=False) if area_map.labels == "names"
                else str(area.rank) if area.rank else "")
        if text:
            x, y = canvas.map_set.shapes[area.code].label_at
            axes.text(x, y, text, ha="center", va="center", fontsize=7 if area_map.labels == "names" else 8,
                      fontweight="bold", color="#000000", path_effects=halo, fontdict=font, clip_on=True)
    for shape in canvas.map_set.context:
        axes.text(*shape.label_at, textwrap.fill(shape.name, NAME_WIDTH, break_long_words=False), ha="center",
                  va="center", fontsize=7, fontstyle="italic", color=muted, fontdict=font)
    counts = {band: sum(a.band == band for a in drawn) for band in band_order(area_map)}
    handles = [Patch(facecolor=band_fill(theme, band, area_map.polarity), edgecolor=EDGE, linewidth=0.5,
                     label=f"{band} ({counts[band]})") for band in counts]
    legend = figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.66, 0.95), frameon=False,
                           title=f"Band: {canvas.map_set.area_label}s ({len(drawn)})", alignment="left",
                           prop={**font, "size": 9}, title_fontproperties={**font, "size": 9, "weight": "bold"})
    legend.get_title().set_color(title_colour)
    if area_map.labels == "ranks" and any(a.rank for a in drawn):
        figure.text(0.665, 0.38, "1–10: rank in the Top 10 table", fontsize=8, fontdict=font)
    figure.text(0.665, 0.32, f"Outline: {canvas.map_set.place}" + ("\nDashed, not shaded: not part of it"
                                                                     if canvas.map_set.context else ""),
                fontsize=8, fontdict=font, va="top")
    figure.text(0.01, 0.015, "\n".join(textwrap.wrap(canvas.map_set.source, 150)), fontsize=6,
                color=muted, fontdict=font)
    return DrawnMap(figure, areas, [a.code for a in drawn])


def png_bytes(figure: "Figure") -> bytes:
    """The figure as PNG bytes with no date or version in them (the same figure always gives the same bytes)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata=PNG_METADATA)
    return buffer.getvalue()
