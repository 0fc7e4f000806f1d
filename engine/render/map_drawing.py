"""Draw a map of the Report's :class:`~engine.map_report.AreaMap` to PNG bytes with matplotlib.

matplotlib is imported here only, when a map is drawn, so that commands that draw none start
fast; it draws through the Agg canvas directly (no pyplot, no global state), in matplotlib's own font. The areas of a
workbook are turned into matplotlib paths once (:class:`MapCanvas`) and reused by every map of it;
each map is one ``PathCollection`` (one artist for all areas, holes kept by the rings' winding).
Colours come from the theme's band colours, flipped where higher is better, exactly as the
tables' conditional formats: the map says in colour what the Top 10 table says in words, and its
legend says it in words too. The PNG carries no date or software version, so the same Report
gives the same bytes and the workbook stays byte-identical from build to build.

A workbook's maps share one figure (:class:`MapPainter`): what every map with the same bands shows alike (the
white page, unshaded neighbours, the legend, the notes beside the map, the boundaries' source) is drawn once and
kept as pixels; each map restores them and draws only its own layers, all inside the map's frame (its fills, the
outline, labels), in the order a whole draw of the figure paints them, so the pixels are the whole draw's (tests
compare the two). Drawn pictures are kept between builds by :mod:`engine.render.map_pictures`.
"""
from __future__ import annotations

import functools
import io
import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from engine.map_report import AreaMap, MappedArea, MapSet
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
#: PNG zlib level: the pictures are mostly flat fills, so the fastest level is within 3% of the default's size
#: and a third quicker (measured on the demo's maps); RGB, as the page is opaque white (smaller than RGBA).
PNG_COMPRESS_LEVEL = 1


F = TypeVar("F", bound=Callable[..., Any])


def matplotlib_defaults(function: F) -> F:
    """Run ``function`` under matplotlib's own defaults, whatever a matplotlibrc or style on the machine says (text
    hinting, line widths, fonts …): a map's pixels then depend only on what it shows, so the same Report gives the
    same bytes on every machine, and the picture cache's key (:mod:`engine.render.map_pictures`) is complete."""
    @functools.wraps(function)
    def under_defaults(*args: Any, **kwargs: Any) -> Any:
        import matplotlib.style

        with matplotlib.style.context("default"):
            return function(*args, **kwargs)
    return under_defaults  # type: ignore[return-value]


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
class MapLook:
    """What a map takes from the theme: its bands' fills (already flipped for the indicator's polarity) and two
    text colours. The drawing reads the theme only through this, so it is part of the picture's cache key."""

    fills: tuple[tuple[str, str], ...]  # (band, fill) for every band of the legend, in its order
    muted: str
    title: str

    @classmethod
    def of(cls, theme: Theme, area_map: AreaMap) -> "MapLook":
        return cls(tuple((band, band_fill(theme, band, area_map.polarity)) for band in band_order(area_map)),
                   theme.colours.get("muted_text", "#404040"), theme.colours.get("title", "#000000"))


@dataclass(frozen=True)
class DrawnMap:
    """A drawn map, the artist that paints the banded areas, and their codes in its order (tests read the
    colours back from ``areas.get_facecolors()``)."""

    figure: "Figure"
    areas: Any  # the PathCollection of the banded areas
    codes: list[str]


def _label_text(area: MappedArea, labels: str) -> str:
    """What is written on an area: its name (wrapped) or its Top 10 rank, or nothing."""
    if labels == "names":
        return textwrap.fill(area.name, NAME_WIDTH, break_long_words=False)
    return str(area.rank) if area.rank else ""


