"""Read a spec's small-area boundary file (GeoJSON) for its maps.

Only the geography's small areas are kept. A file that is not GeoJSON, holds no polygons, names
areas under another property or is in projected metres is an error naming the file; a small area
of the geography with no boundary is counted in the data-quality notes and named under each
affected partner's maps, never silently left off.
"""
from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import DataError, Problem
from engine.ingest.geography import Geography
from engine.ingest.issues import IssueLog
from engine.spec.models import Maps

if TYPE_CHECKING:  # pragma: no cover - typing only
    from shapely.geometry.base import BaseGeometry

POLYGONS = ("Polygon", "MultiPolygon")
MAPS_SOURCE = "maps"  # the data-quality notes' source name for boundary problems


@dataclass(frozen=True)
class Boundaries:
    """The geography's small areas' shapes (longitude/latitude), by code; ``missing``: codes with none."""

    file_name: str
    shapes: dict[str, "BaseGeometry"]
    missing: tuple[str, ...]


def _features(path: Path) -> list:
    """The file's features; anything that is not a GeoJSON FeatureCollection is an error naming the file."""
    if not path.is_file():
        raise DataError(Problem("boundary file not found", file=str(path), key_path="maps.boundaries"))
    try:
        with (gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")) as f:
            data = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(Problem(f"not a GeoJSON file ({error})", file=str(path))) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise DataError(Problem("not a GeoJSON FeatureCollection (its top level must be "
                                '{"type": "FeatureCollection", "features": [...]})', file=str(path)))
    return data["features"]


def _shape(feature: dict, number: int, code: str, path: Path) -> "BaseGeometry":
    """One feature's polygon(s); another kind of geometry, a broken one or projected coordinates is an error."""
    import shapely  # here, not at the top: only specs with maps read boundaries, and shapely costs every start-up
    from shapely.geometry import shape

    try:
        geometry = shape(feature.get("geometry") or {})
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.GEOSException) as error:
        raise DataError(Problem(f"feature {number} ({code}): unreadable geometry ({error})", file=str(path))) from None
    if geometry.geom_type not in POLYGONS or geometry.is_empty:
        raise DataError(Problem(f"feature {number} ({code}): a {geometry.geom_type}, not a Polygon or MultiPolygon "
                                "(small areas need outlines)", file=str(path)))
    west, south, east, north = geometry.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise DataError(Problem(f"feature {number} ({code}): coordinates are not longitude/latitude (e.g. "
                                f"{west:.0f}, {south:.0f}: British National Grid metres?); give the boundaries in "
                                "WGS84 longitude/latitude, as GeoJSON requires", file=str(path)))
    return geometry if geometry.is_valid else shapely.make_valid(geometry)


def load_boundaries(settings: Maps, base_dir: Path, geography: Geography, log: IssueLog) -> Boundaries:
    """The geography's small areas' boundaries from the spec's ``maps.boundaries`` file."""
    path = (base_dir / settings.boundaries).resolve()
    key = settings.code_property
    wanted = set(geography.small_area_codes.astype(str).tolist())
    shapes: dict[str, "BaseGeometry"] = {}
    first_without: tuple[int, list[str]] | None = None  # the first feature lacking the code property, and its keys
    for number, feature in enumerate(_features(path), start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = properties.get(key) if isinstance(properties, dict) else None
        if code is None:
            if first_without is None:
                first_without = (number, sorted(properties)[:8] if isinstance(properties, dict) else [])
            continue
        if str(code) in wanted:
            shapes[str(code)] = _shape(feature, number, str(code), path)
    if not shapes:
        detail = (f"no feature has the property {key!r} (feature {first_without[0]} has "
                  f"{', '.join(first_without[1]) or 'no properties'}): set maps.code_property"
                  if first_without is not None
                  else f"no feature's {key} is a {geography.small_area_label} of the spec's geography")
        raise DataError(Problem(detail, file=str(path), column=key))
    missing = tuple(sorted(wanted - set(shapes)))
    if missing:
        log.note(MAPS_SOURCE, f"{geography.small_area_label}s with no boundary in {path.name}: not drawn on the maps "
                              f"(each partner's Maps sheet names its own)", len(missing), example=", ".join(missing[:3]))
    return Boundaries(path.name, shapes, missing)
