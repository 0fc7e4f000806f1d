"""A workbook's map pictures: taken from the user's cache when the same picture was drawn before, else drawn.

Drawing is most of what a map costs (text and PNG encoding, about 0.1 s of CPU a map), and from one build to
the next most maps are the same picture: the same areas in the same bands. A picture is kept under a key made of
everything that determines its pixels, so a kept picture is used only where drawing would give the same bytes:

* the map set's geometry and words (every ring's coordinates, label points, area and neighbour names, the place,
  the area label and the source line);
* the map's own content (each drawn area's code, band, name and rank, and whether it is labelled by rank or name);
* what it takes from the theme (:class:`~engine.render.map_drawing.MapLook`: fills and two text colours);
* how it is drawn: the drawing module's own source, and the matplotlib and Pillow versions.

The cache is ``<user cache>/maps`` (see :mod:`engine.user_cache`): files named by their key, in 256 folders by the
key's first two characters (a national build keeps thousands), written atomically, checked to be a whole PNG when
read and touched when used. Pictures unused for :data:`KEEP_DAYS` are removed, and the oldest first while the
cache holds more than :data:`KEEP_BYTES`. A folder that cannot be read or written only means drawing again.
matplotlib is imported only when a map must be drawn.
"""
from __future__ import annotations

import functools
import hashlib
import os
import time
from importlib import metadata
from pathlib import Path

from engine.atomic import write_bytes_atomic
from engine.map_report import AreaMap, MapSet, MapShape
from engine.render import map_drawing
from engine.render.map_drawing import MapCanvas, MapLook, MapPainter
from engine.render.theme import Theme
from engine.user_cache import cache_dir, prune

KEEP_DAYS = 100  # a quarterly build still finds the pictures of the last quarter's (the maps that did not change)
KEEP_BYTES = 500 * 2**20  # about eight national builds' maps
PNG_START = b"\x89PNG\r\n\x1a\n"
PNG_END = b"IEND\xaeB`\x82"  # the last chunk: a file cut short does not end with it


@functools.cache
def _drawing_version() -> bytes:
    """The drawing code and the libraries that turn it into pixels and PNG bytes."""
    versions = []
    for package in ("matplotlib", "pillow"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} ?")
    return hashlib.sha256(Path(map_drawing.__file__).read_bytes() + "\n".join(versions).encode()).digest()


def _shape_bytes(digest: "hashlib._Hash", shape: MapShape) -> None:
    digest.update(repr((shape.code, shape.name, shape.label_at, len(shape.rings))).encode())
    for ring in shape.rings:
        digest.update(repr(ring.shape).encode())
        digest.update(ring.astype("<f8").tobytes())


def geometry_key(map_set: MapSet) -> str:
    """The digest of what a map set's pictures share: shapes, outline, neighbours and words."""
    digest = hashlib.sha256(_drawing_version())
    digest.update(repr((map_set.area_label, map_set.place, map_set.source, len(map_set.shapes),
                        len(map_set.context), map_set.outline is not None)).encode())
    for shape in [*map_set.shapes.values(), *map_set.context, *([map_set.outline] if map_set.outline else [])]:
        _shape_bytes(digest, shape)
    return digest.hexdigest()


def picture_key(geometry: str, map_set: MapSet, area_map: AreaMap, look: MapLook) -> str:
    """The key of one picture: its map set's :func:`geometry_key`, the areas it draws and the look."""
    drawn = [(a.code, a.band, a.name, a.rank) for a in area_map.areas if a.code in map_set.shapes]
    content = repr((geometry, area_map.labels, drawn, look)).encode()
    return hashlib.sha256(content).hexdigest()


def maps_cache_dir() -> Path:
    return cache_dir() / "maps"


def _read(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not (data.startswith(PNG_START) and data.endswith(PNG_END)):
        return None
    try:
        os.utime(path)  # in use: not pruned
    except OSError:  # a read-only cache is still a cache
        pass
    return data


@functools.cache
def _prune(folder: Path) -> None:
    """Remove pictures unused for :data:`KEEP_DAYS`, then the least recently used while the cache holds more than
    :data:`KEEP_BYTES` (once per process and folder: when it first keeps a picture)."""
    prune(folder.glob("??/*.png"), KEEP_BYTES, used_since=time.time() - KEEP_DAYS * 86_400)


def _keep(path: Path, data: bytes) -> None:
    try:
        write_bytes_atomic(path, data)
    except OSError:  # a read-only or full cache: draw again next time
        return
    _prune(path.parent.parent)


class MapPictures:
    """The PNG bytes of a map set's maps, from the cache or drawn on one shared :class:`MapPainter`."""

    def __init__(self, map_set: MapSet, theme: Theme):
        self.map_set = map_set
        self.theme = theme
        self.geometry = geometry_key(map_set)
        self.folder = maps_cache_dir()
        self._painter: MapPainter | None = None
        self.drawn = 0  # pictures drawn (not found in the cache): the benchmark reports them

    def png(self, area_map: AreaMap) -> bytes:
        look = MapLook.of(self.theme, area_map)
        key = picture_key(self.geometry, self.map_set, area_map, look)
        path = self.folder / key[:2] / f"{key}.png"
        data = _read(path)
        if data is None:
            if self._painter is None:
                self._painter = MapPainter(MapCanvas.of(self.map_set), look.muted, look.title)
            data = self._painter.picture(area_map, look)
            self.drawn += 1
            _keep(path, data)
        return data