class MapPainter:
    """One figure for all the maps of a workbook (one canvas, one pair of text colours).

    Artists are added in the order a single map's figure had them, so a full draw of :attr:`figure` (as
    :func:`png_bytes` does) paints what :meth:`picture` paints by restoring the background and drawing the
    map's own layers; the neighbours' names sit a hair above the rank labels (zorder) to keep that order.
    The legend (band words and fills, no counts: the caption under the picture gives those) and the notes
    beside the map are the same for every map with the same bands, and lie outside the map's frame, which clips
    everything drawn per map: they are part of the background, one per distinct legend.
    """

    @matplotlib_defaults
    def __init__(self, canvas: MapCanvas, muted: str, title: str):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.collections import PathCollection
        from matplotlib.figure import Figure

        self.canvas, self.muted, self.title = canvas, muted, title
        self._own: list[Any] = []  # this map's labels, removed before the next map
        self._legend: Any = None
        self._legend_key: tuple | None = None
        self._backgrounds: dict[tuple, Any] = {}  # (legend, rank note shown) -> the pixels a map starts from
        canvas, font = self.canvas, {"family": MAP_FONT}
        self.figure = figure = Figure(figsize=FIGURE_INCHES, dpi=DPI, facecolor="white")
        FigureCanvasAgg(figure)
        self.axes = axes = figure.add_axes((0.01, 0.08, 0.64, 0.9))
        axes.set_axis_off()
        if canvas.context:  # neighbours first, unshaded, so that the banded areas and the outline lie on top
            axes.add_collection(PathCollection(canvas.context, facecolors="white", edgecolors=EDGE, linewidths=0.6,
                                               linestyles="dashed"), autolim=False)
        self.areas = PathCollection([], edgecolors=EDGE, linewidths=0.3)
        axes.add_collection(self.areas, autolim=False)
        self.outline = None
        if canvas.outline is not None:
            self.outline = PathCollection([canvas.outline], facecolors="none", edgecolors=self.title, linewidths=1.6)
            axes.add_collection(self.outline, autolim=False)
        west, east, south, north = canvas.limits
        axes.set_xlim(west, east)
        axes.set_ylim(south, north)
        axes.set_aspect(canvas.aspect)
        self.neighbours = [axes.text(*shape.label_at, textwrap.fill(shape.name, NAME_WIDTH, break_long_words=False),
                                     ha="center", va="center", fontsize=7, fontstyle="italic", color=self.muted,
                                     fontdict=font, zorder=3.01, clip_on=True) for shape in canvas.map_set.context]
        self.rank_note = figure.text(0.665, 0.38, "1–10: rank in the Top 10 table", fontsize=8, fontdict=font)
        figure.text(0.665, 0.32, f"Outline: {canvas.map_set.place}" + ("\nDashed, not shaded: not part of it"
                                                                     if canvas.map_set.context else ""),
                    fontsize=8, fontdict=font, va="top")
        figure.text(0.01, 0.015, "\n".join(textwrap.wrap(canvas.map_set.source, 150)), fontsize=6,
                    color=self.muted, fontdict=font)

    def _layers(self) -> list[Any]:
        """The artists drawn over the background, in the order a full draw paints them (all inside the frame)."""
        return [self.areas] + ([self.outline] if self.outline is not None else []) + self._own + self.neighbours

    @matplotlib_defaults
    def paint(self, area_map: AreaMap, look: MapLook) -> DrawnMap:
        """Set the figure up for ``area_map`` (the previous map's own artists removed); nothing is drawn yet."""
        from matplotlib import patheffects

        for artist in self._own:
            artist.remove()
        font = {"family": MAP_FONT}
        fills = dict(look.fills)
        drawn = [a for a in area_map.areas if a.code in self.canvas.paths]
        self.areas.set_paths([self.canvas.paths[a.code] for a in drawn])
        self.areas.set_facecolor([fills[a.band] for a in drawn])
        halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
        self._own = [self.axes.text(*self.canvas.map_set.shapes[a.code].label_at, text, ha="center", va="center",
                                    fontsize=7 if area_map.labels == "names" else 8, fontweight="bold",
                                    color="#000000", path_effects=halo, fontdict=font, clip_on=True)
                     for a in drawn if (text := _label_text(a, area_map.labels))]
        self._set_legend(look, f"Band: {self.canvas.map_set.area_label}s ({len(drawn)})")
        self.rank_note.set_visible(area_map.labels == "ranks" and any(a.rank for a in drawn))
        return DrawnMap(self.figure, self.areas, [a.code for a in drawn])

    def _set_legend(self, look: MapLook, title: str) -> None:
        """The legend for ``look``'s bands, made again only when the bands or the title differ from the last map's."""
        from matplotlib.patches import Patch

        key = (look.fills, look.title, title)
        if key == self._legend_key:
            return
        if self._legend is not None:
            self._legend.remove()
        font = {"family": MAP_FONT}
        handles = [Patch(facecolor=fill, edgecolor=EDGE, linewidth=0.5, label=band) for band, fill in look.fills]
        self._legend = self.figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.66, 0.95),
                                          frameon=False, title=title, alignment="left", prop={**font, "size": 9},
                                          title_fontproperties={**font, "size": 9, "weight": "bold"})
        self._legend.get_title().set_color(look.title)
        self._legend_key = key

    @matplotlib_defaults
    def picture(self, area_map: AreaMap, look: MapLook) -> bytes:
        """``area_map`` as PNG bytes: the kept background, then only this map's layers drawn over it."""
        self.paint(area_map, look)
        agg = self.figure.canvas
        key = (self._legend_key, self.rank_note.get_visible())
        if key not in self._backgrounds:
            self._backgrounds[key] = self._draw_background()
        agg.restore_region(self._backgrounds[key])
        renderer = agg.get_renderer()
        for artist in self._layers():
            artist.draw(renderer)
        return _encoded(agg)

    def _draw_background(self) -> Any:
        """A full draw with every per-map layer hidden, as pixels (the first also fixes the axes' aspect)."""
        layers = self._layers()
        shown = [artist.get_visible() for artist in layers]
        for artist in layers:
            artist.set_visible(False)
        self.figure.canvas.draw()
        background = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        for artist, visible in zip(layers, shown):
            artist.set_visible(visible)
        return background


def draw_map(canvas: MapCanvas, area_map: AreaMap, theme: Theme) -> DrawnMap:
    """One map on a figure of its own: every area filled with its band's colour, the place outlined, labels, and a
    legend in words (:func:`png_bytes` draws it whole; the Maps sheet uses :meth:`MapPainter.picture`)."""
    look = MapLook.of(theme, area_map)
    return MapPainter(canvas, look.muted, look.title).paint(area_map, look)


def _encoded(agg: Any) -> bytes:
    """The canvas's pixels as an RGB PNG with no date or software version in it (Pillow writes neither), and its
    resolution, which Excel uses to size the picture."""
    import numpy as np
    from PIL import Image

    rgb = np.ascontiguousarray(np.asarray(agg.buffer_rgba())[..., :3])
    buffer = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buffer, format="png", dpi=(DPI, DPI), compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


@matplotlib_defaults
def png_bytes(figure: "Figure") -> bytes:
    """The figure drawn whole, encoded as the Maps sheet's pictures are (the same figure gives the same bytes)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    figure.canvas.draw()
    return _encoded(figure.canvas)
